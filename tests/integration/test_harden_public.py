"""test_harden_public.py: the public site's part of the security review (issue 9):
tags only drafts use, the database's files while the responders run."""

import os
import stat

from harness import Site, run_tests


def test_a_tag_only_drafts_use_is_not_public():
    with Site(conf={"min_form_seconds": "0"}) as s:
        s.add_post(title="Plans", body="Secret plans.", tags="Secret project, Shared",
                   draft=True)
        s.add_post(title="Open", body="Open text.", tags="Shared")
        c = s.client()
        res = c.get("/tags/secret-project")
        assert res.status == 404, res.status
        assert "Secret project" not in res.text
        assert c.get("/tags/secret-project/page/2").status == 404
        assert c.get("/tags/shared").status == 200
        for path in ("/search", "/sitemap.xml", "/tags", "/", "/feed.atom"):
            res = c.get(path)
            assert "secret-project" not in res.text and "Secret project" not in res.text, path
        assert "/tags/shared" in c.get("/sitemap.xml").text


def test_responders_keep_the_database_files_private():
    with Site(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Modes", body="Text.")
        c = s.client()
        form = c.form("/posts/%s" % slug)
        assert form.submit({"author": "Ann", "comment": "Hello"}).status == 303
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE(os.stat(s.db_path + suffix).st_mode)
            assert mode in (0o600, 0o640), (suffix, oct(mode))


class OldModeSite(Site):
    """A site whose database an older parley made world-readable before the responders start."""

    def _init_db(self):
        super()._init_db()
        os.chmod(self.db_path, 0o644)


def test_responders_repair_an_old_database_mode():
    with OldModeSite(conf={"min_form_seconds": "0"}) as s:
        assert s.client().get("/").status == 200
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE(os.stat(s.db_path + suffix).st_mode)
            assert mode in (0o600, 0o640), (suffix, oct(mode))


run_tests(globals())

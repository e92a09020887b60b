"""test_comments_wordpress.py: `parley import-wordpress`: the sample export, every status, threads,
encodings, a rebound namespace prefix, shortcodes, hostile content, duplicate slugs, re-runs, bad files."""

import os
import re

from harness import Site, run_tests
from wxr_fixtures import WP, item, wp_comment, write, wxr


def test_sample_export():
    with Site(conf={"min_form_seconds": "0"}) as s:
        sample = os.path.join(s.sample_dir, "wordpress.xml")
        res = s.cli("import-wordpress", sample)
        assert "posts: 2 new, 0 updated; pages skipped: 1" in res.stdout, res.stdout
        assert "comments: 10 new, 0 updated" in res.stdout, res.stdout
        db = s.db()
        rows = db.execute("SELECT c.status, count(*) FROM comments c GROUP BY c.status").fetchall()
        assert dict(rows) == {"approved": 6, "pending": 3, "spam": 1}, rows
        assert db.execute("SELECT count(*) FROM comments WHERE parent_id IS NOT NULL").fetchone()[0] == 3
        for (ip_hash,) in db.execute("SELECT ip_hash FROM comments"):
            assert re.fullmatch(r"[0-9a-f]{32}", ip_hash), ip_hash
        tags = {r[0] for r in db.execute("SELECT name FROM tags")}
        assert {"handovers", "Peer support"} <= tags, tags
        assert db.execute("SELECT count(*) FROM posts WHERE slug = 'about'").fetchone()[0] == 0
        # WordPress comment ids are kept, so old #comment-N anchors land.
        assert db.execute("SELECT count(*) FROM comments WHERE id = 101").fetchone()[0] == 1
        db.close()

        page = s.client().get("/posts/good-handover-note")
        assert page.status == 200
        t = page.text
        assert "4 comments" in t
        assert "<strong>Start with what changed.</strong>" in t
        assert "<blockquote>" in t and "<li>Who might need a check-in" in t
        assert "payable in biscuits" in t and "Maya Okafor" in t
        assert 'id="comment-101"' in t
        assert "Is the template still online" not in t         # pending
        assert t.count('class="comment-replies"') == 2          # 101 > 102 > 104
        assert "maya@example.org" not in t
        # Importing again updates and adds no post or comment twice.
        res = s.cli("import-wordpress", sample)
        assert "posts: 0 new, 2 updated" in res.stdout, res.stdout
        assert "comments: 0 new, 10 updated" in res.stdout, res.stdout
        db = s.db()
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 10
        assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 2
        db.close()


def test_statuses_threads_and_rerun():
    with Site() as s:
        comments = (wp_comment(11, "Ann", "approved one", "1", email="ann@example.org")
                    + wp_comment(12, "Bo", "pending one", "0")
                    + wp_comment(13, "Cy", "spam one", "spam")
                    + wp_comment(14, "Di", "trashed one", "trash")
                    + wp_comment(15, "Ed", "reply to Ann", "1", parent=11)
                    + wp_comment(16, "Fay", "reply to Ed", "1", parent=15)
                    + wp_comment(17, "Pinger", "a pingback", "1", ctype="pingback"))
        path = write(s, "statuses.xml", wxr([
            item(7, "threads", "<p>Body</p>", comments),
            item(8, "a-page", "page text", ptype="page"),
            item(9, "photo", "", ptype="attachment"),
            item(10, "menu", "", ptype="nav_menu_item")]))
        res = s.cli("import-wordpress", path)
        assert "posts: 1 new, 0 updated; pages skipped: 1; other items skipped: 1" in res.stdout, res.stdout
        assert "comments: 6 new, 0 updated (3 approved, 1 pending, 1 spam, 1 trash)" in res.stdout, res.stdout
        assert "pingbacks and trackbacks skipped: 1" in res.stdout, res.stdout
        db = s.db()
        got = {r[0]: r[1:] for r in db.execute(
            "SELECT author, status, parent_id, email, created_at FROM comments")}
        assert got["Ann"][:3] == ("approved", None, "ann@example.org"), got
        assert got["Bo"][0] == "pending" and got["Cy"][0] == "spam" and got["Di"][0] == "trash"
        assert got["Ed"][1] == 11 and got["Fay"][1] == 15, got
        assert got["Ann"][3] == 1704240011, got          # 2024-01-03 00:00:11 UTC
        assert db.execute("SELECT comment_count FROM posts").fetchone()[0] == 3
        # Nothing holds the address in clear.
        dump = "\n".join(db.iterdump())
        assert "192.0.2.77" not in dump
        db.close()
        page = s.client().get("/posts/threads").text
        assert "reply to Ed" in page and "pending one" not in page and "trashed one" not in page
        # A second run with a changed status updates it in place.
        res = s.cli("import-wordpress", write(s, "statuses2.xml", wxr([
            item(7, "threads", "<p>Body, edited</p>", comments.replace(
                "<wp:comment_approved>0</wp:comment_approved>",
                "<wp:comment_approved>1</wp:comment_approved>"))])))
        assert "posts: 0 new, 1 updated" in res.stdout and "0 new, 6 updated" in res.stdout, res.stdout
        db = s.db()
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 6
        assert db.execute("SELECT status FROM comments WHERE author = 'Bo'").fetchone()[0] == "approved"
        assert "edited" in db.execute("SELECT body_md FROM posts").fetchone()[0]


def test_encodings_namespaces_and_entities():
    with Site() as s:
        latin1 = wxr([item(21, "cafe", "<p>Caf\u00e9 &Eacute;cole &thetasym; &hellip; &rarr; &bigstar;</p>",
                           wp_comment(31, "J\u00fcrgen", "sch\u00f6n"), title="Caf\u00e9 cr\u00e8me")],
                     encoding="ISO-8859-1").encode("latin-1")
        cp1252 = wxr([item(22, "quotes", "\u201cquoted\u201d \u2014 dash", title="Quote\u2019s")],
                     encoding="windows-1252").encode("cp1252")
        utf16 = wxr([item(23, "utf-sixteen", "\u65e5\u672c\u8a9e", title="\u65e5\u672c")],
                    encoding="UTF-16").encode("utf-16")
        rebound = wxr([item(24, "rebound", "<p>found</p>", wp_comment(32, "Nia", "here"))],
                      wp="wordpress", version="1.1")
        old = wxr([item(25, "version-one", "<p>one point oh</p>")], version="1.0")
        for name, data in (("l1.xml", latin1), ("1252.xml", cp1252), ("u16.xml", utf16),
                           ("rebound.xml", rebound), ("v10.xml", old)):
            s.cli("import-wordpress", write(s, name, data))
        db = s.db()
        titles = dict(db.execute("SELECT slug, title FROM posts").fetchall())
        assert titles == {"cafe": "Caf\u00e9 cr\u00e8me", "quotes": "Quote\u2019s",
                          "utf-sixteen": "\u65e5\u672c", "rebound": "Imported",
                          "version-one": "Imported"}, titles
        md = dict(db.execute("SELECT slug, body_md FROM posts").fetchall())
        assert md["cafe"] == "Caf\u00e9 \u00c9cole \u03d1 \u2026 \u2192 \u2605", md["cafe"]
        assert md["quotes"] == "\u201cquoted\u201d \u2014 dash", md["quotes"]
        assert md["rebound"] == "found"
        authors = {r[0] for r in db.execute("SELECT author FROM comments")}
        assert authors == {"J\u00fcrgen", "Nia"}, authors


def test_shortcodes_and_tables():
    with Site() as s:
        body = ('[caption id="attachment_40" align="alignnone" width="300"]'
                '<img src="https://old.example.org/wp-content/uploads/desk.jpg" alt="A desk" /> '
                'The desk at night[/caption]\n\n'
                '[gallery ids="40,41"]\n\n[embed]https://video.example/v/1[/embed]\n\n'
                '[audio src="https://old.example.org/talk.mp3"]\n\n'
                '[video mp4="https://old.example.org/clip.mp4"][/video]\n\n'
                '[mystery-plugin id="3"] [sic]\n\n'
                '<table><thead><tr><th>Shift</th><th>Who</th></tr></thead>'
                '<tbody><tr><td>Night</td><td>Ann</td></tr><tr><td>Day</td><td>Bo</td></tr></tbody></table>')
        attachments = "".join(
            item(pid, "img-%d" % pid, "", ptype="attachment",
                 extra="<wp:post_parent>26</wp:post_parent><wp:attachment_url>"
                       "https://old.example.org/wp-content/uploads/%s</wp:attachment_url>" % f)
            for pid, f in ((40, "desk.jpg"), (41, "lamp.jpg")))
        # The attachments come after the post, as WordPress exports them.
        res = s.cli("import-wordpress", write(s, "sc.xml", wxr([item(26, "shortcodes", body), attachments])))
        assert ("shortcodes: 1 caption, 1 gallery, 1 embed, 1 audio, 1 video, "
                "1 unknown (removed)") in res.stdout, res.stdout
        t = s.client().get("/posts/shortcodes").text
        assert '<img src="https://old.example.org/wp-content/uploads/desk.jpg" alt="A desk"' in t
        assert "<em>The desk at night</em>" in t
        assert 'src="https://old.example.org/wp-content/uploads/lamp.jpg"' in t
        assert '<a href="https://video.example/v/1">' in t
        assert 'Audio: <a href="https://old.example.org/talk.mp3">' in t
        assert 'Video: <a href="https://old.example.org/clip.mp4">' in t
        assert "[sic]" in t and "mystery" not in t and "[caption" not in t and "[gallery" not in t
        assert "<strong>Shift</strong> | <strong>Who</strong><br />" in t, t
        assert "Night | Ann<br />" in t and "Day | Bo" in t


def test_hostile_content_is_inert():
    with Site(conf={"min_form_seconds": "0"}) as s:
        body = ('<p>Hi <script>alert(1)</script><img src=x onerror="alert(2)"> '
                '<a href="javascript:alert(3)">bad</a> <a href="https://ok.example/">ok</a></p>'
                '<iframe src="javascript:alert(6)"></iframe><style>p{}</style>'
                '<svg onload="alert(7)"></svg>*not emphasis* [not a link](x)'
                '<a href="data:text/html,x">data</a><a href=" JaVaScRiPt:alert(8)">sp</a>')
        comments = (wp_comment(1, "Eve\" onmouseover=\"x", "<script>alert(4)</script>[x](javascript:y)",
                               url="javascript:alert(5)", email="not-an-email")
                    + wp_comment(2, "Reply", "to one", parent=1)
                    + wp_comment(3, "Orphan", "parent never exported", parent=77))
        path = write(s, "hostile.xml", wxr([item(5, "hostile", body, comments)]))
        res = s.cli("import-wordpress", path)
        assert "comments: 3 new" in res.stdout, res.stdout
        t = s.client().get("/posts/hostile").text
        for bad in ("<script", "onerror", 'href="javascript', "<iframe", 'onmouseover="x"',
                    "alert(6)", "alert(7)", "data:text", "<svg", "<style"):
            assert bad not in t, bad
        assert '<a href="https://ok.example/">ok</a>' in t
        assert "*not emphasis* [not a link](x)" in t
        db = s.db()
        row = db.execute("SELECT url, email FROM comments WHERE id = 1").fetchone()
        assert row == ("", ""), row
        parents = dict(db.execute("SELECT author, parent_id FROM comments").fetchall())
        assert parents["Reply"] == 1 and parents["Orphan"] is None, parents


def test_raw_html_when_allowed():
    with Site(conf={"allow_raw_html": "1"}) as s:
        path = write(s, "raw.xml", wxr([item(3, "raw", '<p class="x">Raw <b>html</b></p>')]))
        s.cli("import-wordpress", path)
        md = s.db().execute("SELECT body_md FROM posts WHERE slug = 'raw'").fetchone()[0]
        assert md == '<p class="x">Raw <b>html</b></p>', md


def test_drafts_duplicate_slugs_and_statuses():
    with Site() as s:
        s.add_post(title="Mine", slug="taken-by-me", body="My own words.")
        text = wxr([item(41, "draft-one", "d", status="draft"),
                    item(42, "private-one", "p", status="private"),
                    item(43, "", "no slug", title="Title Only Here"),
                    item(44, "same", "first of two"),
                    item(45, "same", "second of two", date="2024-02-03 00:00:00"),
                    item(46, "caf%c3%a9-cr%c3%a8me", "encoded name"),
                    item(47, "trashed", "t", status="trash"),
                    item(48, "taken-by-me", "not mine")])
        s.cli("import-wordpress", write(s, "st.xml", text))
        db = s.db()
        rows = dict(db.execute("SELECT slug, draft FROM posts WHERE slug <> 'taken-by-me'").fetchall())
        assert rows == {"draft-one": 1, "title-only-here": 0, "same": 0, "same-2": 0,
                        "cafe-creme": 0, "taken-by-me-2": 0}, rows
        assert db.execute("SELECT body_md FROM posts WHERE slug = 'taken-by-me'").fetchone()[0].strip() == "My own words."
        assert "second" in db.execute("SELECT body_md FROM posts WHERE slug = 'same-2'").fetchone()[0]
        db.close()
        # Run again: the same slugs, nothing new.
        res = s.cli("import-wordpress", write(s, "st.xml", text))
        assert "posts: 0 new, 6 updated" in res.stdout, res.stdout


def test_malformed_files_fail_cleanly():
    with Site() as s:
        good = item(1, "first", "x", wp_comment(1, "A", "b"))
        deep = "<a>" * 5000 + "</a>" * 5000
        laughs = wxr([item(2, "laughs", "x").replace("<title>Imported", "<title>&lol9;")],
                     declaration=False)
        laughs = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
                  + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10)
                            for i in range(1, 10)) + ']>' + laughs)
        secret = write(s, "secret.txt", "TOPSECRET-XXE")
        xxe = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://%s">]>' % secret
               + wxr([item(3, "xxe", "x").replace("<title>Imported", "<title>&x;")],
                     declaration=False))
        cases = {
            "empty.xml": "",
            "truncated.xml": wxr([good, item(9, "t", "x")])[:-60],
            "mismatch.xml": wxr([good]).replace("</channel>", "<item></channel>"),
            "deep.xml": deep,
            "binary.xml": b"\x00\x01\x02<rss>",
            "not-rss.xml": "<html><body>hello</body></html>",
            "no-wp.xml": '<rss version="2.0"><channel><item><title>x</title></item></channel></rss>',
            "version.xml": wxr([good], version="2.0"),
            "cdata.xml": wxr([good])[:-30] + "<item><title><![CDATA[never ends",
            "attr.xml": '<rss version="2.0><channel/></rss>',
            "text.xml": "just some words",
            "bad-utf8.xml": wxr([good]).encode("utf-8").replace(b"first", b"fi\xff\xfest"),
            "laughs.xml": laughs,
            "xxe.xml": xxe,
        }
        for name, text in cases.items():
            res = s.cli("import-wordpress", write(s, name, text), check=False)
            assert res.returncode == 1, (name, res.returncode, res.stdout, res.stderr)
            assert res.stderr.strip().startswith("parley:"), (name, res.stderr)
            assert len(res.stderr.strip().split("\n")) == 1, (name, res.stderr)
            assert "nothing imported" in res.stderr, (name, res.stderr)
        err = s.cli("import-wordpress", write(s, "v.xml", cases["version.xml"]), check=False).stderr
        assert "unknown WXR version" in err, err
        for bomb in (laughs, xxe):
            err = s.cli("import-wordpress", write(s, "l.xml", bomb), check=False).stderr
            assert "DTD" in err or "entity" in err, err
        db = s.db()
        # One transaction: the good item before the damage is not there either.
        assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 0
        assert "TOPSECRET" not in "\n".join(db.iterdump())
        db.close()
        assert s.cli("import-wordpress", check=False).returncode == 2
        res = s.cli("import-wordpress", "/nonexistent.xml", check=False)
        assert res.returncode == 1 and len(res.stderr.strip().split("\n")) == 1, res.stderr
        assert s.db().execute("PRAGMA integrity_check").fetchone()[0] == "ok"


run_tests(globals())

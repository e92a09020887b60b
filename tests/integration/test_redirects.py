"""test_redirects.py: a WordPress import's old addresses answer 301 to the new posts, through nginx."""

import os

from harness import Site, run_tests
from wxr_fixtures import item, wp_comment, write, wxr


def location(res):
    return res.headers.get("location")


def test_old_wordpress_links_redirect():
    with Site() as s:
        s.cli("import-wordpress", os.path.join(s.sample_dir, "wordpress.xml"))
        # A blog that lived under /blog, day-and-name permalinks, a plain ?p= link, a draft.
        s.cli("import-wordpress", write(s, "blog.xml", wxr([
            item(301, "night-walk", "<p>walk</p>", wp_comment(401, "Ann", "lovely"),
                 date="2023-11-05 22:00:00",
                 link="https://old.example.org/blog/2023/11/05/night-walk/"),
            item(302, "plain", "<p>plain</p>", link="https://old.example.org/blog/?p=302"),
            item(303, "unfinished", "<p>draft</p>", status="draft",
                 link="https://old.example.org/blog/2023/12/01/unfinished/"),
            item(304, "good-handover-note", "<p>same name, other post</p>",
                 date="2022-01-01 00:00:00",
                 link="https://old.example.org/blog/2022/01/01/good-handover-note/"),
        ], site="https://old.example.org/blog")))
        c = s.client()
        cases = {
            "/2024/02/good-handover-note/": "/posts/good-handover-note",
            "/2024/02/good-handover-note/comment-page-2/": "/posts/good-handover-note",
            "/2024/02/good-handover-note/?replytocom=102": "/posts/good-handover-note#comment-102",
            "/?p=41": "/posts/good-handover-note",
            "/?p=41&replytocom=104": "/posts/good-handover-note#comment-104",
            "/2023/11/05/night-walk/": "/posts/night-walk",
            "/2023/11/night-walk/": "/posts/night-walk",              # by name and month
            "/2023/11/05/night-walk/comment-page-1/": "/posts/night-walk",
            "/?p=302": "/posts/plain",
            "/2022/01/01/good-handover-note/": "/posts/good-handover-note-2",
        }
        for old, new in cases.items():
            res = c.get(old)
            assert res.status == 301, (old, res.status)
            assert location(res) == new, (old, location(res), new)
            assert c.head(old).status == 301, old
            assert c.get(new.split("#")[0]).status == 200, new
        # The comment an old anchor named is on the page under the same number.
        assert 'id="comment-401"' in c.get("/posts/night-walk").text
        for missing in ("/2023/12/01/unfinished/", "/?p=303", "/?p=999", "/1999/01/01/nothing/",
                        "/2024/13/x/", "/nothing/", "/2024/02/good-handover-note/?replytocom=x"):
            res = c.get(missing)
            if missing.endswith("replytocom=x"):
                assert res.status == 301 and location(res) == "/posts/good-handover-note", missing
                continue
            assert res.status == 404, (missing, res.status)
            assert "Page not found" in res.text, missing
        # The routes shadow nothing: the front page, a post's comment URL, tags.
        assert c.get("/").status == 200
        assert c.get("/?p=abc").status == 404
        assert c.get("/posts/good-handover-note/comments").status == 405
        assert c.get("/tags/handovers").status == 200


run_tests(globals())

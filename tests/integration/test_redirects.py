"""test_redirects.py: a WordPress import's old addresses answer 301 to the new posts, through nginx."""

import os
import sqlite3

from harness import Site, run_tests
from test_microcache import MicrocacheSite
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


def test_comment_links_of_a_renumbered_comment():
    """The links WordPress itself writes to a comment (the reply link on the post and on a
    comments page, a plain ?p= permalink, paged comments), for a comment whose WordPress
    number was taken here, through the shipped micro-cache: 301 to the post, #comment-NEW
    where the link named the comment."""
    with MicrocacheSite() as s:
        slug = s.add_post(title="Native", body="Here first.")
        conn = sqlite3.connect(s.db_path)
        conn.execute("INSERT INTO comments (id, post_id, status, author, body_md, body_html,"
                     " created_at) SELECT 777, id, 'approved', 'Native', 'mine', '<p>mine</p>', 1"
                     " FROM posts WHERE slug = ?", (slug,))
        conn.commit()
        conn.close()
        s.cli("import-wordpress", write(s, "blog.xml", wxr([
            item(501, "harbour-lights", "<p>lights</p>",
                 wp_comment(777, "Old Reader", "from the old blog")
                 + wp_comment(778, "Second", "a reply", parent=777),
                 date="2021-06-07 08:00:00"),
        ])))
        conn = sqlite3.connect(s.db_path)
        new, reply = [conn.execute("SELECT comment_id FROM comment_origins WHERE old_id = ?",
                                   (old,)).fetchone()[0] for old in ("777", "778")]
        conn.close()
        assert new != 777, new
        c = s.client()
        assert c.get("/").status == 200           # the front page, now in the micro-cache
        to_post, to_new = "/posts/harbour-lights", "/posts/harbour-lights#comment-%d" % new
        cases = {
            "/2021/06/07/harbour-lights/": to_post,
            "/2021/06/07/harbour-lights/?replytocom=777": to_new,
            "/2021/06/07/harbour-lights/comment-page-2/": to_post,
            "/2021/06/07/harbour-lights/comment-page-2/?replytocom=777": to_new,
            "/2021/06/07/harbour-lights/?replytocom=778": "/posts/harbour-lights#comment-%d" % reply,
            "/?p=501": to_post,
            "/?p=501&replytocom=777": to_new,
            "/?p=501&cpage=2": to_post,
            "/?p=501&cpage=2&replytocom=777": to_new,
            "/?replytocom=777&p=501": to_new,
        }
        for old, want in cases.items():
            for _ in range(2):                     # the second time from the cache, if at all
                res = c.get(old)
                assert res.status == 301, (old, res.status)
                assert res.headers.get("location") == want, (old, res.headers.get("location"))
        # The number the link names is on the post's page; the native 777 is not moved.
        page = c.get(to_post).text
        assert 'id="comment-%d"' % new in page and "from the old blog" in page
        assert 'id="comment-777"' in c.get("/posts/" + slug).text
        # An old /...#comment-777 link: the 301 carries no fragment, so the browser keeps
        # #comment-777 for the post's page, where that id marks the renumbered comment.
        assert page.count('id="comment-777"') == 1, page
        assert 'id="comment-%d"><span id="comment-777"></span>' % new in page, page
        # Its reply was renumbered too, but its old number is now the first one's: no
        # second element gets that id.
        assert page.count('id="comment-%d"' % new) == 1
        # Another post's old comment number does not leak onto this post.
        res = c.get("/2021/06/07/harbour-lights/?replytocom=999")
        assert res.status == 301 and res.headers.get("location") == to_post


run_tests(globals())

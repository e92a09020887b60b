"""test_comments_wordpress.py: `parley import-wordpress`: the sample export, hostile content, malformed files."""

import os
import re

from harness import Site, run_tests

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title>
"""
WXR_TAIL = "</channel></rss>\n"


def item(slug, content, comments="", status="publish", title="Imported"):
    return """<item><title>%s</title><dc:creator><![CDATA[Ed]]></dc:creator>
<content:encoded><![CDATA[%s]]></content:encoded>
<wp:post_id>9</wp:post_id><wp:post_date_gmt>2024-01-02 03:04:05</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>%s</wp:post_name>
<wp:status>%s</wp:status><wp:post_type>post</wp:post_type>%s</item>
""" % (title, content, slug, status, comments)


def wp_comment(cid, author, content, approved="1", parent=0, url="", email=""):
    return """<wp:comment><wp:comment_id>%d</wp:comment_id>
<wp:comment_author><![CDATA[%s]]></wp:comment_author>
<wp:comment_author_email>%s</wp:comment_author_email>
<wp:comment_author_url>%s</wp:comment_author_url>
<wp:comment_author_IP>192.0.2.77</wp:comment_author_IP>
<wp:comment_date_gmt>2024-01-03 00:00:0%d</wp:comment_date_gmt>
<wp:comment_content><![CDATA[%s]]></wp:comment_content>
<wp:comment_approved>%s</wp:comment_approved><wp:comment_type>comment</wp:comment_type>
<wp:comment_parent>%d</wp:comment_parent></wp:comment>
""" % (cid, author, email, url, cid % 10, content, approved, parent)


def write(s, name, text):
    path = os.path.join(s.tmp, name)
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
    os.chmod(path, 0o644)
    return path


def test_sample_export():
    with Site(conf={"min_form_seconds": "0"}) as s:
        sample = os.path.join(s.sample_dir, "wordpress.xml")
        res = s.cli("import-wordpress", sample)
        assert "imported 2 posts (2 new), 10 comments" in res.stdout, res.stdout
        db = s.db()
        rows = db.execute("SELECT c.status, count(*) FROM comments c GROUP BY c.status").fetchall()
        assert dict(rows) == {"approved": 6, "pending": 3, "spam": 1}, rows
        assert db.execute("SELECT count(*) FROM comments WHERE parent_id IS NOT NULL").fetchone()[0] == 3
        for (ip_hash,) in db.execute("SELECT ip_hash FROM comments"):
            assert re.fullmatch(r"[0-9a-f]{32}", ip_hash), ip_hash
        tags = {r[0] for r in db.execute("SELECT name FROM tags")}
        assert {"handovers", "Peer support"} <= tags, tags
        assert db.execute("SELECT count(*) FROM posts WHERE slug = 'about'").fetchone()[0] == 0
        db.close()

        page = s.client().get("/posts/good-handover-note")
        assert page.status == 200
        t = page.text
        assert "4 comments" in t
        assert "<strong>Start with what changed.</strong>" in t
        assert "<blockquote>" in t and "<li>Who might need a check-in" in t
        assert "payable in biscuits" in t and "Maya Okafor" in t
        assert "Is the template still online" not in t         # pending
        assert t.count('class="comment-replies"') == 2          # 101 > 102 > 104
        assert "maya@example.org" not in t
        # Importing again adds no comment twice.
        res = s.cli("import-wordpress", sample)
        assert "(0 new), 0 comments" in res.stdout, res.stdout
        assert s.db().execute("SELECT count(*) FROM comments").fetchone()[0] == 10


def test_hostile_content_is_inert():
    with Site(conf={"min_form_seconds": "0"}) as s:
        body = ('<p>Hi <script>alert(1)</script><img src=x onerror="alert(2)"> '
                '<a href="javascript:alert(3)">bad</a> <a href="https://ok.example/">ok</a></p>'
                '<iframe src="https://evil.example"></iframe>*not emphasis* [not a link](x)')
        comments = (wp_comment(1, "Eve\" onmouseover=\"x", "<script>alert(4)</script>[x](javascript:y)",
                               url="javascript:alert(5)")
                    + wp_comment(2, "Reply", "to one", parent=1)
                    + wp_comment(3, "Orphan", "parent never exported", parent=77))
        path = write(s, "hostile.xml", WXR_HEAD + item("hostile", body, comments) + WXR_TAIL)
        res = s.cli("import-wordpress", path)
        assert "3 comments" in res.stdout, res.stdout
        t = s.client().get("/posts/hostile").text
        for bad in ("<script", "onerror", 'href="javascript', "<iframe", 'onmouseover="x"'):
            assert bad not in t, bad
        assert '<a href="https://ok.example/">ok</a>' in t
        assert "*not emphasis* [not a link](x)" in t
        db = s.db()
        assert db.execute("SELECT url FROM comments WHERE id = 1").fetchone()[0] == ""
        parents = dict(db.execute("SELECT author, parent_id FROM comments").fetchall())
        assert parents["Reply"] == 1 and parents["Orphan"] is None, parents


def test_raw_html_when_allowed():
    with Site(conf={"allow_raw_html": "1"}) as s:
        path = write(s, "raw.xml", WXR_HEAD + item("raw", '<p class="x">Raw <b>html</b></p>') + WXR_TAIL)
        s.cli("import-wordpress", path)
        md = s.db().execute("SELECT body_md FROM posts WHERE slug = 'raw'").fetchone()[0]
        assert md == '<p class="x">Raw <b>html</b></p>', md


def test_drafts_and_other_statuses():
    with Site() as s:
        text = (WXR_HEAD + item("draft-one", "d", status="draft")
                + item("private-one", "p", status="private")
                + item("", "no slug", title="Title Only Here") + WXR_TAIL)
        s.cli("import-wordpress", write(s, "st.xml", text))
        rows = dict(s.db().execute("SELECT slug, draft FROM posts").fetchall())
        assert rows == {"draft-one": 1, "title-only-here": 0}, rows


def test_malformed_files_fail_cleanly():
    with Site() as s:
        deep = "<a>" * 5000 + "</a>" * 5000
        laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                  '<rss><channel>' + item("laughs", "&lol2;") + "</channel></rss>")
        cases = {
            "empty.xml": "",
            "truncated.xml": (WXR_HEAD + item("t", "x"))[:-40],
            "mismatch.xml": WXR_HEAD + "<item></channel>" + WXR_TAIL,
            "deep.xml": deep,
            "binary.xml": b"\x00\x01\x02<rss>",
            "not-rss.xml": "<html><body>hello</body></html>",
            "cdata.xml": WXR_HEAD + "<item><title><![CDATA[never ends",
            "attr.xml": '<rss version="2.0><channel/></rss>',
            "text.xml": "just some words",
        }
        for name, text in cases.items():
            res = s.cli("import-wordpress", write(s, name, text), check=False)
            assert res.returncode == 1, (name, res.returncode, res.stdout, res.stderr)
            assert res.stderr.strip().startswith("parley:"), (name, res.stderr)
            assert len(res.stderr.strip().split("\n")) == 1, (name, res.stderr)
        # Entities from a DTD are never expanded: the text stays as written.
        res = s.cli("import-wordpress", write(s, "laughs.xml", laughs))
        md = s.db().execute("SELECT body_md FROM posts WHERE slug = 'laughs'").fetchone()[0]
        assert len(md) < 100, md
        assert s.cli("import-wordpress", check=False).returncode == 2
        assert s.cli("import-wordpress", "/nonexistent.xml", check=False).returncode == 1
        assert s.db().execute("PRAGMA integrity_check").fetchone()[0] == "ok"


run_tests(globals())

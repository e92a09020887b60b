"""test_public.py: the public blog as readers and feed readers see it, through nginx.

Index and paging, post pages, drafts, tags, search, the Atom feed and the
sitemap, HEAD, 405, ETag/304, security headers, and a blog under a mount point.
"""

import html
import os
import re
import xml.etree.ElementTree as ET

from harness import Site, run_tests

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def check_security_headers(res, what):
    """Every response carries CSP, nosniff and a Referrer-Policy."""
    csp = res.headers.get("content-security-policy", "")
    assert "default-src 'none'" in csp, (what, res.status, res.headers)
    assert "script-src" not in csp or "unsafe-inline" not in csp, (what, csp)
    assert res.headers.get("x-content-type-options") == "nosniff", (what, res.headers)
    assert res.headers.get("referrer-policy"), (what, res.headers)


def check_html_page(res, what):
    """A real HTML page: doctype, lang, title, the main landmark."""
    assert res.headers.get("content-type", "").startswith("text/html"), (what, res.headers)
    text = res.text
    assert text.lstrip().lower().startswith("<!doctype html>"), (what, text[:200])
    assert '<html lang="en">' in text, what
    assert "<title>" in text and '<main id="content"' in text, (what, text[:500])
    assert "<script" not in text.lower(), what


def hrefs(text):
    return re.findall(r'href="([^"]*)"', text)


def pager_link(text, rel):
    """The href of the page's <a rel=REL> (older/newer navigation), or None."""
    for tag in re.findall(r"<a\b[^>]*>", text):
        if re.search(r'\brel="%s"' % rel, tag):
            m = re.search(r'\bhref="([^"]*)"', tag)
            return m.group(1) if m else None
    return None


def post_links(text):
    """Post paths linked from the cards of a listing, in page order, without repeats."""
    out = []
    for h in re.findall(r'<h2 class="card-title"><a href="([^"]+)"', text):
        if h not in out:
            out.append(h)
    return out


def write_posts(s, folder, posts):
    """Write Markdown files for `parley import` (one CLI run for many posts)."""
    path = os.path.join(s.tmp, folder)
    os.makedirs(path, exist_ok=True)
    for i, p in enumerate(posts):
        fm = ["---", "title: %s" % p["title"], "slug: %s" % p["slug"],
              "date: %s" % p["date"], "author: %s" % p.get("author", "Sam Rivera")]
        if p.get("tags"):
            fm.append("tags: %s" % p["tags"])
        if p.get("draft"):
            fm.append("draft: true")
        fm.append("---")
        with open(os.path.join(path, "p%03d.md" % i), "w") as f:
            f.write("\n".join(fm) + "\n" + p.get("body", "Body of %s.\n" % p["title"]))
    os.system("chown -R nobody '%s' 2>/dev/null" % path)
    s.cli("import", path)


# ---------------------------------------------------------------- index, paging, methods

def test_index_paging_and_methods():
    with Site(conf={"min_form_seconds": "0", "posts_per_page": "2"}) as s:
        for i in range(5):
            s.add_post(title="Post number %d" % i, slug="post-%d" % i,
                       date="2026-0%d-10T12:00:00Z" % (i + 1), body="Text %d." % i,
                       tags="numbers")
        s.add_post(title="Unfinished draft", slug="a-draft", date="2026-09-01T00:00:00Z",
                   draft=True, body="Not yet.")
        c = s.client()
        seen = []

        res = c.get("/")
        seen.append(res)
        assert res.status == 200, res.status
        check_html_page(res, "/")
        assert post_links(res.text) == ["/posts/post-4", "/posts/post-3"], post_links(res.text)
        assert "Unfinished draft" not in res.text
        assert pager_link(res.text, "next") == "/page/2", res.text
        assert pager_link(res.text, "prev") is None
        assert 'rel="prev"' not in res.text

        res = c.get("/page/2")
        seen.append(res)
        assert res.status == 200, res.status
        assert post_links(res.text) == ["/posts/post-2", "/posts/post-1"], post_links(res.text)
        assert pager_link(res.text, "prev") == "/" and pager_link(res.text, "next") == "/page/3"
        assert '<link rel="prev" href="/">' in res.text

        res = c.get("/page/3")
        assert res.status == 200, res.status
        assert post_links(res.text) == ["/posts/post-0"], post_links(res.text)
        assert pager_link(res.text, "prev") == "/page/2" and 'rel="next"' not in res.text

        for path in ("/page/4", "/page/0", "/page/abc", "/page/99999", "/page/-1",
                     "/page/02", "/nowhere", "/posts/"):
            res = c.get(path)
            seen.append(res)
            assert res.status == 404, (path, res.status)
            check_html_page(res, path)
            assert "not found" in res.text.lower(), path

        res = c.get("/page/1")
        seen.append(res)
        # /page/1 is the front page under another name: one redirect there.
        assert res.status == 303, res.status
        assert res.headers["location"] in ("/", s.url("/")), res.headers

        # HEAD: the same headers as GET, no body.
        get = c.get("/")
        head = c.head("/")
        seen.append(head)
        assert head.status == 200 and head.body == b"", (head.status, head.body[:100])
        for name in ("content-type", "etag", "last-modified", "content-security-policy"):
            assert head.headers.get(name) == get.headers.get(name), (name, head.headers, get.headers)

        # Other methods: 405 with Allow.
        for method, path in (("POST", "/"), ("PUT", "/posts/post-1"), ("DELETE", "/feed.atom")):
            res = c.request(method, path, body="x=1",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
            seen.append(res)
            assert res.status == 405, (method, path, res.status)
            allow = res.headers.get("allow", "")
            assert "GET" in allow and "HEAD" in allow, (method, path, res.headers)

        seen.append(c.get("/feed.atom"))
        seen.append(c.get("/search?q=" + "x" * 300))
        for res in seen:
            check_security_headers(res, res)


# ---------------------------------------------------------------- one post

def test_post_page():
    with Site(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Tea & <biscuits>", slug="tea-biscuits",
                          date="2026-04-26T09:30:00Z", author="Sam Rivera",
                          tags="Peer work, Unions",
                          body="## A heading\n\nSome *emphasis* and a [link](https://example.org/).\n\n"
                               "> A quote.\n\n```\ncode <here>\n```\n")
        closed = s.add_post(title="Closed one", slug="closed-one", comments="closed",
                            date="2026-04-27T09:30:00Z", body="No talking.")
        draft = s.add_post(title="Secret draft", slug="secret-draft", draft=True,
                           body="Hidden words.")
        c = s.client()
        res = c.get("/posts/" + slug)
        assert res.status == 200, res.status
        check_html_page(res, "post")
        text = res.text
        assert "<title>Tea &amp; &lt;biscuits&gt; — Test blog</title>" in text, text[:800]
        assert "<h1" in text and "Tea &amp; &lt;biscuits&gt;</h1>" in text
        assert "Sam Rivera" in text
        assert '<time datetime="2026-04-26T09:30:00Z">26 April 2026</time>' in text, text
        assert 'href="/tags/peer-work"' in text and 'href="/tags/unions"' in text
        assert "<h2>A heading</h2>" in text and "<em>emphasis</em>" in text
        assert "<blockquote>" in text and "code &lt;here&gt;" in text
        assert 'href="https://example.org/"' in text
        assert 'id="comments"' in text
        assert "No comments yet" in text

        # An approved comment shows in the count, here and on the index.
        db = s.db()
        try:
            pid = db.execute("SELECT id FROM posts WHERE slug = ?", (slug,)).fetchone()[0]
            db.execute("INSERT INTO comments (post_id, status, author, body_md, body_html, "
                       "created_at) VALUES (?, 'approved', 'Ann', 'Hi', '<p>Hi</p>', 1)", (pid,))
            db.commit()
        finally:
            db.close()
        res = c.get("/posts/" + slug)
        assert "1 comment" in res.text, res.text
        res = c.get("/")
        assert "1 comment" in res.text and "No comments yet" in res.text

        assert c.get("/posts/" + closed).status == 200
        for path in ("/posts/" + draft, "/posts/no-such-post", "/posts/Bad%20Slug",
                     "/posts/tea-biscuits/extra"):
            res = c.get(path)
            assert res.status == 404, (path, res.status)
            check_html_page(res, path)
        assert "Hidden words" not in c.get("/").text


# ---------------------------------------------------------------- tags

def test_tags():
    with Site(conf={"min_form_seconds": "0", "posts_per_page": "2"}) as s:
        write_posts(s, "tagged", [
            {"title": "Garden one", "slug": "garden-one", "date": "2026-01-01T10:00:00Z",
             "tags": "Gardens, Community"},
            {"title": "Garden two", "slug": "garden-two", "date": "2026-02-01T10:00:00Z",
             "tags": "Gardens"},
            {"title": "Garden three", "slug": "garden-three", "date": "2026-03-01T10:00:00Z",
             "tags": "gardens"},
            {"title": "Not a garden", "slug": "not-garden", "date": "2026-04-01T10:00:00Z",
             "tags": "Community"},
            {"title": "Draft garden", "slug": "draft-garden", "date": "2026-05-01T10:00:00Z",
             "tags": "Gardens", "draft": True},
        ])
        c = s.client()
        res = c.get("/tags/gardens")
        assert res.status == 200, res.status
        check_html_page(res, "tag")
        assert "<h1" in res.text and "ardens" in res.text
        assert post_links(res.text) == ["/posts/garden-three", "/posts/garden-two"], \
            post_links(res.text)
        assert pager_link(res.text, "next") == "/tags/gardens/page/2", res.text
        res = c.get("/tags/gardens/page/2")
        assert res.status == 200, res.status
        assert post_links(res.text) == ["/posts/garden-one"], post_links(res.text)
        assert pager_link(res.text, "prev") == "/tags/gardens"
        assert c.get("/tags/gardens/page/3").status == 404
        assert c.get("/tags/gardens/page/x").status == 404
        res = c.get("/tags/community")
        assert post_links(res.text) == ["/posts/not-garden", "/posts/garden-one"]
        for path in ("/tags/nothing-here", "/tags/UPPER", "/tags/%3Cscript%3E"):
            res = c.get(path)
            assert res.status == 404, (path, res.status)
            check_html_page(res, path)


# ---------------------------------------------------------------- search

def test_search():
    with Site(conf={"min_form_seconds": "0"}) as s:
        write_posts(s, "search", [
            {"title": "Allotment diaries", "slug": "allotment", "date": "2026-01-01T10:00:00Z",
             "tags": "Gardens",
             "body": "We dug the beds and planted leeks. Use `<b>bold</b>` tags sparingly.\n"},
            {"title": "Leeks again", "slug": "leeks-again", "date": "2026-02-01T10:00:00Z",
             "body": "More about the vegetables we grew this year.\n"},
            {"title": "Draft about leeks", "slug": "draft-leeks", "date": "2026-03-01T10:00:00Z",
             "draft": True, "body": "Leeks leeks leeks.\n"},
        ])
        c = s.client()

        res = c.get("/search")
        assert res.status == 200, res.status
        check_html_page(res, "search form")
        assert 'name="q"' in res.text and '<label for="search-q"' in res.text
        res = c.get("/search?q=")
        assert res.status == 200 and 'name="q"' in res.text

        # A body word, with a highlighted snippet.
        res = c.get("/search?q=planted")
        assert res.status == 200, res.status
        assert "/posts/allotment" in res.text and "/posts/leeks-again" not in res.text
        assert "<mark>planted</mark>" in res.text, res.text

        # A title word: the title match ranks first; drafts never show.
        res = c.get("/search?q=leeks")
        assert res.status == 200
        links = re.findall(r'<h3 class="result-title"><a href="([^"]+)"', res.text)
        assert links == ["/posts/leeks-again", "/posts/allotment"], links
        assert "draft-leeks" not in res.text

        # HTML in the text is escaped in the snippet; the query is escaped in the page.
        res = c.get("/search?q=bold")
        assert "&lt;b&gt;<mark>bold</mark>&lt;/b&gt;" in res.text, res.text
        assert "<b>bold" not in res.text
        res = c.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        assert res.status == 200, res.status
        assert "<script>" not in res.text and "&lt;script&gt;" in res.text

        # FTS5 syntax is not passed through.
        for q in ('%22', '(', 'leeks+OR', 'NEAR(a+b)', '*', 'a%22b', '-leeks', 'title%3Aleeks'):
            res = c.get("/search?q=" + q)
            assert res.status == 200, (q, res.status)

        # No results: still a page.
        res = c.get("/search?q=zeppelin")
        assert res.status == 200 and "Nothing matched" in res.text

        # Too long or not UTF-8: 400 with a page, never 5xx.
        for q in ("a" * 201, "%FF%FE", "%C3%28", "ab%00cd"):
            res = c.get("/search?q=" + q)
            assert res.status == 400, (q[:20], res.status)
            check_html_page(res, "search 400")
        assert c.get("/search?q=" + "a" * 200).status == 200


# ---------------------------------------------------------------- feeds

def test_feed_and_sitemap():
    with Site(conf={"min_form_seconds": "0"}) as s:
        posts = [{"title": "Entry %02d & more" % i, "slug": "entry-%02d" % i,
                  "date": "2025-%02d-%02dT08:00:00Z" % (1 + i // 28, 1 + i % 28),
                  "tags": "Feeds", "body": "Paragraph with *emphasis* number %d.\n" % i}
                 for i in range(23)]
        posts.append({"title": "Feed draft", "slug": "feed-draft",
                      "date": "2026-12-01T08:00:00Z", "draft": True})
        write_posts(s, "feed", posts)
        c = s.client()
        res = c.get("/feed.atom")
        assert res.status == 200, res.status
        assert res.headers["content-type"].startswith("application/atom+xml"), res.headers
        check_security_headers(res, "feed")
        root = ET.fromstring(res.body)
        assert root.tag == ATOM + "feed", root.tag
        assert root.find(ATOM + "title").text == "Test blog"
        assert RFC3339.match(root.find(ATOM + "updated").text), root.find(ATOM + "updated").text
        assert root.find(ATOM + "id").text
        self_link = [l for l in root.findall(ATOM + "link") if l.get("rel") == "self"]
        assert self_link and self_link[0].get("href") == s.url("/feed.atom"), self_link
        entries = root.findall(ATOM + "entry")
        assert len(entries) == 20, len(entries)
        ids = set()
        for i, e in enumerate(entries):
            n = 22 - i        # newest first
            assert e.find(ATOM + "title").text == "Entry %02d & more" % n, e.find(ATOM + "title").text
            link = e.find(ATOM + "link").get("href")
            assert link == s.url("/posts/entry-%02d" % n), link
            ids.add(e.find(ATOM + "id").text)
            assert RFC3339.match(e.find(ATOM + "updated").text)
            content = e.find(ATOM + "content")
            assert content.get("type") == "html"
            assert "<em>emphasis</em> number %d" % n in content.text, content.text
            assert e.find(ATOM + "author/" + ATOM + "name").text == "Sam Rivera"
        assert len(ids) == 20
        assert b"Feed draft" not in res.body

        res = c.get("/sitemap.xml")
        assert res.status == 200, res.status
        assert res.headers["content-type"].startswith("application/xml"), res.headers
        root = ET.fromstring(res.body)
        assert root.tag == SITEMAP + "urlset", root.tag
        locs = [u.find(SITEMAP + "loc").text for u in root.findall(SITEMAP + "url")]
        assert s.url("/") in locs, locs[:3]
        for i in range(23):
            assert s.url("/posts/entry-%02d" % i) in locs, i
        assert s.url("/posts/feed-draft") not in locs
        assert all(l.startswith(s.base_url) for l in locs), locs


# ---------------------------------------------------------------- validators

def test_etag_and_304():
    with Site(conf={"min_form_seconds": "0"}) as s:
        s.add_post(title="Cached", slug="cached", date="2026-02-02T10:00:00Z", body="Version one.")
        c = s.client()
        for path in ("/", "/posts/cached", "/feed.atom", "/sitemap.xml", "/tags/x-none"):
            res = c.get(path)
            if res.status != 200:
                continue
            etag = res.headers.get("etag")
            assert etag, (path, res.headers)
            assert res.headers.get("last-modified"), (path, res.headers)
            again = c.get(path, headers={"If-None-Match": etag})
            assert again.status == 304, (path, again.status)
            assert again.body == b"", (path, again.body[:80])
            check_security_headers(again, path)
            other = c.get(path, headers={"If-None-Match": '"something-else"'})
            assert other.status == 200, (path, other.status)

        res = c.get("/posts/cached")
        old = res.headers["etag"]
        s.add_post(title="Cached", slug="cached", date="2026-02-02T10:00:00Z", body="Version two.")
        res = c.get("/posts/cached", headers={"If-None-Match": old})
        assert res.status == 200, res.status
        assert "Version two." in res.text
        assert res.headers["etag"] != old


# ---------------------------------------------------------------- mount point

def test_mount_point():
    with Site(conf={"min_form_seconds": "0", "base_url": "http://127.0.0.1:{port}/blog",
                    "posts_per_page": "1"}) as s:
        assert s.mount == "/blog", s.mount
        s.add_post(title="Mounted one", slug="mounted-one", tags="Deep",
                   date="2026-01-01T00:00:00Z")
        s.add_post(title="Mounted two", slug="mounted-two", date="2026-01-02T00:00:00Z")
        c = s.client()
        res = c.get("/blog/")
        assert res.status == 200, res.status
        check_html_page(res, "mounted index")
        links = hrefs(res.text)
        assert "/blog/posts/mounted-two" in links, links
        assert "/blog/static/parley.css" in links and "/blog/page/2" in links, links
        assert s.url("/feed.atom") in links, links
        local = [h for h in links if h.startswith("/")]
        assert all(h.startswith("/blog/") for h in local), local
        css = c.get("/blog/static/parley.css")
        assert css.status == 200 and b"prefers-color-scheme" in css.body, css.status
        res = c.get("/blog/posts/mounted-one")
        assert res.status == 200 and 'href="/blog/tags/deep"' in res.text
        assert c.get("/blog/tags/deep").status == 200
        res = c.get("/blog/page/1")
        if res.status == 303:
            assert res.headers["location"] in ("/blog/", s.url("/")), res.headers
        assert c.get("/blog/page/9").status == 404
        root = ET.fromstring(c.get("/blog/feed.atom").body)
        hrefs_feed = [l.get("href") for l in root.iter(ATOM + "link")]
        assert s.url("/posts/mounted-two") in hrefs_feed, hrefs_feed
        assert all(h.startswith(s.base_url) for h in hrefs_feed), hrefs_feed
        locs = [u.text for u in ET.fromstring(c.get("/blog/sitemap.xml").body).iter(SITEMAP + "loc")]
        assert s.url("/posts/mounted-one") in locs, locs


run_tests(globals())

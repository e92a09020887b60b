"""test_comments_hostile.py: hostile comment input never renders as live markup, on the page, the refilled form or the feed."""

import html.parser
import re
import urllib.parse

from harness import Site, run_tests

FAST = {"min_form_seconds": "0", "comments_per_minute": "1000"}

UNSAFE_SCHEME = re.compile(r"^\s*(javascript|data|vbscript)\s*:", re.I)


class _Live(html.parser.HTMLParser):
    """Collect what a browser would treat as live: script-capable tags, event
    attributes, and links or sources with an unsafe scheme."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "base", "form") \
                and not (tag == "form" and dict(attrs).get("id") in ("comment-form", "like", None)):
            self.found.append("<%s>" % tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append("<%s %s=%r>" % (tag, name, value))
            if name in ("href", "src", "action", "formaction", "xlink:href") and value \
                    and UNSAFE_SCHEME.match(value):
                self.found.append("<%s %s=%r>" % (tag, name, value))
            if name == "style" and tag != "html":
                self.found.append("<%s style=%r>" % (tag, value))

    handle_startendtag = handle_starttag


def live_markup(text):
    """What in text would run or navigate to script in a browser (empty when inert)."""
    p = _Live()
    p.feed(text)
    p.close()
    return p.found


BODIES = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "![i](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    '<iframe src="https://evil.example"></iframe>',
    "</textarea><script>alert(1)</script>",
    '<div onmouseover="alert(1)">hover</div>',
    "`<script>` is fine as code",
]

AUTHORS = [
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    'Ann" onmouseover="alert(1)',
    "<img src=x onerror=alert(1)>",
]


def approve_all(s):
    ids = s.db().execute("SELECT id FROM comments WHERE status = 'pending'").fetchall()
    if ids:
        s.cli("comments", "approve", *[i[0] for i in ids])


def comment_rows(s):
    return s.db().execute("SELECT count(*) FROM comments").fetchone()[0]


def test_hostile_bodies_and_names_render_inert():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Hostile", body="Nothing live here.")
        c = s.client()
        for i, body in enumerate(BODIES):         # a form's token is good for one comment
            res = c.form("/posts/" + slug).submit({"author": "Body %d" % i, "comment": body})
            assert res.status == 303, (body, res.status, res.text[:500])
        for author in AUTHORS:
            res = c.form("/posts/" + slug).submit({"author": author, "comment": "name test",
                               "url": "https://example.org/?q=\u00e9&x=1"})
            assert res.status == 303, (author, res.status, res.text[:500])
        approve_all(s)
        page = s.client().get("/posts/" + slug)
        assert page.status == 200
        found = live_markup(page.text)
        assert not found, found
        assert page.text.count('class="comment"') == len(BODIES) + len(AUTHORS)
        # What was typed is still there, as text.
        assert "&lt;script&gt;" in page.text
        assert "Ann&quot; onmouseover=&quot;alert(1)" in page.text
        # And as plain strings (escaped text may still say onerror=, inertly).
        assert "<script" not in page.text and "<img src=x" not in page.text
        assert 'onerror="' not in page.text and "<div onmouseover" not in page.text
        assert 'href="javascript:' not in page.text.lower()
        # Every link a comment holds is http(s), relative or empty.
        for href in re.findall(r'href="([^"]*)"', page.text):
            assert re.match(r"(https?:|/|#|$)", href), href
        feed = s.client().get("/posts/%s/comments.atom" % slug)
        assert feed.status == 200
        # In the feed the HTML is escaped text: no raw tag of a comment survives.
        assert "<script" not in feed.text and "<img" not in feed.text
        assert not live_markup(feed.text), live_markup(feed.text)


def test_safe_links_get_rel():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Links")
        c = s.client()
        res = c.form("/posts/" + slug).submit({
            "author": "Linker", "comment": "[site](https://example.org) and <https://auto.example>"})
        assert res.status == 303
        approve_all(s)
        t = s.client().get("/posts/" + slug).text
        assert '<a rel="nofollow ugc" href="https://example.org">site</a>' in t, t
        assert '<a rel="nofollow ugc" href="https://auto.example">' in t


def test_hostile_input_refilled_on_422():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Refill")
        c = s.client()
        form = c.form("/posts/" + slug)
        res = form.submit({"author": "", "comment": "</textarea><script>alert(1)</script>",
                           "email": '"><script>alert(2)</script>',
                           "url": 'https://x.example/" onmouseover="alert(1)'})
        assert res.status == 422, res.status
        assert not live_markup(res.text), live_markup(res.text)
        assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in res.text
        assert "<script" not in res.text
        res = form.submit({"author": 'Ann" autofocus onfocus="alert(1)', "comment": "",
                           "url": "javascript:alert(1)"})
        assert res.status == 422, res.status
        assert not live_markup(res.text), live_markup(res.text)
        assert 'value="Ann&quot; autofocus onfocus=&quot;alert(1)"' in res.text
        assert 'aria-invalid="true" aria-describedby="comment-url-error"' in res.text
        assert comment_rows(s) == 0


def test_invalid_utf8_and_nul_in_every_field():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Bytes")
        c = s.client()
        form = c.form("/posts/" + slug)
        good = dict(form.fields, author="Ann", comment="Hello", email="ann@example.org",
                    url="https://ann.example", parent="")
        for field in ("author", "email", "url", "comment"):
            for bad in ("%FF", "%00", "%C3%28", "%ED%A0%80", "%1B"):
                pairs = []
                for name, value in good.items():
                    enc = urllib.parse.quote_plus(value)
                    if name == field:
                        enc = enc[:1] + bad + enc[1:]
                    pairs.append("%s=%s" % (name, enc))
                res = c.request("POST", form.action, body="&".join(pairs),
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
                assert res.status == 422, (field, bad, res.status)
                assert 'id="comment-form"' in res.text
                assert "\x00" not in res.text and "\ufffd" not in res.text, (field, bad)
        for bad in ("%FF", "%00"):
            pairs = "&".join("%s=%s" % (n, urllib.parse.quote_plus(v))
                             for n, v in good.items() if n != "parent")
            res = c.request("POST", form.action, body=pairs + "&parent=1" + bad,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert res.status == 422, (bad, res.status)
        assert comment_rows(s) == 0
        # Sane bytes of every script are fine.
        res = form.submit({"author": "Zoë 李 Ωmega", "comment": "Ça va? 😀 мир"})
        assert res.status == 303, res.status
        approve_all(s)
        assert "Zoë 李 Ωmega" in s.client().get("/posts/" + slug).text


def test_wrong_content_type_and_odd_requests():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Odd")
        c = s.client()
        res = c.request("POST", "/posts/%s/comments" % slug, body="author=a&comment=b",
                        headers={"Content-Type": "text/plain"})
        assert res.status == 415, res.status
        res = c.request("POST", "/posts/%s/comments" % slug, body="%%%&&==&author=%zz",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert res.status == 422, res.status
        res = c.get("/posts/%s?reply=%s" % (slug, urllib.parse.quote('"><script>x')))
        assert res.status == 200 and not live_markup(res.text)
        res = c.get("/posts/%s?reply=-1" % slug)
        assert res.status == 200 and "Replying to" not in res.text
        assert comment_rows(s) == 0


def test_stored_unsafe_url_is_not_linked():
    """A website that did not come through the form (sqlite3, an import) is never a link."""
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Old data", body="Rows from elsewhere.")
        conn = s.db()
        post_id = conn.execute("SELECT id FROM posts WHERE slug = ?", (slug,)).fetchone()[0]
        for i, url in enumerate(["javascript:alert(1)", "data:text/html,x", "https://ok.example/"]):
            conn.execute("INSERT INTO comments (post_id, status, author, url, body_md, body_html,"
                         " created_at) VALUES (?, 'approved', ?, ?, 'x', '<p>x</p>', ?)",
                         (post_id, "Writer %d" % i, url, 1000 + i))
        conn.commit()
        conn.close()
        page = s.client().get("/posts/" + slug).text
        assert 'href="javascript:' not in page and 'href="data:' not in page, page
        assert 'href="https://ok.example/"' in page, page
        feed = s.client().get("/posts/%s/comments.atom" % slug).text
        assert "javascript:alert(1)</uri>" not in feed and "<uri>data:" not in feed, feed


run_tests(globals())

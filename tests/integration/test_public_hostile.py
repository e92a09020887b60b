"""test_public_hostile.py: the public side under hostile text and requests: feeds stay
well-formed XML, characters XML cannot carry never reach a page, one visitor's
private state never reaches another, and bad requests get 4xx."""

import re
import xml.etree.ElementTree as ET

from harness import Site, run_tests

FAST = {"min_form_seconds": "0", "comments_per_minute": "1000"}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# Bytes XML 1.0 has no place for (C0 controls but tab, LF, CR; U+FFFE, U+FFFF),
# and the C1 controls and noncharacters HTML calls parse errors.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")

TITLE = 'Tom & Jerry <b>"quoted"</b> ]]> it\'s'
# Character references cmark turns into the characters themselves.
REFS = "ctl &#1; &#x1F; &#127; &#x85; &#xFFFE; &#xFDD0; end"


def parse_xml(res, what):
    assert res.status == 200, (what, res.status)
    try:
        return ET.fromstring(res.body)
    except ET.ParseError as e:
        raise AssertionError("%s is not well-formed XML: %s\n%r" % (what, e, res.body[:2000]))


def test_feeds_stay_well_formed():
    with Site(conf=FAST) as s:
        slug = s.add_post(title=TITLE, body="Post " + REFS + "\n", tags=["R&D <x>"])
        c = s.client()
        form = c.form("/posts/" + slug)
        res = form.submit({"author": 'Ann & <b>"Bo"</b> ]]>', "comment": "Reply " + REFS,
                           "url": "https://e.example/?a=1&b=2"})
        assert res.status == 303, res.status
        ids = [str(r[0]) for r in s.db().execute("SELECT id FROM comments").fetchall()]
        s.cli("comments", "approve", *ids)

        feed = parse_xml(c.get("/feed.atom"), "feed.atom")
        entry = feed.find(ATOM + "entry")
        assert entry.find(ATOM + "title").text == TITLE, entry.find(ATOM + "title").text
        assert entry.find(ATOM + "category").get("label") == "R&D <x>"
        content = entry.find(ATOM + "content").text
        assert "ctl" in content and "end" in content, content
        assert not FORBIDDEN.search(content), repr(content)

        comments = parse_xml(c.get("/posts/%s/comments.atom" % slug), "comments.atom")
        centry = comments.find(ATOM + "entry")
        assert centry.find(ATOM + "author/" + ATOM + "name").text == 'Ann & <b>"Bo"</b> ]]>'
        assert centry.find(ATOM + "author/" + ATOM + "uri").text == "https://e.example/?a=1&b=2"
        content = centry.find(ATOM + "content").text
        assert "Reply ctl" in content and not FORBIDDEN.search(content), repr(content)
        assert TITLE in comments.find(ATOM + "title").text

        sitemap = parse_xml(c.get("/sitemap.xml"), "sitemap.xml")
        locs = [u.find(SITEMAP + "loc").text for u in sitemap.findall(SITEMAP + "url")]
        assert any(loc.endswith("/posts/" + slug) for loc in locs), locs

        for path in ("/", "/posts/" + slug, "/search?q=ctl"):
            page = c.get(path)
            assert page.status == 200, (path, page.status)
            bad = FORBIDDEN.search(page.text)
            assert bad is None, (path, repr(page.text[max(0, bad.start() - 40):bad.end() + 40]))


def test_noncharacters_are_refused():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Plain", body="Text.")
        c = s.client()
        form = c.form("/posts/" + slug)
        for field, value in (("author", "Ann\ufffeBo"), ("comment", "Hi \uffff there"),
                             ("author", "Z\ufdd0")):
            res = form.submit({"author": "Ann", "comment": "Hi", field: value})
            assert res.status == 422, (field, res.status)
            assert "cannot be stored" in res.text, (field, res.text[-3000:])
            assert not FORBIDDEN.search(res.text), field
        assert s.db().execute("SELECT count(*) FROM comments").fetchone()[0] == 0
        res = c.get("/search?q=a%EF%BF%BEb")
        assert res.status == 400, res.status


def test_private_state_stays_private():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Shared", body="Text.")
        path = "/posts/" + slug
        alice, bob = s.client(), s.client()
        assert bob.get(path).status == 200            # the page is in the cache now
        form = alice.form(path)
        res = form.submit({"author": "Alice Private", "comment": "alice-secret-words"})
        assert res.status == 303, res.status
        mine = alice.get(path)
        assert "alice-secret-words" in mine.text and "awaiting moderation" in mine.text
        # Caches on the way must not keep Alice's page for others, and no
        # cache may show her the copy from before her comment.
        cache = [v.strip() for v in mine.headers.get("cache-control", "").split(",")]
        assert "private" in cache and "no-cache" in cache, cache
        again = alice.get(path, headers={"If-None-Match": mine.headers["etag"]})
        assert again.status == 304 and "private" in again.headers.get("cache-control", "")
        # Bob's page holds a comment-form token of his own (good for one
        # comment): private too; a page without a form is for everyone.
        public = bob.get(path).headers.get("cache-control", "")
        assert public == "private, no-cache", public
        public = bob.get("/").headers.get("cache-control", "")
        assert public == "no-cache", public
        # A 422 page holds the reader's values: it must not be kept for others.
        res = form.submit({"author": "", "comment": "alice-draft-words",
                           "email": "alice@private.example"})
        assert res.status == 422, res.status
        assert "alice-draft-words" in res.text
        for client in (bob, s.client()):
            page = client.get(path)
            assert page.status == 200
            for secret in ("Alice Private", "alice-secret-words", "alice-draft-words",
                           "alice@private.example", "awaiting moderation"):
                assert secret not in page.text, secret
        # HEAD and GET agree, from the cache or not.
        head, get = bob.head(path), bob.get(path)
        assert head.status == get.status == 200
        assert head.body == b"" and head.headers["content-length"] == str(len(get.body))
        assert head.headers["etag"] == get.headers["etag"]
        # Approval moves the validator: the old ETag no longer gets 304.
        old = get.headers["etag"]
        assert bob.get(path, headers={"If-None-Match": old}).status == 304
        cid = s.db().execute("SELECT id FROM comments").fetchone()[0]
        s.cli("comments", "approve", str(cid))
        res = bob.get(path, headers={"If-None-Match": old})
        assert res.status == 200 and "alice-secret-words" in res.text, res.status
        assert "awaiting moderation" not in res.text
        s.cli("comments", "reject", str(cid))
        res = bob.get(path, headers={"If-None-Match": res.headers["etag"]})
        assert res.status == 200 and "alice-secret-words" not in res.text, res.status


def test_bad_requests_are_4xx():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Target", body="Text.")
        c = s.client()
        for path in ("/posts/../" + slug, "/posts/%2e%2e/x", "/posts/a%2Fb", "//evil.example/",
                     "/posts//" + slug, "/posts/%00", "/posts/%zz", "/" + "a" * 5000,
                     "/search?" + "&".join("x%d=1" % i for i in range(10000))[:6000],
                     "/search?q=%ff", "/page/0", "/page/99999999999", "/tags/%3Cx%3E"):
            res = c.get(path)
            assert 400 <= res.status < 500, (path[:60], res.status)
            assert "location" not in res.headers, (path[:60], res.headers)
        for path in ("/page/1", "/tags/x/page/1"):
            res = c.get(path)
            loc = res.headers.get("location", "")
            assert res.status == 303 and loc.startswith("/") and not loc.startswith("//"), loc
        action = "/posts/%s/comments" % slug
        for body, ctype in (("author=a&comment=b&parent=abc", None),
                            ("author=a&comment=b&parent=1", None),
                            ("author=a", None), ("", None),
                            ("author=a&comment=b", "text/plain"),
                            ("author=%ff&comment=%00", None)):
            headers = {"Content-Type": ctype} if ctype else None
            res = c.request("POST", action, body=body, headers=dict(
                {"Content-Type": "application/x-www-form-urlencoded"}, **(headers or {})))
            assert 400 <= res.status < 500, (body, ctype, res.status)
        res = c.request("POST", action, body="author=a&comment=b", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "99999999999"})
        assert res.status == 413, res.status
        assert s.db().execute("SELECT count(*) FROM comments").fetchone()[0] == 0


run_tests(globals())

"""test_microcache.py: contrib/nginx's micro-cache samples, as written, in front of parley-blog.

The harness's nginx gets parley-microcache-http.conf (the cache folder moved
to the test's) and parley-microcache.conf in its `location /`, plus an
X-Cache-Status header to see what nginx did.  Anonymous pages without a
form are stored and served again; post pages (each reader's form token is
their own), a reader holding one of parley's cookies, and every POST reach
parley; a change shows in cached pages once the 5 seconds are over.
"""

import os
import re
import time

from harness import IS_ROOT, RUN_USER, SOURCE_DIR, Site, run_tests

CONTRIB = os.path.join(SOURCE_DIR, "contrib", "nginx")
LIFETIME = 5        # seconds: fastcgi_cache_valid in parley-microcache.conf


class MicrocacheSite(Site):
    """form_map=False leaves out the sample's map that skips post pages by
    their address, to see parley's own X-Accel-Expires keep them out."""

    def __init__(self, *args, form_map=True, **kwargs):
        self.form_map = form_map
        super().__init__(*args, **kwargs)

    def _nginx_conf(self):
        conf = super()._nginx_conf()
        cache = os.path.join(self.tmp, "microcache")
        os.makedirs(cache, exist_ok=True)
        if IS_ROOT:
            import pwd
            pw = pwd.getpwnam(RUN_USER)
            os.chown(cache, pw.pw_uid, pw.pw_gid)
        with open(os.path.join(CONTRIB, "parley-microcache-http.conf")) as f:
            http = f.read()
        assert "/var/cache/nginx/parley" in http
        http = http.replace("/var/cache/nginx/parley", cache)
        if not self.form_map:
            assert '"~/posts/[^/]+$" 1;' in http
            http = http.replace('"~/posts/[^/]+$" 1;', "")
        http_path = os.path.join(self.tmp, "microcache-http.conf")
        with open(http_path, "w") as f:
            f.write(http)
        location = ("            fastcgi_pass blog;\n"
                    "            include %s;\n"
                    "            add_header X-Cache-Status $upstream_cache_status always;\n"
                    % os.path.join(CONTRIB, "parley-microcache.conf"))
        assert conf.count("            fastcgi_pass blog;\n") == 1, conf
        conf = conf.replace("            fastcgi_pass blog;\n", location)
        return conf.replace("http {\n", "http {\n    include %s;\n" % http_path, 1)


def _status(res):
    return res.headers.get("x-cache-status")


def _fresh(client, path, words):
    """Does path show words once the cached copy (LIFETIME) has expired?"""
    time.sleep(LIFETIME + 1)
    for _ in range(20):             # the first may be the stale copy (UPDATING)
        if words in client.get(path).text:
            return True
        time.sleep(0.2)
    return False


def test_anonymous_pages_are_cached_and_cookies_skip_the_cache():
    with MicrocacheSite(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Cached post", body="Read by many.")
        anon = s.client()
        first = anon.get("/")
        assert first.status == 200 and _status(first) == "MISS", (first, first.headers)
        again = anon.get("/")
        assert again.status == 200 and _status(again) == "HIT", again.headers
        assert again.body == first.body
        assert "default-src" in again.headers.get("content-security-policy", ""), again.headers
        # nginx answers the browser's revalidation of its copy itself.
        etag = again.headers.get("etag")
        assert etag, again.headers
        res = anon.get("/", headers={"If-None-Match": etag})
        assert res.status == 304 and _status(res) == "HIT", (res.status, res.headers)
        # HEAD (its own entry: it has no body), a tag page, a feed and a 404 are cached too.
        for method, path in (("HEAD", "/"), ("GET", "/feed.atom"), ("GET", "/tags"),
                             ("GET", "/no-such-page")):
            anon.request(method, path)
            res = anon.request(method, path)
            assert _status(res) == "HIT", (method, path, res.status, res.headers)
            if method == "HEAD":
                assert res.status == 200 and not res.body, res.headers
        # The post page, with its comment form, always comes from parley.
        for _ in range(2):
            res = anon.get("/posts/" + slug)
            assert res.status == 200 and _status(res) != "HIT", res.headers

        # Each of parley's reader cookies sends the reader to parley.
        for cookie in ("parley_mine=1.2.x", "parley_reader=x", "parley_likes=x",
                       "other=1; parley_likes=x"):
            res = s.client().get("/", headers={"Cookie": cookie})
            assert res.status == 200 and _status(res) == "BYPASS", (cookie, res.headers)
        # Another cookie does not: the copy comes from the cache (the stale one
        # while nginx refreshes it, when the 5 s have run out on a slow machine).
        res = s.client().get("/", headers={"Cookie": "notparley_x=1"})
        assert _status(res) in ("HIT", "STALE", "UPDATING"), res.headers

        # A comment is a POST: parley takes it, and its author's page (with
        # the cookie it set) is theirs, not the cache's.
        reader = s.client()
        res = reader.form("/posts/" + slug).submit(
            {"author": "Robin", "comment": "Not from the cache."})
        assert res.status == 303 and _status(res) in (None, "BYPASS"), res.headers
        assert reader.cookie("parley_mine"), res.header_all("set-cookie")
        own = reader.get("/posts/" + slug)
        assert _status(own) == "BYPASS" and "Not from the cache." in own.text, own.headers

        # Approved, it shows on the post page at once; the index's count
        # reaches anonymous readers once the cached copy expires.
        assert "No comments yet" in anon.get("/").text
        conn = s.db()
        (cid,) = conn.execute("SELECT id FROM comments WHERE author = 'Robin'").fetchone()
        conn.close()
        s.cli("comments", "approve", cid)
        assert "Not from the cache." in anon.get("/posts/" + slug).text
        assert "No comments yet" in anon.get("/").text
        assert _fresh(anon, "/", "1 comment"), "the approved comment's count never reached the index"


def _token(page):
    m = re.search(r'name="token" value="([^"]+)"', page.text) or \
        re.search(r'value="([^"]+)" name="token"', page.text)
    assert m, page.text[:2000]
    return m.group(1)


def _two_readers(form_map):
    """Two readers who open one post page within the cache's lifetime each get
    a form token of their own, and both comments are taken: a token is good
    for one comment, so a shared one would file the second as spam."""
    with MicrocacheSite(conf={"min_form_seconds": "0"}, form_map=form_map) as s:
        slug = s.add_post(title="Busy post", body="Everyone is reading this.")
        first, second = s.client(), s.client()
        form1 = first.form("/posts/" + slug)
        form2 = second.form("/posts/" + slug)
        assert form1.page.status == 200 and form2.page.status == 200
        # The post page with its live token never comes from nginx's cache.
        assert _status(form2.page) != "HIT", form2.page.headers
        assert _token(form1.page) != _token(form2.page)
        assert form1.fields["token"] != form2.fields["token"]
        # nginx sees to it that X-Accel-Expires never reaches the browser.
        assert "x-accel-expires" not in form2.page.headers, form2.page.headers
        # A shared cache may not keep a page made for one reader.
        assert "private" in form2.page.headers.get("cache-control", ""), form2.page.headers
        res1 = form1.submit({"author": "First", "comment": "First reader's words."})
        res2 = form2.submit({"author": "Second", "comment": "Second reader's words."})
        assert res1.status == 303 and res2.status == 303, (res1, res2)
        conn = s.db()
        rows = dict(conn.execute("SELECT author, status FROM comments").fetchall())
        conn.close()
        assert rows == {"First": "pending", "Second": "pending"}, rows
        # Each sees their own comment, awaiting moderation.
        for reader, words in ((first, "First reader's words."), (second, "Second reader's words.")):
            own = reader.get("/posts/" + slug)
            assert own.status == 200 and words in own.text, own.text[:2000]

        # The pages without a form are still served by nginx, and the post
        # page still revalidates: the browser's ETag reaches parley, 304.
        anon = s.client()
        anon.get("/")
        assert _status(anon.get("/")) == "HIT"
        anon.get("/feed.atom")
        assert _status(anon.get("/feed.atom")) == "HIT"
        page = anon.get("/posts/" + slug)
        etag = page.headers.get("etag")
        assert etag, page.headers
        again = anon.get("/posts/" + slug, headers={"If-None-Match": etag})
        # (Without the map nginx treats the page as cacheable and drops
        # If-None-Match on the way: a full answer, still the reader's own.)
        assert again.status == (304 if form_map else 200), (again.status, again.headers)
        assert form_map or _token(again) != _token(page)




def test_readers_inside_the_window_get_their_own_form_token():
    _two_readers(form_map=True)


def test_parley_keeps_form_pages_out_of_the_cache_by_itself():
    """A site whose nginx does not know post pages (the sample's map left
    out, or a theme with a form elsewhere): X-Accel-Expires still keeps them out."""
    _two_readers(form_map=False)


if __name__ == "__main__":      # test_redirects imports MicrocacheSite
    run_tests(globals())

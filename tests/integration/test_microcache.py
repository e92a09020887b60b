"""test_microcache.py: contrib/nginx's micro-cache samples, as written, in front of parley-blog.

The harness's nginx gets parley-microcache-http.conf (the cache folder moved
to the test's) and parley-microcache.conf in its `location /`, plus an
X-Cache-Status header to see what nginx did.  Anonymous pages are stored
and served again; a reader holding one of parley's cookies, and every
POST, reach parley; a change shows once the 5 seconds are over.
"""

import os
import time

from harness import IS_ROOT, RUN_USER, SOURCE_DIR, Site, run_tests

CONTRIB = os.path.join(SOURCE_DIR, "contrib", "nginx")
LIFETIME = 5        # seconds: fastcgi_cache_valid in parley-microcache.conf


class MicrocacheSite(Site):
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
        http_path = os.path.join(self.tmp, "microcache-http.conf")
        with open(http_path, "w") as f:
            f.write(http.replace("/var/cache/nginx/parley", cache))
        location = ("            fastcgi_pass blog;\n"
                    "            include %s;\n"
                    "            add_header X-Cache-Status $upstream_cache_status always;\n"
                    % os.path.join(CONTRIB, "parley-microcache.conf"))
        assert conf.count("            fastcgi_pass blog;\n") == 1, conf
        conf = conf.replace("            fastcgi_pass blog;\n", location)
        return conf.replace("http {\n", "http {\n    include %s;\n" % http_path, 1)


def _status(res):
    return res.headers.get("x-cache-status")


def test_anonymous_pages_are_cached_and_cookies_skip_the_cache():
    with MicrocacheSite(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Cached post", body="Read by many.")
        anon = s.client()
        first = anon.get("/posts/" + slug)
        assert first.status == 200 and _status(first) == "MISS", (first, first.headers)
        again = anon.get("/posts/" + slug)
        assert again.status == 200 and _status(again) == "HIT", again.headers
        assert again.body == first.body
        assert "default-src" in again.headers.get("content-security-policy", ""), again.headers
        # HEAD (its own entry: it has no body) and a 404 are cached too.
        anon.head("/posts/" + slug)
        head = anon.head("/posts/" + slug)
        assert head.status == 200 and _status(head) == "HIT" and not head.body, head.headers
        anon.get("/posts/no-such-post")
        missing = anon.get("/posts/no-such-post")
        assert missing.status == 404 and _status(missing) == "HIT", missing.headers

        # Each of parley's reader cookies sends the reader to parley.
        for cookie in ("parley_mine=1.2.x", "parley_reader=x", "parley_likes=x",
                       "other=1; parley_likes=x"):
            res = s.client().get("/posts/" + slug, headers={"Cookie": cookie})
            assert res.status == 200 and _status(res) == "BYPASS", (cookie, res.headers)
        res = s.client().get("/posts/" + slug, headers={"Cookie": "notparley_x=1"})
        assert _status(res) == "HIT", res.headers

        # A comment is a POST: parley takes it, and its author's page (with
        # the cookie it set) is theirs, not the cache's.
        reader = s.client()
        res = reader.form("/posts/" + slug).submit(
            {"author": "Robin", "comment": "Not from the cache."})
        assert res.status == 303 and _status(res) in (None, "BYPASS"), res.headers
        assert reader.cookie("parley_mine"), res.header_all("set-cookie")
        own = reader.get("/posts/" + slug)
        assert _status(own) == "BYPASS" and "Not from the cache." in own.text, own.headers

        # Approved, it reaches anonymous readers once the cached copy expires.
        conn = s.db()
        (cid,) = conn.execute("SELECT id FROM comments WHERE author = 'Robin'").fetchone()
        conn.close()
        s.cli("comments", "approve", cid)
        assert "Not from the cache." not in anon.get("/posts/" + slug).text

        time.sleep(LIFETIME + 1)
        seen = False
        for _ in range(20):             # the first may be the stale copy (UPDATING)
            if "Not from the cache." in anon.get("/posts/" + slug).text:
                seen = True
                break
            time.sleep(0.2)
        assert seen, "the approved comment never reached anonymous readers"


run_tests(globals())

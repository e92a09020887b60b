"""test_admin.py: parley-moderate's login, session cookie, CSRF, logout, expiry and throttling."""

import base64
import re
import time

from admin_util import (ADMIN, PASSWORD, admin_site, csrf, csrf_of, insert_comment, login,
                        logged_in, query, status_of)
from harness import run_tests


def cookie_line(res, name):
    for line in res.header_all("set-cookie"):
        if line.startswith(name + "="):
            return line
    raise AssertionError("no Set-Cookie %s in %r" % (name, res.header_list))


def attrs(line):
    parts = [p.strip() for p in line.split(";")]
    out = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        out[k.lower()] = v
    return parts[0].split("=", 1)[1], out


def test_login_cookie_and_headers():
    with admin_site() as s:
        c = s.client()
        # Not logged in: every page sends the browser to the login form, POSTs too.
        for method, path in (("GET", "/admin/"), ("GET", "/admin/comments?status=spam"),
                             ("GET", "/admin/audit"), ("GET", "/admin/sessions"),
                             ("GET", "/admin/rules"), ("POST", "/admin/comments/1/approve"),
                             ("POST", "/admin/logout")):
            res = c.request(method, path, body=b"" if method == "POST" else None)
            assert res.status == 303, (path, res.status)
            assert res.headers["location"].endswith("/admin/login"), res.headers

        page = c.get("/admin/login")
        assert page.status == 200
        for want in ('<label for="login-username">', '<label for="login-password">',
                     'name="username"', 'name="password"', 'name="csrf"'):
            assert want in page.text, want
        for name, value in (("content-security-policy", "frame-ancestors 'none'"),
                            ("referrer-policy", "same-origin"),
                            ("cache-control", "no-store"),
                            ("x-content-type-options", "nosniff")):
            assert value in page.headers.get(name, ""), (name, page.headers)

        # Wrong password and unknown user: the same status and the same page.
        form = c.form("/admin/login", form_id="login-form")
        wrong = form.submit({"username": ADMIN, "password": "not-the-password"})
        unknown = form.submit({"username": "nobody-here", "password": "not-the-password"})
        assert wrong.status == 401 and unknown.status == 401, (wrong.status, unknown.status)
        assert "Wrong name or password" in wrong.text
        assert wrong.body == unknown.body
        assert c.cookie("parley_session") is None

        res = form.submit({"username": ADMIN, "password": PASSWORD})
        assert res.status == 303, (res.status, res.text[:300])
        assert res.headers["location"].endswith("/admin/"), res.headers
        value, a = attrs(cookie_line(res, "parley_session"))
        assert "httponly" in a and a.get("samesite") == "Strict", a
        assert a.get("path") == "/admin", a
        assert "secure" not in a, a                     # http:// base_url
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        assert len(raw) == 32, len(raw)
        home = c.get("/admin/")
        assert home.status == 200 and "Signed in as" in home.text

        # A new token at every login; the database holds neither.
        c2, res2 = login(s)
        value2 = c2.cookie("parley_session")
        assert res2.status == 303 and value2 and value2 != value
        rows = query(s, "SELECT * FROM sessions")
        assert len(rows) == 2, rows
        dump = repr(rows)
        for v in (value, value2):
            raw = base64.urlsafe_b64decode(v + "=" * (-len(v) % 4))
            assert v not in dump and raw.hex() not in dump, "cookie value stored"
        # A logged-in admin asking for the login page goes to the queue.
        assert c.get("/admin/login").status == 303
        # Logging in again from the same browser replaces its session.
        key = ("parley_session", "/admin")
        c.cookies.pop(key)
        form = c.form("/admin/login", form_id="login-form")
        c.cookies[key] = value
        res3 = form.submit({"username": ADMIN, "password": PASSWORD})
        assert res3.status == 303
        assert c.cookie("parley_session") != value
        assert len(query(s, "SELECT id FROM sessions")) == 2
        assert c.get("/admin/").status == 200
        replay = s.client()
        assert replay.get("/admin/", headers={"Cookie": "parley_session=" + value}).status == 303
        audit = query(s, "SELECT user_name, action FROM audit WHERE action = 'login'")
        assert len(audit) == 3 and audit[0][0] == ADMIN, audit


def test_login_form_csrf():
    with admin_site() as s:
        c = s.client()
        form = c.form("/admin/login", form_id="login-form")
        for overrides, headers in (
                ({"csrf": ""}, None),
                ({"csrf": form.fields["csrf"][:-4] + "AAAA"}, None),
                ({}, {"Origin": "https://evil.example"}),
                ({}, {"Sec-Fetch-Site": "cross-site"})):
            fields = {"username": ADMIN, "password": PASSWORD}
            fields.update(overrides)
            res = form.submit(fields, headers=headers)
            assert res.status == 403, (overrides, headers, res.status)
            assert c.cookie("parley_session") is None
        # A token without the browser's login cookie is refused too.
        other = s.client()
        res = other.post("/admin/login", {"csrf": form.fields["csrf"], "username": ADMIN,
                                          "password": PASSWORD})
        assert res.status == 403, res.status
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 0


def test_csrf_on_admin_forms():
    with admin_site() as s:
        slug = s.add_post(title="Guarded", body="Body.")
        cid = insert_comment(s, slug, body="Wait for me")
        c = logged_in(s)
        token = csrf(c)
        path = "/admin/comments/%d/approve" % cid
        for fields, headers in (({}, None),
                                ({"csrf": "0" * 64}, None),
                                ({"csrf": token[:-1]}, None),
                                ({"csrf": token}, {"Origin": "https://evil.example"}),
                                ({"csrf": token}, {"Origin": "null"}),
                                ({"csrf": token}, {"Sec-Fetch-Site": "cross-site"})):
            res = c.post(path, fields, headers=headers)
            assert res.status == 403, (fields, headers, res.status)
            assert status_of(s, cid) == "pending"
        # Another admin session's token does not work here either.
        c2 = logged_in(s)
        res = c.post(path, {"csrf": csrf(c2)})
        assert res.status == 403 and status_of(s, cid) == "pending"
        res = c.post("/admin/comments/bulk", {"csrf": "x", "action": "approve", "id": cid})
        assert res.status == 403 and status_of(s, cid) == "pending"
        assert query(s, "SELECT count(*) FROM audit WHERE comment_id IS NOT NULL")[0][0] == 0
        # Without an Origin header (older browsers) the token alone suffices.
        res = c.post(path, {"csrf": token}, headers={"Origin": None,
                                                    "Sec-Fetch-Site": "same-origin"})
        assert res.status == 303 and status_of(s, cid) == "approved"


def test_logout_and_other_sessions():
    with admin_site() as s:
        a = logged_in(s)
        b = logged_in(s)
        old_b = b.cookie("parley_session")
        page = a.get("/admin/sessions")
        assert page.status == 200
        assert page.text.count("<tr") == 3, page.text     # header row and two sessions
        assert "this browser" in page.text
        res = a.post("/admin/sessions/others", {"csrf": csrf_of(page)})
        assert res.status == 303
        assert b.get("/admin/").status == 303
        assert a.get("/admin/").status == 200
        assert len(query(s, "SELECT id FROM sessions")) == 1

        old_a = a.cookie("parley_session")
        res = a.post("/admin/logout", {"csrf": csrf(a)})
        assert res.status == 303 and res.headers["location"].endswith("/admin/login")
        _, at = attrs(cookie_line(res, "parley_session"))
        assert at.get("max-age") == "0", at
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 0
        # The old cookie, replayed, is worth nothing.
        for cookie in (old_a, old_b):
            replay = s.client()
            res = replay.get("/admin/", headers={"Cookie": "parley_session=" + cookie})
            assert res.status == 303 and res.headers["location"].endswith("/admin/login")
        actions = [r[0] for r in query(s, "SELECT action FROM audit ORDER BY id")]
        assert "logout" in actions and "end-other-sessions" in actions, actions


def test_idle_and_absolute_expiry():
    with admin_site({"session_idle_minutes": "5", "session_max_hours": "1"}) as s:
        c = logged_in(s)
        now = int(time.time())
        # Recently active: still good, and last_seen is not rewritten on every request.
        conn = s.db()
        conn.execute("UPDATE sessions SET last_seen = ?", (now - 20,))
        conn.commit()
        conn.close()
        assert c.get("/admin/").status == 200
        assert query(s, "SELECT last_seen FROM sessions")[0][0] == now - 20
        # Idle for two minutes of five: good, and the visit moves last_seen.
        conn = s.db()
        conn.execute("UPDATE sessions SET last_seen = ?", (now - 120,))
        conn.commit()
        conn.close()
        assert c.get("/admin/").status == 200
        assert query(s, "SELECT last_seen FROM sessions")[0][0] >= now
        # Idle past the limit: gone.
        conn = s.db()
        conn.execute("UPDATE sessions SET last_seen = ?", (now - 6 * 60,))
        conn.commit()
        conn.close()
        res = c.get("/admin/")
        assert res.status == 303 and res.headers["location"].endswith("/admin/login")
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 0
        # Active but older than session_max_hours: gone too.
        c = logged_in(s)
        conn = s.db()
        conn.execute("UPDATE sessions SET created_at = ?, last_seen = ?", (now - 3700, now))
        conn.commit()
        conn.close()
        assert c.get("/admin/").status == 303
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 0


def test_login_throttling():
    with admin_site({"login_failures": "3"}) as s:
        c = s.client()
        form = c.form("/admin/login", form_id="login-form")
        for i in range(3):
            res = form.submit({"username": ADMIN, "password": "wrong-%d" % i})
            assert res.status == 401, (i, res.status)
        res = form.submit({"username": ADMIN, "password": PASSWORD})
        assert res.status == 429, res.status
        assert int(res.headers["retry-after"]) > 0, res.headers
        assert c.cookie("parley_session") is None
        # Per address too: another name from the same address is refused.
        res = form.submit({"username": "someone-else", "password": "whatever-1"})
        assert res.status == 429
        rows = query(s, "SELECT bucket FROM rate_events WHERE bucket LIKE 'login-%'")
        assert any(b.startswith("login-user:") for (b,) in rows), rows
        assert any(b.startswith("login-ip:") for (b,) in rows), rows
        assert not any("127.0.0.1" in b for (b,) in rows), rows
        # Once the failures age out, the right password works again.
        conn = s.db()
        conn.execute("UPDATE rate_events SET at = at - 3600")
        conn.commit()
        conn.close()
        res = form.submit({"username": ADMIN, "password": PASSWORD})
        assert res.status == 303, (res.status, res.text[:300])


def test_not_found_and_methods():
    with admin_site() as s:
        c = logged_in(s)
        assert c.get("/admin/comments?status=bogus").status == 404
        assert c.get("/admin/nothing-here").status == 404
        res = c.get("/admin/logout")
        assert res.status == 405, res.status
        res = c.post("/admin/comments/999/approve", {"csrf": csrf(c)})
        assert res.status == 404, res.status
        res = c.post("/admin/comments/1/frobnicate", {"csrf": csrf(c)})
        assert res.status == 404, res.status
        assert re.search(r"<h1>Not found</h1>", res.text), res.text[:400]


run_tests(globals())

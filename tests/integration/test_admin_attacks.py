"""test_admin_attacks.py: parley-moderate against a hostile client: every route's guard,
redirects after POST, bulk ids, commenter fields in the queue, login replies, deleted users."""

import os
import re
import urllib.parse

from admin_util import (ADMIN, PASSWORD, admin_site, csrf, done_path, insert_comment, login,
                        logged_in, login_from, query, status_of)
from harness import SOURCE_DIR, run_tests

COMMENT_ACTIONS = ("approve", "reject", "spam", "pending", "delete", "restore",
                   "block-address", "block-email", "reply", "edit")


def route_table():
    """(method, pattern) for every row of the route table in src/admin/admin-app.c."""
    with open(os.path.join(SOURCE_DIR, "src", "admin", "admin-app.c"), encoding="utf-8") as f:
        text = f.read()
    table = text.split("admin_routes[] = {", 1)[1].split("};", 1)[0]
    routes = re.findall(r'\{\s*HTTP_(GET|POST),\s*"([^"]+)"', table)
    assert len(routes) >= 10, routes
    return routes


def concrete(pattern, ids):
    """The real paths a route pattern stands for, with ids of rows that exist."""
    table = {
        "/admin/comments/*/*": ["/admin/comments/%d/%s" % (ids["comment"], a)
                                for a in COMMENT_ACTIONS],
        "/admin/comments/*": ["/admin/comments/%d" % ids["comment"]],
        "/admin/posts/*/*": ["/admin/posts/%s/%s" % (ids["slug"], a) for a in ("close", "open")],
        "/admin/blocks/*/delete": ["/admin/blocks/%d/delete" % ids["block"]],
        "/admin/sessions/*/end": ["/admin/sessions/%d/end" % ids["session"]],
    }
    if "*" in pattern:
        assert pattern in table, "a new route with no test paths: " + pattern
        return table[pattern]
    return [pattern]


def snapshot(s):
    """Everything an admin request could change (sessions without last_seen)."""
    out = {}
    for table in ("settings", "posts", "comments", "audit", "blocks", "users"):
        out[table] = query(s, "SELECT * FROM %s ORDER BY 1" % table)
    out["sessions"] = query(s, "SELECT id, token_hash, user_id, csrf, created_at FROM sessions"
                            " ORDER BY id")
    return out


def setup(s):
    slug = s.add_post(title="Target", body="Body.")
    cid = insert_comment(s, slug, author="Target", email="t@example.org")
    conn = s.db()
    try:
        conn.execute("INSERT INTO blocks (kind, value, created_at) VALUES ('email', 'x@y.org', 1)")
        conn.commit()
        block = conn.execute("SELECT id FROM blocks").fetchone()[0]
    finally:
        conn.close()
    return {"slug": slug, "comment": cid, "block": block}


def test_every_route_guarded():
    with admin_site() as s:
        ids = setup(s)
        victim = logged_in(s)          # a second session, for /admin/sessions/ID/end
        ids["session"] = query(s, "SELECT max(id) FROM sessions")[0][0]
        routes = route_table()
        before = snapshot(s)

        # No session: every route but the login form's goes to the login page; nothing changes.
        stranger = s.client()
        for method, pattern in routes:
            if pattern == "/admin/login":
                continue
            for path in concrete(pattern, ids):
                body = b"action=delete&id=%d" % ids["comment"] if method == "POST" else None
                res = stranger.request(method, path, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
                assert res.status == 303, (method, path, res.status)
                assert res.headers["location"] == "/admin/login", (path, res.headers)
                # And with a forged session cookie.
                res = stranger.request(method, path, body=body, headers={
                    "Cookie": "parley_session=" + "A" * 43,
                    "Content-Type": "application/x-www-form-urlencoded"})
                assert res.status == 303, (method, path, res.status)
        assert snapshot(s) == before

        # Logged in: every POST with no csrf, a wrong one, another session's, or sent
        # from another site is refused and changes nothing.
        c = logged_in(s)
        before = snapshot(s)
        token, other = csrf(c), csrf(victim)
        posts = [(m, p) for m, p in routes if m == "POST" and p != "/admin/login"]
        assert len(posts) >= 8, posts
        for _, pattern in posts:
            for path in concrete(pattern, ids):
                base = {"action": "delete", "id": ids["comment"], "email": "a@b.org",
                        "blocked_words": "x", "max_links": "0", "return": "/admin/"}
                for extra, headers in (({}, None),
                                       ({"csrf": ""}, None),
                                       ({"csrf": "0" * 64}, None),
                                       ({"csrf": token.upper()}, None),
                                       ({"csrf": other}, None),
                                       ({"csrf": token}, {"Origin": "https://evil.example"}),
                                       ({"csrf": token}, {"Origin": "null"}),
                                       ({"csrf": token}, {"Sec-Fetch-Site": "same-site"})):
                    fields = dict(base, **extra)
                    res = c.post(path, fields, headers=headers)
                    assert res.status == 403, (path, extra, headers, res.status)
        assert snapshot(s) == before
        assert victim.get("/admin/").status == 200

        # The same requests with the right token go through (so the table above
        # was not refused for some other reason).
        res = c.post("/admin/comments/%d/approve" % ids["comment"], {"csrf": token})
        assert res.status == 303 and status_of(s, ids["comment"]) == "approved"


def test_return_stays_in_admin():
    with admin_site() as s:
        slug = s.add_post(title="Returns", body="Body.")
        c = logged_in(s)
        token = csrf(c)
        hostile = ["//evil.example", "/\\evil.example", "https://evil.example/admin/",
                   "/admin/../x", "/admin/..", "/admin//evil.example", "/admin/\\evil",
                   "/admin/%2e%2e/x", "/admin/%2E%2e/%2e%2e/evil", "/admin/.%2e/x",
                   "/admin/%2F%2Fevil.example", "/admin/%5Cevil.example",
                   "/admin/%0d%0aSet-Cookie:%20x=1", "/admin/\r\nSet-Cookie: x=1",
                   "/admin/?next=//evil.example", "javascript:alert(1)", " /admin/",
                   "/ADMIN/", "/admin" + "/x" * 200]
        for ret in hostile:
            cid = insert_comment(s, slug)
            res = c.post("/admin/comments/%d/approve" % cid, {"csrf": token, "return": ret})
            assert res.status == 303, (ret, res.status)
            loc = done_path(res)
            assert loc == "/admin/", (ret, loc)
            assert status_of(s, cid) == "approved"
        # The pages' own return paths are kept.
        for ret in ("/admin/", "/admin/comments?status=spam&page=2", "/admin/sessions"):
            cid = insert_comment(s, slug)
            res = c.post("/admin/comments/%d/reject" % cid, {"csrf": token, "return": ret})
            assert res.status == 303 and done_path(res) == ret, (ret, res.headers)
        # Whatever is kept, a browser resolving it stays on this site, under /admin/.
        for ret in hostile:
            cid = insert_comment(s, slug)
            res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "spam"),
                                                  ("id", cid), ("return", ret)])
            target = urllib.parse.urljoin(s.origin + "/admin/x", res.headers["location"])
            assert target.startswith(s.origin + "/admin/"), (ret, target)


def test_bulk_hostile_ids():
    with admin_site() as s:
        slug = s.add_post(title="Bulk ids", body="Body.")
        ids = [insert_comment(s, slug, body="Row %d" % i) for i in range(3)]
        c = logged_in(s)
        token = csrf(c)
        audit = lambda: query(s, "SELECT count(*) FROM audit WHERE comment_id IS NOT NULL")[0][0]

        # Not ids, missing comments: skipped; the real one changes.
        junk = ["abc", "-1", "0", "0x10", " 5", "1e3", "", "99999999999999999999",
                "9223372036854775807", "%d.0" % ids[0], "999999"]
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "reject")] +
                     [("id", j) for j in junk] + [("id", ids[0])])
        assert res.status == 303, res.status
        assert status_of(s, ids[0]) == "rejected" and audit() == 1

        # The same id many times: changed and logged once.
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "approve")] +
                     [("id", ids[1])] * 5)
        assert res.status == 303, res.status
        assert status_of(s, ids[1]) == "approved"
        assert query(s, "SELECT count(*) FROM audit WHERE comment_id = ?", (ids[1],))[0][0] == 1
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "delete")] +
                     [("id", ids[1])] * 3)
        assert res.status == 303 and status_of(s, ids[1]) == "trash"
        assert audit() == 3

        # Hundreds of ids: refused whole, nothing changes; never a server error.
        for count in (201, 300, 1000):
            fields = [("csrf", token), ("action", "spam")]
            fields += [("id", ids[2])] + [("id", 100000 + i) for i in range(count - 1)]
            res = c.post("/admin/comments/bulk", fields)
            assert res.status == 413, (count, res.status)
            assert status_of(s, ids[2]) == "pending" and audit() == 3
        # Exactly the limit is fine.
        fields = [("csrf", token), ("action", "spam"), ("id", ids[2])]
        fields += [("id", 100000 + i) for i in range(199)]
        res = c.post("/admin/comments/bulk", fields)
        assert res.status == 303, res.status
        assert status_of(s, ids[2]) == "spam" and audit() == 4
        # No action, or one that does not exist: 400.
        for fields in ([("csrf", token), ("id", ids[0])],
                       [("csrf", token), ("action", "block-email"), ("id", ids[0])],
                       [("csrf", token), ("action", "DELETE"), ("id", ids[0])]):
            res = c.post("/admin/comments/bulk", fields)
            assert res.status == 400, (fields, res.status)
        assert status_of(s, ids[0]) == "rejected" and audit() == 4


def test_queue_escapes_commenter_fields():
    with admin_site() as s:
        slug = s.add_post(title="Hostile", body="Body.")
        insert_comment(s, slug, author='<script>alert("a")</script>',
                       email='"><img src=x onerror=alert(1)>@example.org',
                       url="javascript:alert(document.cookie)", body="<b>bold</b>")
        insert_comment(s, slug, author="Data", url="data:text/html,<script>alert(1)</script>")
        insert_comment(s, slug, author="Vbs", url=" JavaScript:alert(2)")
        insert_comment(s, slug, author="Good", url="https://example.org/?a=1&b=2")
        c = logged_in(s)
        page = c.get("/admin/")
        assert page.status == 200
        text = page.text
        assert "<script>" not in text and "<img" not in text and "<b>bold" not in text
        assert "&lt;script&gt;alert(&quot;a&quot;)&lt;/script&gt;" in text
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@example.org" in text
        hrefs = re.findall(r'href="([^"]*)"', text)
        for h in hrefs:
            assert not re.match(r"\s*(javascript|data|vbscript):", h, re.I), h
        # The addresses are still shown, as text.
        assert "javascript:alert(document.cookie)" in text
        assert "data:text/html,&lt;script&gt;" in text
        assert 'href="https://example.org/?a=1&amp;b=2"' in text


def test_login_failures_look_the_same():
    with admin_site({"login_failures": "100"}) as s:
        c = s.client()
        form = c.form("/admin/login", form_id="login-form")
        replies = [form.submit({"username": u, "password": "not-the-password"})
                   for u in (ADMIN, "nobody-here", "bad name!", "x" * 300, "")]

        def shape(res):
            return (res.status, res.body,
                    sorted((k, v) for k, v in res.header_list if k != "date"))
        first = shape(replies[0])
        assert first[0] == 401
        for res in replies[1:]:
            assert shape(res) == first, (shape(res), first)
        assert not any(k == "set-cookie" for k, _ in replies[0].header_list)
        # The page does not echo the name back either.
        assert "nobody-here" not in replies[1].text


def test_login_throttled_per_user_and_per_address():
    with admin_site({"login_failures": "3"}) as s:
        # One name guessed from many addresses: slowed, never locked out for its owner
        # (test_harden_admin.py); from one address: that pair is refused.
        for i in range(3):
            assert login_from(s, "192.0.2.1", ADMIN, "wrong-%d" % i).status == 401
        res = login_from(s, "192.0.2.1", ADMIN, PASSWORD)
        assert res.status == 429 and int(res.headers["retry-after"]) > 0, res.header_list
        assert not any("parley_session=" in v for v in res.header_all("set-cookie"))
        # ...while the right password from another address still works.
        assert login_from(s, "192.0.2.2", ADMIN, PASSWORD).status == 303
        conn = s.db()
        conn.execute("DELETE FROM sessions")
        conn.commit()
        conn.close()
        # Many names from one address: that address is refused, whatever the name.
        for i in range(3):
            assert login_from(s, "198.51.100.9", "ghost%d" % i, "x").status == 401
        res = login_from(s, "198.51.100.9", "ghost-new", "x")
        assert res.status == 429 and int(res.headers["retry-after"]) > 0
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 0


def test_expired_sessions_swept():
    with admin_site({"session_idle_minutes": "5", "session_max_hours": "1"}) as s:
        stale = logged_in(s)
        old = logged_in(s)
        conn = s.db()
        conn.execute("UPDATE sessions SET last_seen = last_seen - 600 WHERE id = 1")
        conn.execute("UPDATE sessions SET created_at = created_at - 7200 WHERE id = 2")
        conn.commit()
        conn.close()
        # Nobody brings those cookies back; the next login clears them out.
        fresh = logged_in(s)
        assert query(s, "SELECT count(*) FROM sessions WHERE last_seen < created_at + 60"
                     " AND created_at > strftime('%s') - 60")[0][0] == 1
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 1
        assert stale.get("/admin/").status == 303 and old.get("/admin/").status == 303
        assert fresh.get("/admin/").status == 200


def test_deleted_user_sessions_end():
    with admin_site() as s:
        s.cli("user", "add", "bob", input="bob-password-1\n")
        bob, res = login(s, user="bob", password="bob-password-1")
        assert res.status == 303 and bob.get("/admin/").status == 200
        admin = logged_in(s)
        s.cli("user", "del", "bob")
        res = bob.get("/admin/")
        assert res.status == 303 and res.headers["location"] == "/admin/login"
        assert query(s, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
                     " WHERE u.name = 'bob'")[0][0] == 0
        assert query(s, "SELECT count(*) FROM sessions")[0][0] == 1
        assert admin.get("/admin/").status == 200
        _, res = login(s, user="bob", password="bob-password-1")
        assert res.status == 401
        assert login(s, user=ADMIN, password=PASSWORD)[1].status == 303


def test_password_change_ends_sessions():
    with admin_site() as s:
        s.cli("user", "add", "bob", input="bob-password-1\n")
        bob, res = login(s, user="bob", password="bob-password-1")
        assert res.status == 303 and bob.get("/admin/").status == 200
        admin = logged_in(s)
        out = s.cli("user", "passwd", "bob", input="bob-password-2\n")
        assert "ended 1 session" in out.stdout, out.stdout
        res = bob.get("/admin/")
        assert res.status == 303 and res.headers["location"] == "/admin/login"
        assert admin.get("/admin/").status == 200      # others keep theirs
        assert login(s, user="bob", password="bob-password-1")[1].status == 401
        assert login(s, user="bob", password="bob-password-2")[1].status == 303


run_tests(globals())

"""admin_util.py: helpers shared by the test_admin*.py integration tests."""

import html
import re
import time
import urllib.parse

from harness import Site, Skip, fcgi_request

ADMIN = "admin"
PASSWORD = "a-good-password"


def admin_site(conf=None, workers=2):
    """A Site with parley-moderate and an admin account (skips when not built)."""
    merged = {"min_form_seconds": "0", "comments_per_minute": "1000"}
    merged.update(conf or {})
    return _AdminSite(merged, workers)


class _AdminSite(Site):
    def __init__(self, conf, workers):
        super().__init__(conf=conf, moderate=True, workers=workers)

    def __enter__(self):
        s = super().__enter__()
        if not s.has_moderate:
            s.__exit__(None, None, None)
            raise Skip("parley-moderate is not built")
        s.cli("user", "add", ADMIN, input=PASSWORD + "\n")
        return s


def login(s, client=None, user=ADMIN, password=PASSWORD):
    """Log client (a new one when None) in through the form; returns (client, response)."""
    c = client or s.client()
    form = c.form("/admin/login", form_id="login-form")
    res = form.submit({"username": user, "password": password})
    return c, res


def login_from(s, address, user, password):
    """One login, form and all, straight to parley-moderate as if from address."""
    env = {"REMOTE_ADDR": address}
    page = fcgi_request(s.moderate.sock, "GET", "/admin/login", env=env)
    nonce = re.search(r"parley_login=([^;]+)", page.headers["set-cookie"]).group(1)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    body = urllib.parse.urlencode({"csrf": token, "username": user, "password": password})
    env.update({"HTTP_COOKIE": "parley_login=" + nonce, "HTTP_ORIGIN": s.origin,
                "CONTENT_TYPE": "application/x-www-form-urlencoded"})
    return fcgi_request(s.moderate.sock, "POST", "/admin/login", body=body.encode(), env=env)


def logged_in(s):
    """A client with a live admin session."""
    c, res = login(s)
    assert res.status == 303, (res.status, res.text[:500])
    return c


def csrf_of(page):
    """The csrf value the admin page carries in its forms."""
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert m, "no csrf field on the page: " + page.text[:500]
    return m.group(1)


def csrf(c):
    return csrf_of(c.get("/admin/"))


def post_id(s, slug):
    conn = s.db()
    try:
        return conn.execute("SELECT id FROM posts WHERE slug = ?", (slug,)).fetchone()[0]
    finally:
        conn.close()


def insert_comment(s, slug, author="Reader", email="reader@example.org", url="",
                   body="A thoughtful comment.", status="pending", ip_hash="ab" * 16,
                   created=None):
    """Insert a comment straight into the database; returns its id."""
    pid = post_id(s, slug)
    conn = s.db()
    try:
        cur = conn.execute(
            "INSERT INTO comments (post_id, status, author, email, url, body_md, body_html,"
            " created_at, ip_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (pid, status, author, email, url, body, "<p>%s</p>\n" % html.escape(body),
             int(created if created is not None else time.time()), ip_hash))
        conn.commit()
        return cur.lastrowid
    finally:
        conn.close()


def status_of(s, comment_id):
    """The comment's status, or None when it is gone."""
    conn = s.db()
    try:
        row = conn.execute("SELECT status FROM comments WHERE id = ?", (comment_id,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def query(s, sql, args=()):
    conn = s.db()
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def public_page(s, slug):
    """The post page as a new reader sees it."""
    res = s.client().get("/posts/%s" % slug)
    assert res.status == 200, (res.status, res.text[:300])
    return res.text


def done_path(res):
    """Where a redirect after an action leads, without the feedback it adds
    (done=FROM&to=TO, the audit entries to report) or the card to show."""
    loc = res.headers["location"].split("#", 1)[0]
    loc = re.sub(r"[?&]done=\d+&to=\d+$", "", loc)
    return loc

"""test_upgrade.py: databases from other versions of parley.

- A database made by the first migration alone (sql/0001_init.sql, as the
  first release left it), holding posts, tags, comments of every status, an
  admin, an audit entry and a block, is brought up to date by `parley init`:
  every row is still there, the site serves the same posts and approved
  comments, the admin logs in with the old password, `parley check` is happy.
- A database whose user_version is newer than this parley is refused by all
  three programs with one clear line (exit 1 for the command, 2 for the
  responders), and left as it was.
"""

import hashlib
import os
import sqlite3
import subprocess

from harness import IS_ROOT, RUN_USER, SOURCE_DIR, Site, crash_report, run_tests

PASSWORD = "an old and careful passphrase"
SECRET = "ab" * 32


def _migrations():
    return sorted(int(n.split("_")[0]) for n in os.listdir(os.path.join(SOURCE_DIR, "sql"))
                  if n[0].isdigit() and n.endswith(".sql"))


def _pwhash():
    """An Argon2id hash of PASSWORD, made by this parley (the format has not changed)."""
    with Site(serve=False) as s:
        s.cli("user", "add", "alice", input=PASSWORD + "\n")
        conn = s.db()
        try:
            return conn.execute("SELECT pwhash FROM users WHERE name = 'alice'").fetchone()[0]
        finally:
            conn.close()


# Rows as the first release wrote them: HTML rendered at write time.
FIRST_RELEASE_ROWS = """
INSERT INTO settings (key, value) VALUES ('secret', '{secret}');
INSERT INTO posts (id, slug, title, author, published_at, updated_at, comments_open,
                   body_md, body_html, body_text)
VALUES (1, 'night-rota', 'The night rota', 'Sam', 1767261600, 1767261600, 1,
        'We *swap* shifts by the kettle.', '<p>We <em>swap</em> shifts by the kettle.</p>',
        'We swap shifts by the kettle.'),
       (2, 'quiet-ward', 'A quiet ward', 'Sam', 1767348000, 1767348000, 0,
        'Nothing happened, *thankfully*.', '<p>Nothing happened, <em>thankfully</em>.</p>',
        'Nothing happened, thankfully.');
INSERT INTO tags (id, name, slug) VALUES (1, 'Rota', 'rota');
INSERT INTO post_tags (post_id, tag_id) VALUES (1, 1), (2, 1);
INSERT INTO comments (id, post_id, parent_id, status, author, email, url, body_md,
                      body_html, created_at, ip_hash)
VALUES (1, 1, NULL, 'approved', 'Robin', 'robin@example.org', 'https://robin.example.org/',
        'Same on our ward.', '<p>Same on our ward.</p>', 1767265200,
        '0123456789abcdef0123456789abcdef'),
       (2, 1, 1, 'approved', 'Kit', '', '', 'Which kettle?', '<p>Which kettle?</p>',
        1767268800, '0123456789abcdef0123456789abcdef'),
       (3, 1, NULL, 'pending', 'Lee', 'lee@example.org', '', 'Waiting for a look.',
        '<p>Waiting for a look.</p>', 1767272400, 'fedcba9876543210fedcba9876543210'),
       (4, 2, NULL, 'spam', 'Bot', '', 'https://spam.example/', 'Buy now.',
        '<p>Buy now.</p>', 1767276000, 'ffffffffffffffffffffffffffffffff'),
       (5, 2, NULL, 'rejected', 'Ash', '', '', 'Off topic.', '<p>Off topic.</p>',
        1767279600, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee');
INSERT INTO users (id, name, pwhash, created_at) VALUES (1, 'alice', '{pwhash}', 1767200000);
INSERT INTO audit (at, user_name, action, comment_id, detail)
VALUES (1767270000, 'alice', 'approve', 2, '');
INSERT INTO blocks (kind, value, created_at) VALUES ('email', 'bot@spam.example', 1767270000);
PRAGMA user_version = 1;
"""


class FirstReleaseSite(Site):
    """A Site whose database was made by the first migration only, then `parley init`."""

    def __init__(self, pwhash, **kw):
        super().__init__(**kw)
        self.pwhash = pwhash
        self.init_result = None

    def _init_db(self):
        with open(os.path.join(SOURCE_DIR, "sql", "0001_init.sql")) as f:
            first = f.read()
        conn = sqlite3.connect(self.db_path, isolation_level=None)
        conn.executescript(first + FIRST_RELEASE_ROWS.format(secret=SECRET, pwhash=self.pwhash))
        conn.close()
        self.db().close()           # hands the file to nobody when we are root
        self.init_result = self.cli("init")


def _rows(conn, sql):
    return conn.execute(sql).fetchall()


def test_first_release_database_is_migrated_with_its_data():
    newest = _migrations()[-1]
    with FirstReleaseSite(_pwhash(), moderate=True, conf={"min_form_seconds": "0"}) as s:
        out = s.init_result.stdout.strip()
        if newest > 1:
            assert out == "migrated to version %d" % newest, out
        else:
            assert out == "up to date", out
        conn = s.db()
        try:
            assert _rows(conn, "PRAGMA user_version") == [(newest,)]
            assert _rows(conn, "SELECT slug, title, comments_open, body_html FROM posts "
                               "ORDER BY id") == [
                ("night-rota", "The night rota", 1, "<p>We <em>swap</em> shifts by the kettle.</p>"),
                ("quiet-ward", "A quiet ward", 0, "<p>Nothing happened, <em>thankfully</em>.</p>")]
            assert _rows(conn, "SELECT id, post_id, parent_id, status, author, email, url, "
                               "body_html, created_at, ip_hash FROM comments ORDER BY id") == [
                (1, 1, None, "approved", "Robin", "robin@example.org",
                 "https://robin.example.org/", "<p>Same on our ward.</p>", 1767265200,
                 "0123456789abcdef0123456789abcdef"),
                (2, 1, 1, "approved", "Kit", "", "", "<p>Which kettle?</p>", 1767268800,
                 "0123456789abcdef0123456789abcdef"),
                (3, 1, None, "pending", "Lee", "lee@example.org", "",
                 "<p>Waiting for a look.</p>", 1767272400, "fedcba9876543210fedcba9876543210"),
                (4, 2, None, "spam", "Bot", "", "https://spam.example/", "<p>Buy now.</p>",
                 1767276000, "ffffffffffffffffffffffffffffffff"),
                (5, 2, None, "rejected", "Ash", "", "", "<p>Off topic.</p>", 1767279600,
                 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee")]
            assert _rows(conn, "SELECT comment_count FROM posts ORDER BY id") == [(2,), (0,)]
            assert _rows(conn, "SELECT post_id, tag_id FROM post_tags ORDER BY 1") == [(1, 1), (2, 1)]
            # What 0010_tag_pages keeps for the tag pages, filled from the old rows.
            assert _rows(conn, "SELECT post_id, published_at, draft FROM post_tags "
                               "ORDER BY 1") == [(1, 1767261600, 0), (2, 1767348000, 0)]
            assert _rows(conn, "SELECT slug, published_count FROM tags") == [("rota", 2)]
            assert _rows(conn, "SELECT published_posts FROM site_state") == [(2,)]
            assert _rows(conn, "SELECT value FROM settings WHERE key = 'secret'") == [(SECRET,)]
            assert _rows(conn, "SELECT user_name, action, comment_id FROM audit") == \
                [("alice", "approve", 2)]
            assert _rows(conn, "SELECT kind, value FROM blocks") == [("email", "bot@spam.example")]
            assert _rows(conn, "PRAGMA foreign_key_check") == []
        finally:
            conn.close()
        check = s.cli("check").stdout.splitlines()
        assert check[-1] == "ok" and all(l.startswith("warning:") for l in check[:-1]), check
        assert s.cli("init").stdout.strip() == "up to date"

        # The site shows what the first release showed.
        c = s.client()
        page = c.get("/posts/night-rota")
        assert page.status == 200, page
        for text in ("The night rota", "We <em>swap</em> shifts", "Same on our ward.",
                     "Which kettle?"):
            assert text in page.text, text
        assert "Waiting for a look." not in page.text and "Buy now." not in page.text
        tagged = c.get("/tags/rota").text
        assert "The night rota" in tagged and "A quiet ward" in tagged
        assert "2 posts" in c.get("/tags").text
        found = c.get("/search?q=kettle")
        assert found.status == 200 and "night-rota" in found.text, found.text[:500]
        assert c.get("/posts/quiet-ward").status == 200
        # The migrated tables take new comments.
        res = c.form("/posts/night-rota").submit(
            {"author": "Nia", "comment": "Still open after the upgrade."})
        assert res.status == 303, (res, res.text[:500])
        conn = s.db()
        try:
            assert _rows(conn, "SELECT id, status FROM comments WHERE author = 'Nia'") == \
                [(6, "pending")]
        finally:
            conn.close()

        # The old admin logs in with the old password and finds the old queue.
        admin = s.client()
        res = admin.form("/admin/login", form_id="login-form").submit(
            {"username": "alice", "password": PASSWORD})
        assert res.status == 303, (res, res.text[:500])
        queue = admin.get("/admin/")
        assert queue.status == 200 and "Waiting for a look." in queue.text, queue.text[:1000]


def _one_line(stderr, *words):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_newer_database_is_refused_by_every_program():
    newest = _migrations()[-1]
    with Site(serve=False) as s:
        s.add_post(title="Kept as it is", slug="kept")
        conn = s.db()
        conn.execute("PRAGMA user_version = %d" % (newest + 1))
        conn.close()
        before = _digest(s.db_path)
        expect = ("schema version %d is newer than this parley's %d" % (newest + 1, newest),
                  s.db_path)
        for args in (["init"], ["post", "list"], ["check"], ["comments", "list"]):
            res = s.cli(*args, check=False)
            assert res.returncode == 1, (args, res.returncode, res.stderr)
            _one_line(res.stderr, *expect)
        for name in ("parley-blog", "parley-moderate"):
            sock = os.path.join(s.tmp, name + ".sock")
            cmd = [s.binary(name), "--config", s.conf_path, "--listen", "unix:" + sock]
            if IS_ROOT:
                cmd += ["--user", RUN_USER]
            res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                 text=True, errors="replace", timeout=60, cwd=s.tmp)
            assert not crash_report(res.stderr), res.stderr
            assert res.returncode == 2, (name, res.returncode, res.stderr)
            _one_line(res.stderr, *expect)
        assert _digest(s.db_path) == before, "a refused database was changed"
        conn = s.db()
        try:
            assert conn.execute("PRAGMA user_version").fetchone() == (newest + 1,)
        finally:
            conn.close()


run_tests(globals())

"""test_harden_cli.py: the command line's part of the security review (issue 9):
private database files, moderation recorded in the audit log as cli:USER, and
`comments erase --email` leaving no personal data behind.

No nginx: the built `parley` runs on a temporary database, as in test_cli.py.
"""

import os
import pwd
import sqlite3
import stat

from test_cli import Tmp, main, post_file

# Mode bits that must never be set on the database, its -wal or its -shm.
FORBIDDEN = stat.S_IWGRP | stat.S_IRWXO | stat.S_IXUSR | stat.S_IXGRP


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_private(path):
    mode = mode_of(path)
    assert mode in (0o600, 0o640), "%s is %o, want 0600 or 0640" % (path, mode)


def add_comment(t, author="Ann Example", email="ann@example.org", url="", status="pending",
                ip_hash="ab" * 16):
    conn = sqlite3.connect(t.db)
    try:
        cur = conn.execute(
            "INSERT INTO comments (post_id, status, author, email, url, body_md, body_html,"
            " created_at, ip_hash) SELECT id, ?, ?, ?, ?, 'Hello', '<p>Hello</p>', 1, ? FROM posts"
            " ORDER BY id LIMIT 1", (status, author, email, url, ip_hash))
        conn.commit()
        return cur.lastrowid
    finally:
        conn.close()


# --- 5: modes ------------------------------------------------------------

def test_init_creates_the_database_private():
    with Tmp() as t:
        old = os.umask(0o022)       # the usual umask: SQLite alone would make 0644
        try:
            t.init()
        finally:
            os.umask(old)
        assert_private(t.db)
        # Files SQLite makes beside it take the database's mode.
        conn = sqlite3.connect(t.db)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
        conn.commit()
        for suffix in ("-wal", "-shm"):
            assert_private(t.db + suffix)
        conn.close()


def test_init_repairs_the_modes_of_an_existing_database():
    with Tmp() as t:
        t.init()
        conn = sqlite3.connect(t.db)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
        conn.commit()
        # An old parley made them world-readable; keep the -wal and -shm alive meanwhile.
        for suffix in ("", "-wal", "-shm"):
            os.chmod(t.db + suffix, 0o666)
        res = t.init()
        assert res.stdout.strip() == "up to date", res.stdout
        for suffix in ("", "-wal", "-shm"):
            assert_private(t.db + suffix)
        conn.close()
        # A group-readable file stays so (0640 is allowed), other bits go.
        os.chmod(t.db, 0o644)
        t.init()
        assert mode_of(t.db) == 0o640, oct(mode_of(t.db))


def test_init_does_not_follow_a_symlinked_side_file():
    with Tmp() as t:
        t.init()
        victim = t.write("victim", "not a database\n")
        os.chmod(victim, 0o644)
        os.symlink(victim, t.db + "-shm")
        t.run("init")
        assert mode_of(victim) == 0o644, oct(mode_of(victim))


# --- 10: the command line's moderation in the audit log -------------------

def test_cli_moderation_is_audited_as_the_unix_user():
    with Tmp() as t:
        t.init()
        t.ok("post", "add", t.write("p.md", post_file("Commented")))
        a, b, c = (add_comment(t, author=n) for n in ("Ann", "Bo", "Cy"))
        t.ok("comments", "approve", str(a))
        t.ok("comments", "spam", str(b))
        t.ok("comments", "reject", str(a))
        t.ok("comments", "delete", str(c))
        who = "cli:" + pwd.getpwuid(os.getuid()).pw_name
        rows = t.query("SELECT user_name, action, comment_id, detail FROM audit ORDER BY id")
        assert [r[:3] for r in rows] == [(who, "approve", a), (who, "spam", b),
                                         (who, "reject", a), (who, "delete", c)], rows
        assert rows[0][3] == "was pending" and rows[2][3] == "was approved", rows
        # A missing id records nothing.
        t.run("comments", "approve", "999")
        assert len(t.query("SELECT * FROM audit")) == 4


# --- 8: erase --------------------------------------------------------------

def test_erase_leaves_no_personal_data():
    with Tmp() as t:
        t.init()
        t.ok("post", "add", t.write("p.md", post_file("Commented")))
        email, name = "Zed.Private@Example.org", "Zed Secretname"
        mine = add_comment(t, author=name, email=email, url="https://zed.example/home")
        gone = add_comment(t, author=name, email=email.lower())
        other = add_comment(t, author="Someone Else", email="else@example.org",
                            url="https://else.example/")
        conn = sqlite3.connect(t.db)
        conn.executescript("""
            INSERT INTO blocks (kind, value, created_at) VALUES ('email', '%(e)s', 1);
            INSERT INTO blocks (kind, value, created_at) VALUES ('email', 'else@example.org', 1);
            INSERT INTO audit (at, user_name, action, comment_id, detail)
                VALUES (1, 'admin', 'block-email', %(m)d, 'email %(e)s (from comment by %(n)s)');
            INSERT INTO audit (at, user_name, action, comment_id, detail)
                VALUES (1, 'admin', 'approve', %(m)d, 'was pending');
            INSERT INTO audit (at, user_name, action, comment_id, detail)
                VALUES (1, 'admin', 'edit', %(m)d, 'old text by %(n)s <%(e)s>');
            INSERT INTO audit (at, user_name, action, comment_id, detail)
                VALUES (1, 'admin', 'approve', %(o)d, 'was pending, by Someone Else');
            INSERT INTO mail_queue (kind, rcpt, subject, message, state, created_at, next_at)
                VALUES ('moderate', 'mod@example.org', 'New comment',
                        'Author: %(n)s\nEmail: %(e)s\n', 'sent', 1, 1);
        """ % {"e": email, "n": name, "m": mine, "o": other})
        conn.commit()
        conn.close()
        t.ok("comments", "delete", str(gone))     # to trash; its audit row names Zed
        res = t.ok("comments", "erase", "--email", email.upper())
        # The trashed one still held Zed's data, so it is erased too.
        assert "erased 2 comments" in res.stdout, res.stdout

        dump = "\n".join(sqlite3.connect(t.db).iterdump())
        for needle in (email.lower(), name, "zed.example", "Secretname"):
            assert needle.lower() not in dump.lower(), "%r is still in the database" % needle
        assert t.query("SELECT author, email, url, ip_hash FROM comments WHERE id = ?",
                       (mine,)) == [("(erased)", "", "", "")]
        # Nobody else's data is touched.
        assert t.query("SELECT author, email, url FROM comments WHERE id = ?", (other,)) == [
            ("Someone Else", "else@example.org", "https://else.example/")]
        assert t.query("SELECT value FROM blocks") == [("else@example.org",)]
        assert t.query("SELECT detail FROM audit WHERE comment_id = ?", (other,)) == [
            ("was pending, by Someone Else",)]
        # The log still says what happened to the comment.
        actions = [r[0] for r in t.query("SELECT action FROM audit WHERE comment_id = ?"
                                         " ORDER BY id", (mine,))]
        assert actions[:3] == ["block-email", "approve", "edit"], actions


if __name__ == "__main__":
    main(globals())

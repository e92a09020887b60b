"""test_cli.py: the `parley` command line, run as a subprocess on a temporary database.

No nginx is needed: every test drives the built binary directly and checks
its exit status, its output and the rows it leaves in the database.
"""

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import traceback

from harness import PROGRAM_DIR, _as_run_user

SOURCE_DIR = os.environ.get("PARLEY_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.environ.get("PARLEY_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
PARLEY = os.path.join(BUILD_DIR, "parley")
TIMEOUT = 30

PASSWORD = "correct horse battery"


class Tmp:
    """A temporary folder holding a database path; removed on exit."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="parley-cli-")
        self.db = os.path.join(self.dir, "parley.db")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        path = self.path(name)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(path, mode) as f:
            f.write(text)
        return path

    def run(self, *args, input=None, db=True):
        """Run parley (with --db first unless db=False); returns CompletedProcess."""
        cmd = [PARLEY] + (["--db", self.db] if db else []) + list(args)
        res = subprocess.run(cmd, input=input, capture_output=True, text=True,
                             timeout=TIMEOUT, stdin=None if input is not None else subprocess.DEVNULL)
        for marker in ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer"):
            assert marker not in res.stderr, "sanitizer report:\n" + res.stderr
        return res

    def ok(self, *args, input=None):
        res = self.run(*args, input=input)
        assert res.returncode == 0, "parley %s: exit %d, stderr %r" % (
            " ".join(args), res.returncode, res.stderr)
        return res

    def init(self):
        return self.ok("init")

    def query(self, sql, params=()):
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


def post_file(title, body="Body text.", **front):
    lines = ["---", "title: " + title]
    for key, value in front.items():
        lines.append("%s: %s" % (key, value))
    lines += ["---", body, ""]
    return "\n".join(lines)


def expect_fail(res, status, *needles):
    """Exit status status, one 'parley: ' line on stderr holding every needle."""
    assert res.returncode == status, "exit %d, want %d; stderr %r" % (
        res.returncode, status, res.stderr)
    assert res.stderr.startswith("parley: "), repr(res.stderr)
    for needle in needles:
        assert needle in res.stderr, "%r not in %r" % (needle, res.stderr)


# --- usage ---------------------------------------------------------------

def test_help_and_usage_errors():
    with Tmp() as t:
        for args in (["--help"], ["help"], ["post", "--help"]):
            res = t.run(*args, db=False)
            assert res.returncode == 0, res
            assert "usage: parley" in res.stdout and "import DIR" in res.stdout, res.stdout
        expect_fail(t.run(db=False), 2, "usage: parley", "--help")
        expect_fail(t.run("frobnicate"), 2, "unknown command 'frobnicate'")
        expect_fail(t.run("init", "--db", db=False), 2, "--db needs a value")
        expect_fail(t.run("init", "extra"), 2, "usage")
        expect_fail(t.run("post"), 2, "usage: parley post")
        expect_fail(t.run("post", "add"), 2, "usage: parley post")
        expect_fail(t.run("post", "rm"), 2)
        expect_fail(t.run("post", "publish", "x"), 2)
        expect_fail(t.run("user"), 2, "usage: parley user")
        expect_fail(t.run("user", "add"), 2)
        expect_fail(t.run("import"), 2, "usage: parley import")
        expect_fail(t.run("backup"), 2, "usage: parley backup")
        expect_fail(t.run("backup", "a", "b"), 2)
        expect_fail(t.run("check", "now"), 2)
        expect_fail(t.run("--config", t.path("missing.conf"), "check"), 2, "missing.conf")
        res = t.run("--version", db=False)
        assert res.returncode == 0 and res.stdout.startswith("parley "), res


def test_every_usage_error_is_one_line():
    with Tmp() as t:
        t.init()
        cases = [
            [], ["frobnicate"], ["init", "extra"], ["check", "extra"], ["user"],
            ["user", "add"], ["user", "add", "a", "b"], ["user", "list", "x"], ["post"],
            ["post", "add"], ["post", "list", "x"], ["post", "rm"], ["post", "rm", "a", "b"],
            ["import"], ["import", "a", "b"], ["import-wordpress"], ["comments"],
            ["comments", "list", "extra"], ["comments", "list", "--status"],
            ["comments", "list", "--status", "bogus"], ["comments", "list", "--status=bogus"],
            ["comments", "approve"], ["comments", "approve", "abc"],
            ["comments", "reject", "1", "2x"], ["comments", "delete", "-1"],
            ["comments", "spam", "0"], ["comments", "erase"], ["comments", "erase", "--email"],
            ["comments", "erase", "--email="], ["comments", "erase", "--email", ""],
            ["backup"], ["backup", "a", "b"], ["backup", ""], ["backup", "--bogus", "a"],
        ]
        for args in cases:
            res = t.run(*args)
            expect_fail(res, 2)
            assert len(res.stderr.splitlines()) == 1, (args, res.stderr)
        res = t.run("comments", "list", "--status", "bogus")
        assert "bogus" in res.stderr and "pending" in res.stderr, res.stderr
        expect_fail(t.run("comments", "approve", "abc"), 2, "'abc' is not a comment id")


def test_comments_commands_do_the_rest_when_an_id_is_missing():
    with Tmp() as t:
        t.init()
        t.ok("post", "add", t.write("p.md", post_file("Commented")))
        conn = sqlite3.connect(t.db)
        for author in ("Ann", "Bo"):
            conn.execute("INSERT INTO comments (post_id, author, email, body_md, body_html, "
                         "created_at) SELECT id, ?, 'x@example.org', 'Hi', '<p>Hi</p>', 1 "
                         "FROM posts", (author,))
        conn.commit()
        conn.close()
        ids = [row[0] for row in t.query("SELECT id FROM comments ORDER BY id")]
        res = t.run("comments", "approve", str(ids[0]), "999", str(ids[1]))
        expect_fail(res, 1, "no comment 999")
        assert len(res.stderr.splitlines()) == 1, res.stderr
        assert res.stdout.splitlines() == ["approved %d" % ids[0], "approved %d" % ids[1]], res
        assert t.query("SELECT status FROM comments") == [("approved",), ("approved",)]
        res = t.ok("comments", "list", "--status", "approved")
        assert len(res.stdout.splitlines()) == 2 and "Ann" in res.stdout, res.stdout
        res = t.ok("comments", "erase", "--email", "x@example.org")
        assert res.stdout.strip() == "erased 2 comments", res.stdout


def test_missing_database_fails():
    with Tmp() as t:
        for args in (["post", "list"], ["user", "list"], ["check"], ["backup", t.path("b.db")]):
            expect_fail(t.run(*args), 1, "parley init")
        assert not os.path.exists(t.db)


# --- init -----------------------------------------------------------------

def test_init_creates_and_is_idempotent():
    with Tmp() as t:
        res = t.init()
        assert res.stdout.startswith("created"), res.stdout
        versions = sorted(int(n.split("_")[0]) for n in os.listdir(os.path.join(SOURCE_DIR, "sql"))
                          if n[0].isdigit() and n.endswith(".sql"))
        assert t.query("PRAGMA user_version") == [(versions[-1],)]
        assert t.query("PRAGMA journal_mode") == [("wal",)]
        secret = t.query("SELECT value FROM settings WHERE key = 'secret'")
        assert len(secret) == 1 and len(secret[0][0]) == 64, secret
        res = t.init()
        assert res.stdout.strip() == "up to date", res.stdout
        assert t.query("SELECT value FROM settings WHERE key = 'secret'") == secret
        # Flags after the subcommand, and --db=PATH.
        res = subprocess.run([PARLEY, "init", "--db=" + t.db], capture_output=True, text=True,
                             timeout=TIMEOUT)
        assert res.returncode == 0 and res.stdout.strip() == "up to date", res


def test_init_migrates_an_old_database():
    with Tmp() as t:
        # A database left at version 1 by an older parley.
        with open(os.path.join(SOURCE_DIR, "sql", "0001_init.sql")) as f:
            first = f.read()
        conn = sqlite3.connect(t.db, isolation_level=None)
        conn.executescript(first + "\n;PRAGMA user_version = 1;")
        conn.close()
        newest = max(int(n.split("_")[0]) for n in os.listdir(os.path.join(SOURCE_DIR, "sql"))
                     if n[0].isdigit() and n.endswith(".sql"))
        res = t.init()
        if newest > 1:
            assert res.stdout.strip() == "migrated to version %d" % newest, res.stdout
        else:
            assert res.stdout.strip() == "up to date", res.stdout
        assert t.query("PRAGMA user_version") == [(newest,)]
        assert len(t.query("SELECT value FROM settings WHERE key = 'secret'")) == 1
        # A database newer than this parley is refused, not touched.
        conn = sqlite3.connect(t.db)
        conn.execute("PRAGMA user_version = %d" % (newest + 1))
        conn.close()
        expect_fail(t.run("init"), 1, "newer")
        expect_fail(t.run("post", "list"), 1, "schema version")


def test_init_refuses_a_non_database():
    with Tmp() as t:
        t.write("parley.db", "this is not SQLite " * 100)
        expect_fail(t.run("init"), 1)
        expect_fail(t.run("--db", t.path("no/such/dir/x.db"), "init", db=False), 1)


def test_database_paths_that_are_not_parley_databases():
    with Tmp() as t:
        os.mkdir(t.path("folder"))
        t.write("text.db", "this is not SQLite " * 100)
        # Another program's SQLite file, in rollback-journal mode.
        conn = sqlite3.connect(t.path("other.db"))
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
        conn.close()
        for args in (["check"], ["post", "list"], ["comments", "approve", "1"],
                     ["backup", t.path("b.db")]):
            res = t.run("--db", t.path("folder"), *args, db=False)
            expect_fail(res, 1, "folder", "not a database file")
            assert len(res.stderr.splitlines()) == 1, res.stderr
            res = t.run("--db", t.path("text.db"), *args, db=False)
            expect_fail(res, 1, "text.db", "not a usable SQLite database")
            assert len(res.stderr.splitlines()) == 1, res.stderr
            res = t.run("--db", t.path("other.db"), *args, db=False)
            expect_fail(res, 1, "schema version 0", "parley init")
        expect_fail(t.run("--db", t.path("folder"), "init", db=False), 1, "not a database file")
        # Refused unchanged: not switched to WAL, no files made beside it.
        conn = sqlite3.connect(t.path("other.db"))
        assert conn.execute("PRAGMA journal_mode").fetchall() == [("delete",)]
        conn.close()
        assert not os.path.exists(t.path("other.db-wal")), os.listdir(t.dir)
        assert not os.path.exists(t.path("b.db"))


def _run_as_nobody(args):
    """Run parley as nobody (we are root) or as ourselves; text CompletedProcess.
    The harness's copy of the program, which nobody can reach from a clone
    in a folder only root may enter."""
    return subprocess.run([os.path.join(PROGRAM_DIR, "parley")] + args, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT, **_as_run_user())


def test_read_only_database():
    with Tmp() as t:
        os.chmod(t.dir, 0o755)
        # A read-only file in a folder the user may write: reads work, changes are refused.
        shared = t.path("shared")
        os.mkdir(shared)
        db = os.path.join(shared, "parley.db")
        t.ok("--db", db, "init")
        t.ok("--db", db, "post", "add", t.write("p.md", post_file("Read only")))
        os.chmod(t.path("p.md"), 0o644)
        os.chmod(shared, 0o777)
        os.chmod(db, 0o444)
        res = _run_as_nobody(["--db", db, "post", "list"])
        assert res.returncode == 0 and res.stdout.startswith("read-only\t"), res
        assert _run_as_nobody(["--db", db, "check"]).returncode == 0
        for args in (["post", "rm", "read-only"], ["post", "add", t.path("p.md")],
                     ["comments", "approve", "1"], ["comments", "erase", "--email", "a@b.c"],
                     ["user", "del", "alice"]):
            res = _run_as_nobody(["--db", db] + args)
            expect_fail(res, 1, db, "read-only")
            assert len(res.stderr.splitlines()) == 1, (args, res.stderr)
        res = _run_as_nobody(["--db", db, "post", "list"])
        assert len(res.stdout.splitlines()) == 1, res     # the post is still there
        # A read-only file in a read-only folder: SQLite cannot even read it in WAL mode.
        os.chmod(shared, 0o755)
        for name in os.listdir(shared):
            if name != "parley.db":
                os.unlink(os.path.join(shared, name))
        res = _run_as_nobody(["--db", db, "post", "list"])
        expect_fail(res, 1, db, "read-only")
        assert len(res.stderr.splitlines()) == 1, res.stderr


def test_config_file_supplies_the_database():
    with Tmp() as t:
        conf = t.write("parley.conf", "# test\ndb = %s\nsite_title = Test\n" % t.db)
        res = t.run("--config", conf, "init", db=False)
        assert res.returncode == 0 and res.stdout.startswith("created"), res
        t.write("p.md", post_file("From config"))
        res = t.run("post", "add", t.path("p.md"), "--config", conf, db=False)
        assert res.returncode == 0 and res.stdout.strip() == "added from-config", res
        bad = t.write("bad.conf", "no_such_key = 1\n")
        expect_fail(t.run("--config", bad, "check", db=False), 2, "bad.conf:1")


# --- users ----------------------------------------------------------------

def test_user_add_list_passwd_del():
    with Tmp() as t:
        t.init()
        res = t.ok("user", "add", "alice", input=PASSWORD + "\n")
        rows = t.query("SELECT name, pwhash FROM users")
        assert len(rows) == 1 and rows[0][0] == "alice", rows
        first_hash = rows[0][1]
        assert first_hash.startswith("$argon2id$"), first_hash
        assert PASSWORD not in first_hash and "horse" not in first_hash
        # Without a trailing newline, too.
        t.ok("user", "add", "bob.smith-2", input=PASSWORD)
        res = t.ok("user", "list")
        names = [line.split("\t")[0] for line in res.stdout.splitlines()]
        assert names == ["alice", "bob.smith-2"], res.stdout
        assert res.stdout.splitlines()[0].split("\t")[1].endswith("Z")

        expect_fail(t.run("user", "add", "alice", input=PASSWORD + "\n"), 1, "already exists")
        expect_fail(t.run("user", "add", "carol", input="short\n"), 1, "shorter than 8")
        expect_fail(t.run("user", "add", "carol", input="\n"), 1, "empty")
        expect_fail(t.run("user", "add", "carol", input=""), 1, "empty")
        expect_fail(t.run("user", "add", "carol", input="x" * 2000 + "\n"), 1, "longer")
        expect_fail(t.run("user", "add", "bad name", input=PASSWORD), 2, "bad user name")
        expect_fail(t.run("user", "add", "x" * 65, input=PASSWORD), 2, "bad user name")
        expect_fail(t.run("user", "add", "<script>", input=PASSWORD), 2)
        assert t.query("SELECT count(*) FROM users") == [(2,)]

        t.ok("user", "passwd", "alice", input="another long password\n")
        second_hash = t.query("SELECT pwhash FROM users WHERE name = 'alice'")[0][0]
        assert second_hash.startswith("$argon2id$") and second_hash != first_hash
        expect_fail(t.run("user", "passwd", "nobody-here", input=PASSWORD), 1, "no user")
        expect_fail(t.run("user", "passwd", "alice", input="short"), 1)
        assert t.query("SELECT pwhash FROM users WHERE name = 'alice'")[0][0] == second_hash

        # Deleting a user ends their sessions.
        conn = sqlite3.connect(t.db)
        conn.execute("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) "
                     "SELECT 'abc', id, 'def', 1, 1 FROM users WHERE name = 'alice'")
        conn.commit()
        conn.close()
        t.ok("user", "del", "alice")
        assert t.query("SELECT name FROM users") == [("bob.smith-2",)]
        assert t.query("SELECT count(*) FROM sessions") == [(0,)]
        expect_fail(t.run("user", "del", "alice"), 1, "no user alice")


def _on_terminal(args, answers):
    """Run parley on a pseudo-terminal, answering each prompt in turn.

    Returns (exit status, everything the terminal showed)."""
    import pty
    import select
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(PARLEY, [PARLEY] + args)
        finally:
            os._exit(127)
    shown = b""
    pending = list(answers)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:         # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        prompts = shown.count(b"New password:") + shown.count(b"Repeat it:")
        if pending and prompts > len(answers) - len(pending):
            os.write(fd, pending.pop(0).encode() + b"\n")
    else:
        os.kill(pid, signal.SIGKILL)    # stuck: fail, never hang the suite
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def test_user_add_prompts_on_a_terminal_without_echo():
    with Tmp() as t:
        t.init()
        code, shown = _on_terminal(["--db", t.db, "user", "add", "terry"],
                                   [PASSWORD, PASSWORD])
        assert code == 0, (code, shown)
        assert "New password:" in shown and "Repeat it:" in shown, shown
        assert PASSWORD not in shown, "the password was echoed: %r" % shown
        assert t.query("SELECT name FROM users") == [("terry",)]
        code, shown = _on_terminal(["--db", t.db, "user", "add", "uma"],
                                   [PASSWORD, PASSWORD + "x"])
        assert code == 1 and "differ" in shown, (code, shown)
        assert t.query("SELECT count(*) FROM users") == [(1,)]


# --- posts ----------------------------------------------------------------

def test_post_add_update_list_rm():
    with Tmp() as t:
        t.init()
        path = t.write("peer.md", post_file(
            "Peer work is not a cheaper nurse", "Some *emphasis*.\n\n<script>x()</script>",
            date="2026-04-26T09:30:00Z", author="Sam Rivera", tags="peer work, Unions"))
        res = t.ok("post", "add", path)
        assert res.stdout.strip() == "added peer-work-is-not-a-cheaper-nurse", res.stdout
        rows = t.query("SELECT slug, title, author, published_at, draft, comments_open, "
                       "body_html, body_text FROM posts")
        assert len(rows) == 1, rows
        slug, title, author, published, draft, comments_open, html, text = rows[0]
        assert title == "Peer work is not a cheaper nurse" and author == "Sam Rivera"
        assert published == 1777195800 and draft == 0 and comments_open == 1
        assert "<em>emphasis</em>" in html and "<script" not in html, html
        assert "Some emphasis." in text, text
        tags = t.query("SELECT t.name, t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id "
                       "ORDER BY t.slug")
        assert tags == [("peer work", "peer-work"), ("Unions", "unions")], tags

        # The same slug again updates in place; tags are replaced.
        t.write("peer.md", post_file("Peer work is not a cheaper nurse", "Revised.",
                                     date="2026-04-26T09:30:00Z", tags="unions",
                                     comments="closed"))
        res = t.ok("post", "add", path)
        assert res.stdout.strip() == "updated peer-work-is-not-a-cheaper-nurse", res.stdout
        assert t.query("SELECT count(*), min(body_text), min(comments_open) FROM posts") == \
            [(1, "Revised.", 0)]
        assert t.query("SELECT slug FROM tags") == [("unions",)]

        draft = t.write("draft.md", post_file("Work in progress", slug="wip", draft="true"))
        assert t.ok("post", "add", draft).stdout.strip() == "added wip"
        res = t.ok("post", "list")
        lines = [line.split("\t") for line in res.stdout.splitlines()]
        assert len(lines) == 2, res.stdout
        by_slug = {fields[0]: fields for fields in lines}
        assert by_slug["peer-work-is-not-a-cheaper-nurse"] == [
            "peer-work-is-not-a-cheaper-nurse", "2026-04-26T09:30:00Z", "published",
            "Peer work is not a cheaper nurse", "0"], lines
        assert by_slug["wip"][2] == "draft" and by_slug["wip"][3] == "Work in progress"
        assert lines[0][0] == "wip"     # dated now: newest first

        assert t.ok("post", "rm", "wip").stdout.strip() == "removed wip"
        expect_fail(t.run("post", "rm", "wip"), 1, "no post wip")
        assert t.query("SELECT slug FROM posts") == [("peer-work-is-not-a-cheaper-nurse",)]


def test_post_update_keeps_date_when_none_given():
    with Tmp() as t:
        t.init()
        path = t.write("p.md", post_file("Dated", slug="dated"))
        t.ok("post", "add", path)
        first = t.query("SELECT published_at FROM posts")[0][0]
        assert abs(first - time.time()) < 120, first
        conn = sqlite3.connect(t.db)
        conn.execute("UPDATE posts SET published_at = 1000000000")
        conn.commit()
        conn.close()
        t.ok("post", "add", path)
        assert t.query("SELECT published_at FROM posts") == [(1000000000,)]


def test_post_add_bad_files():
    with Tmp() as t:
        t.init()
        cases = [
            ("nofence.md", "title: x\n\nbody\n", ":1:", "front-matter"),
            ("noclose.md", "---\ntitle: x\nbody\n", ":3:", "key: value"),
            ("eof.md", "---\ntitle: x\n", ":2:", "no closing ---"),
            ("unknown.md", "---\ntitle: x\ncolour: red\n---\n", ":3:", "unknown key 'colour'"),
            ("notitle.md", "---\nauthor: y\n---\nbody\n", ":3:", "no title"),
            ("baddate.md", "---\ntitle: x\ndate: tomorrow\n---\n", ":3:", "bad date"),
            ("badslug.md", "---\ntitle: x\nslug: Bad Slug\n---\n", ":3:", "bad slug"),
            ("utf8.md", b"---\ntitle: x\n---\nbad \xc3\x28\n", ":4:", "UTF-8"),
            ("nul.md", b"---\ntitle: x\n---\nnul \x00 here\n", ":4:", "NUL"),
        ]
        for name, text, line, what in cases:
            path = t.write(name, text)
            res = t.run("post", "add", path)
            expect_fail(res, 1, path + line, what)
            assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert t.query("SELECT count(*) FROM posts") == [(0,)]
        expect_fail(t.run("post", "add", t.path("missing.md")), 1, "missing.md")

        # One bad file among good ones: the good ones still go in, exit 1.
        good1 = t.write("good1.md", post_file("Good one"))
        good2 = t.write("good2.md", post_file("Good two"))
        res = t.run("post", "add", good1, t.path("unknown.md"), good2)
        expect_fail(res, 1, "unknown.md:3:")
        assert res.stdout.split() == ["added", "good-one", "added", "good-two"], res.stdout
        assert t.query("SELECT slug FROM posts ORDER BY slug") == [("good-one",), ("good-two",)]


def test_post_add_crlf_bom_and_empty_bodies():
    with Tmp() as t:
        t.init()
        files = {
            "crlf.md": b"---\r\ntitle: Windows line ends\r\ntags: one, two\r\n---\r\n"
                       b"First *para*.\r\n\r\nSecond.\r\n",
            "bom.md": b"\xef\xbb\xbf---\ntitle: Byte order mark\n---\nHello.\n",
            "empty.md": b"---\ntitle: Nothing to say\n---\n",
            "bare.md": b"\xef\xbb\xbf---\r\ntitle: No final newline\r\n---",
        }
        for name, text in files.items():
            t.ok("post", "add", t.write(name, text))
        rows = dict((r[0], r[1:]) for r in t.query("SELECT slug, title, body_html FROM posts"))
        assert rows["windows-line-ends"][0] == "Windows line ends"
        assert "<em>para</em>" in rows["windows-line-ends"][1] and \
            "<p>Second.</p>" in rows["windows-line-ends"][1], rows
        assert rows["byte-order-mark"] == ("Byte order mark", "<p>Hello.</p>\n"), rows
        assert rows["nothing-to-say"] == ("Nothing to say", ""), rows
        assert rows["no-final-newline"] == ("No final newline", ""), rows
        assert t.query("SELECT name FROM tags ORDER BY name") == [("one",), ("two",)]
        # Only a fence, or nothing at all: a clear error with the line.
        expect_fail(t.run("post", "add", t.write("fence.md", "---\n")), 1, "fence.md:1:")
        expect_fail(t.run("post", "add", t.write("zero.md", "")), 1, "zero.md:1:")


def test_raw_html_only_when_configured():
    with Tmp() as t:
        t.init()
        path = t.write("raw.md", post_file("Raw", '<div class="box">hi</div>'))
        t.ok("post", "add", path)
        assert "<div" not in t.query("SELECT body_html FROM posts")[0][0]
        conf = t.write("raw.conf", "allow_raw_html = true\n")
        res = t.run("--config", conf, "post", "add", path)
        assert res.returncode == 0, res
        assert '<div class="box">hi</div>' in t.query("SELECT body_html FROM posts")[0][0]


def test_import_directory():
    with Tmp() as t:
        t.init()
        src = t.path("posts")
        os.mkdir(src)
        t.write("posts/02-second.md", post_file("Second", date="2026-01-02"))
        t.write("posts/01-first.md", post_file("First", date="2026-01-01"))
        t.write("posts/03-third.md", post_file("Third", tags="a, b"))
        t.write("posts/notes.txt", "not a post")
        t.write("posts/.hidden.md", "---\nbroken")
        res = t.ok("import", src)
        out = res.stdout.splitlines()
        assert out == ["added first", "added second", "added third", "imported 3 posts"], out
        assert t.query("SELECT count(*) FROM posts") == [(3,)]

        # Again: updates; a bad file is named with its line, the rest still go in.
        t.write("posts/00-bad.md", "---\ntitle: Bad\ndraft: perhaps\n---\n")
        res = t.run("import", src)
        expect_fail(res, 1, os.path.join(src, "00-bad.md") + ":3:", "draft")
        assert res.stdout.splitlines() == ["updated first", "updated second", "updated third",
                                           "imported 3 posts, 1 file failed"], res.stdout
        assert t.query("SELECT count(*) FROM posts") == [(3,)]

        expect_fail(t.run("import", t.path("nowhere")), 1, "nowhere")
        empty = t.path("empty")
        os.mkdir(empty)
        res = t.ok("import", empty)
        assert res.stdout.strip() == "imported 0 posts", res.stdout


# --- backup and check -----------------------------------------------------

def test_backup_makes_an_openable_copy():
    with Tmp() as t:
        t.init()
        t.ok("user", "add", "alice", input=PASSWORD)
        for i in range(5):
            t.ok("post", "add", t.write("p%d.md" % i, post_file("Post %d" % i, tags="t%d" % i)))
        copy = t.path("copy.db")
        res = t.ok("backup", copy)
        assert "copy.db" in res.stdout
        assert stat.S_IMODE(os.stat(copy).st_mode) & 0o077 == 0, oct(os.stat(copy).st_mode)
        conn = sqlite3.connect(copy)
        slugs = conn.execute("SELECT slug FROM posts ORDER BY slug").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'post'") \
            .fetchall() == [(5,)]
        conn.close()
        assert slugs == t.query("SELECT slug FROM posts ORDER BY slug") and len(slugs) == 5
        # The copy is a working parley database.
        res = t.run("--db", copy, "post", "list", db=False)
        assert res.returncode == 0 and len(res.stdout.splitlines()) == 5, res
        assert not [n for n in os.listdir(t.dir) if ".tmp-" in n], os.listdir(t.dir)

        # An existing file is kept unless --force.
        t.ok("post", "rm", "post-0")
        expect_fail(t.run("backup", copy), 1, "exists", "--force")
        conn = sqlite3.connect(copy)
        assert conn.execute("SELECT count(*) FROM posts").fetchall() == [(5,)]
        conn.close()
        t.ok("backup", "--force", copy)
        conn = sqlite3.connect(copy)
        assert conn.execute("SELECT count(*) FROM posts").fetchall() == [(4,)]
        conn.close()
        res = t.run("backup", t.path("no/such/dir/b.db"))
        expect_fail(res, 1, "no/such/dir/b.db: No such file")
        assert ".tmp-" not in res.stderr, res.stderr

        # Never over the live database, even with --force.
        for args in (["--force", t.db], [t.db]):
            res = t.run("backup", *args)
            expect_fail(res, 1, "the database itself")
        assert t.query("SELECT count(*) FROM posts") == [(4,)]
        assert len(t.query("SELECT name FROM users")) == 1


def test_check_reports_ok_and_problems():
    with Tmp() as t:
        t.init()
        t.ok("post", "add", t.write("p.md", post_file("Checked")))
        res = t.ok("check")
        assert res.stdout.strip() == "ok", res.stdout
        # A comment pointing at a post that is not there (foreign keys off).
        conn = sqlite3.connect(t.db)
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO comments (post_id, author, body_md, body_html, created_at) "
                     "VALUES (999, 'x', 'y', '<p>y</p>', 1)")
        conn.commit()
        conn.close()
        res = t.run("check")
        expect_fail(res, 1, "problem")
        assert "comments" in res.stdout and "posts" in res.stdout, res.stdout


def test_check_warns_when_other_users_can_read_the_database():
    with Tmp() as t:
        t.init()
        assert stat.S_IMODE(os.stat(t.dir).st_mode) == 0o700
        assert t.ok("check").stdout == "ok\n"
        os.chmod(t.db, 0o644)
        lines = t.ok("check").stdout.splitlines()
        assert lines[-1] == "ok", lines
        assert lines[0] == "warning: %s is readable by other users (mode 0644): chmod o-rwx %s" % (
            t.db, t.db), lines
        os.chmod(t.db, 0o600)
        # A -wal file left open to others, and the folder.
        # (SQLite gives an empty -wal the database's mode: this one holds a change.)
        conn = sqlite3.connect(t.db)
        conn.execute("INSERT INTO rate_events (bucket, at) VALUES ('test', 1)")
        conn.commit()
        try:
            os.chmod(t.db + "-wal", 0o602)
            os.chmod(t.dir, 0o755)
            lines = t.ok("check").stdout.splitlines()
        finally:
            conn.close()
        assert lines == [
            "warning: %s-wal is writable by other users (mode 0602): chmod o-rwx %s-wal" % (t.db, t.db),
            "warning: %s, the database's folder, is readable by other users (mode 0755): "
            "chmod o-rwx %s" % (t.dir, t.dir),
            "ok"], lines
        # Relative to the working folder.
        os.chmod(t.dir, 0o700)
        res = subprocess.run([PARLEY, "--db", "parley.db", "check"], cwd=t.dir, capture_output=True,
                             text=True, timeout=TIMEOUT)
        assert res.returncode == 0 and res.stdout == "ok\n", res


# --- runner ---------------------------------------------------------------

def main(namespace=None):
    """Run the test_* functions of namespace (this module's by default) and exit."""
    if not os.access(PARLEY, os.X_OK):
        print("skip: %s is not built" % PARLEY)
        sys.exit(77)
    wanted = sys.argv[1:]
    tests = [(name, fn) for name, fn in (namespace or globals()).items()
             if name.startswith("test_") and callable(fn)
             and (not wanted or any(w in name for w in wanted))]
    passed = failed = 0
    for name, fn in tests:
        start = time.monotonic()
        try:
            fn()
        except Exception:
            failed += 1
            print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - start, traceback.format_exc()),
                  flush=True)
            continue
        passed += 1
        print("ok %s (%.1fs)" % (name, time.monotonic() - start), flush=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

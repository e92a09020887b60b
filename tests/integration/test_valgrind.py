"""test_valgrind.py: the command line and one CGI request of each kind, under valgrind.

A plain (not ASan) build's `parley` and `parley-blog` run under memcheck:
reads of uninitialised or freed memory, bad frees and definite leaks all
fail the test.  Skipped (exit 77) when valgrind is missing or when
PARLEY_BUILD_DIR is a sanitizer build, whose binaries valgrind cannot run.
"""

import os
import shutil
import subprocess
import sys
import urllib.parse

from harness import BUILD_DIR, IS_ROOT, RUN_USER, CgiResponse, Site, _as_run_user, run_tests

VALGRIND = shutil.which("valgrind")
VALGRIND_ERRORS = 99
VALGRIND_CMD = [VALGRIND or "valgrind", "--quiet", "--error-exitcode=%d" % VALGRIND_ERRORS,
                "--leak-check=full", "--errors-for-leak-kinds=definite",
                "--child-silent-after-fork=yes"]
TIMEOUT = 60


def sanitizer_build():
    """Does PARLEY_BUILD_DIR hold an ASan build (PARLEY_SANITIZE on)?"""
    try:
        with open(os.path.join(BUILD_DIR, "CMakeCache.txt")) as f:
            return any(line.strip() == "PARLEY_SANITIZE:BOOL=ON" for line in f)
    except OSError:
        return False


def memcheck(cmd, env=None, input=None, as_run_user=False):
    """Run cmd under valgrind; returns the CompletedProcess (bytes).  Fails on
    any valgrind error, with valgrind's report in the message."""
    kw = _as_run_user() if as_run_user else {}
    res = subprocess.run(VALGRIND_CMD + cmd, input=input if input is not None else b"",
                         capture_output=True, env=env, timeout=TIMEOUT, **kw)
    stderr = res.stderr.decode("utf-8", "replace")
    assert res.returncode != VALGRIND_ERRORS, \
        "valgrind errors in %s:\n%s" % (" ".join(cmd), stderr[-6000:])
    return res


def parley(s, *args, input=None):
    """`parley ARGS` on the site's database, as nobody when root; asserts exit 0."""
    cmd = [s.binary("parley"), "--config", s.conf_path, "--db", s.db_path] + list(args)
    res = memcheck(cmd, input=input, as_run_user=True)
    assert res.returncode == 0, "parley %s: exit %d: %s" % (
        " ".join(args), res.returncode, res.stderr.decode("utf-8", "replace"))
    return res.stdout.decode("utf-8", "replace")


def cgi(s, method, uri, body=b"", content_type=None):
    """One plain CGI request to parley-blog under valgrind; returns a CgiResponse."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LISTEN_FDS", "LISTEN_PID") and not k.startswith("HTTP_")}
    path, _, query = uri.partition("?")
    env.update(REQUEST_METHOD=method, REQUEST_URI=uri, QUERY_STRING=query,
               SCRIPT_NAME=path, GATEWAY_INTERFACE="CGI/1.1", SERVER_PROTOCOL="HTTP/1.1",
               SERVER_NAME="127.0.0.1", SERVER_PORT="80", REMOTE_ADDR="192.0.2.9",
               HTTP_HOST="127.0.0.1", CONTENT_LENGTH=str(len(body)))
    if content_type:
        env.update(CONTENT_TYPE=content_type, HTTP_ORIGIN=s.origin)
    cmd = [s.binary("parley-blog"), "--config", s.conf_path]
    if IS_ROOT:
        cmd += ["--user", RUN_USER]
    res = memcheck(cmd, env=env, input=body)
    assert res.returncode == 0, "CGI %s %s: exit %d: %s" % (
        method, uri, res.returncode, res.stderr.decode("utf-8", "replace"))
    return CgiResponse(res.stdout)


def test_command_line_under_valgrind():
    with Site(serve=False) as s:
        os.unlink(s.db_path)
        assert "created" in parley(s, "init")
        path = os.path.join(s.tmp, "post.md")
        with open(path, "w") as f:
            f.write("---\ntitle: Checked by valgrind\ntags: memory, tools\n---\n"
                    "Some *Markdown* with [a link](https://example.org/).\n")
        os.chmod(path, 0o644)
        assert parley(s, "post", "add", path).strip() == "added checked-by-valgrind"
        conn = s.db()
        conn.execute("INSERT INTO comments (post_id, author, email, body_md, body_html, "
                     "created_at, status) SELECT id, 'Val', 'val@example.org', 'Hi', "
                     "'<p>Hi</p>', 1700000000, 'pending' FROM posts")
        conn.commit()
        conn.close()
        out = parley(s, "comments", "list")
        assert "pending" in out and "checked-by-valgrind" in out and "Val" in out, out
        backup = os.path.join(s.tmp, "copy.db")
        assert "copy.db" in parley(s, "backup", backup)
        assert os.path.getsize(backup) > 0
        # The test's folder may be readable by others (a warning line); the check itself passes.
        lines = parley(s, "check").strip().split("\n")
        assert lines[-1] == "ok" and all(l.startswith("warning: ") for l in lines[:-1]), lines


def test_cgi_requests_under_valgrind():
    with Site(serve=False, conf={"min_form_seconds": "0"}) as s:
        s.add_post(title="Memory checked", slug="memory-checked", body="A *post*.")
        page = cgi(s, "GET", "/")
        assert page.status == 200 and b"Memory checked" in page.body, page.raw[:300]
        page = cgi(s, "GET", "/posts/memory-checked")
        assert page.status == 200 and b'id="comment-form"' in page.body, page.raw[:300]
        page = cgi(s, "GET", "/posts/no-such-post")
        assert page.status == 404, page.raw[:300]
        page = cgi(s, "GET", "/feed.atom")
        assert page.status == 200 and b"<feed" in page.body, page.raw[:300]
        # A made-up form token: stored as spam, answered like an accepted comment.
        body = urllib.parse.urlencode({"author": "Val", "email": "val@example.org",
                                       "comment": "Hello from valgrind.",
                                       "token": "forged"}).encode()
        page = cgi(s, "POST", "/posts/memory-checked/comments", body=body,
                   content_type="application/x-www-form-urlencoded")
        assert page.status == 303, page.raw[:300]
        conn = s.db()
        rows = conn.execute("SELECT author, status FROM comments").fetchall()
        conn.close()
        assert rows == [("Val", "spam")], rows


if __name__ == "__main__":
    if VALGRIND is None:
        print("skip: valgrind is not installed")
        sys.exit(77)
    if sanitizer_build():
        print("skip: %s is a sanitizer build; valgrind needs a plain one" % BUILD_DIR)
        sys.exit(77)
    run_tests(globals())

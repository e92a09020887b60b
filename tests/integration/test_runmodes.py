"""test_runmodes.py: the responders' flags, start-up errors and the three ways they run.

SPEC "Programs": a spawner's socket on fd 0 (spawn-fcgi) or systemd's fd 3
(LISTEN_FDS), --listen unix:/path or HOST:PORT, and plain CGI; --help,
--version; bad flags or an unusable database give one line on stderr and
exit 2; root without --user is refused.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile

from harness import (PROGRAM_DIR, IS_ROOT, RUN_USER, Site, Skip, crash_report,
                     fcgi_request, free_port, run_tests)
from responder_util import clean_env, responders, start, user_flag, wait_answers

BLOG = os.path.join(PROGRAM_DIR, "parley-blog")
MODERATE = os.path.join(PROGRAM_DIR, "parley-moderate")
SPAWN_FCGI = shutil.which("spawn-fcgi") or "/usr/bin/spawn-fcgi"


def run(cmd, env=None, timeout=30, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                         stdin=subprocess.DEVNULL, env=env, timeout=timeout, **kw)
    crash = crash_report(res.stderr)
    assert crash is None and res.returncode >= 0, \
        "%s crashed (%s): %s" % (cmd[0], res.returncode, res.stderr)
    return res


def assert_usage_error(res, must_mention=None):
    """Exit 2 and exactly one non-empty line on stderr (mentioning must_mention)."""
    lines = res.stderr.splitlines()
    assert res.returncode == 2, "exit %d, wanted 2; stderr: %r" % (res.returncode, res.stderr)
    assert len(lines) == 1 and lines[0].strip(), "wanted one line on stderr, got %r" % res.stderr
    if must_mention:
        assert must_mention in lines[0], "%r does not mention %r" % (lines[0], must_mention)


def assert_served(res, what):
    """A response the site produced: a real status, the security headers."""
    assert res.status in (200, 404), "%s: status %d: %r" % (what, res.status, res.body[:300])
    assert "default-src" in res.headers.get("content-security-policy", ""), \
        "%s: no Content-Security-Policy in %r" % (what, res.headers)
    assert res.headers.get("x-content-type-options") == "nosniff", what
    assert b"<html" in res.body.lower() or b"<!doctype" in res.body.lower(), \
        "%s: not a page: %r" % (what, res.body[:200])


POST_TITLE = "Served in every mode"
POST_TEXT = "A sentence only this post holds: quince-lantern-42."


def seed_post(s):
    """A published post the run-mode tests fetch for real; returns its path."""
    return "/posts/" + s.add_post(title=POST_TITLE, body=POST_TEXT, slug="served-in-every-mode")


def assert_real_pages(address, what, post):
    """The post page and the index over FastCGI at address, with their content."""
    res = fcgi_request(address, uri=post)
    assert res.status == 200, "%s: %s answered %d" % (what, post, res.status)
    assert_served(res, what + " post page")
    body = res.body.decode("utf-8")
    assert POST_TEXT in body and POST_TITLE in body, "%s: the post page lacks its text" % what
    res = fcgi_request(address, uri="/")
    assert res.status == 200, "%s: / answered %d" % (what, res.status)
    assert ('href="%s"' % post) in res.body.decode("utf-8"), "%s: the index lacks the post" % what
    res = fcgi_request(address, uri="/posts/no-such-post")
    assert res.status == 404, "%s: a missing post answered %d" % (what, res.status)


@contextlib.contextmanager
def process(cmd, env=None, pass_fds=(), preexec_fn=None):
    """Run a long-lived responder; on leaving, stop it and fail on a sanitizer report."""
    folder = tempfile.mkdtemp(prefix="parley-runmode-")
    try:
        with start(cmd, folder, env=env, pass_fds=pass_fds, preexec_fn=preexec_fn) as r:
            yield r.proc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ flags

def test_help_and_version():
    for b in responders():
        name = os.path.basename(b)
        res = run([b, "--help"])
        assert res.returncode == 0, "%s --help exit %d" % (name, res.returncode)
        assert "usage" in res.stdout.lower() and "--listen" in res.stdout, res.stdout
        res = run([b, "--version"])
        assert res.returncode == 0, "%s --version exit %d" % (name, res.returncode)
        assert res.stdout.startswith(name + " ") and res.stdout.strip().split()[-1][0].isdigit(), \
            res.stdout


def test_unknown_flag_is_a_usage_error():
    for b in responders():
        assert_usage_error(run([b, "--frobnicate"]), "--frobnicate")
        assert_usage_error(run([b, "--workers"]))            # a value is missing
        assert_usage_error(run([b, "--workers", "many", "--db", "/nonexistent/x.db"]))


def test_unusable_database_is_refused():
    with Site(serve=False) as s:
        for b in responders():
            missing = os.path.join(s.tmp, "missing.db")
            res = run([b, "--config", s.conf_path, "--db", missing] + user_flag())
            assert_usage_error(res, "missing.db")
            assert not os.path.exists(missing), "a responder created the database"
            junk = os.path.join(s.tmp, "junk.db")
            with open(junk, "wb") as f:
                f.write(b"this is not an SQLite database, just bytes" * 100)
            os.chmod(junk, 0o666)
            res = run([b, "--config", s.conf_path, "--db", junk] + user_flag())
            assert_usage_error(res, "junk.db")
            # A good database the responder may not write: refused at start-up,
            # not with a 500 when the first comment or login arrives.
            ro = os.path.join(s.tmp, "ro.db")
            shutil.copyfile(s.db_path, ro)
            os.chmod(ro, 0o444)
            res = run([b, "--config", s.conf_path, "--db", ro] + user_flag())
            assert_usage_error(res, "read-only")


def test_bad_templates_dir_is_refused():
    with Site(serve=False) as s:
        for b in responders():
            res = run([b, "--config", s.conf_path, "--templates",
                       os.path.join(s.tmp, "no-such-dir")] + user_flag())
            assert_usage_error(res, "no-such-dir")
            empty = os.path.join(s.tmp, "empty-templates")
            os.makedirs(empty, exist_ok=True)
            res = run([b, "--config", s.conf_path, "--templates", empty] + user_flag())
            assert_usage_error(res)
            # A theme with a syntax error: named by file and line, at start-up.
            broken = os.path.join(s.tmp, "broken-templates")
            shutil.copytree(s.templates_dir, broken,
                            dirs_exist_ok=True)
            with open(os.path.join(broken, "error.mustache"), "a") as f:
                f.write("\n{{#unclosed}}\n")
            with open(os.path.join(broken, "admin_error.mustache"), "a") as f:
                f.write("\n{{#unclosed}}\n")
            os.system("chmod -R a+rX %s" % broken)
            res = run([b, "--config", s.conf_path, "--templates", broken] + user_flag())
            assert_usage_error(res, "mustache:")


def test_missing_config_file_is_refused():
    for b in responders():
        res = run([b, "--config", "/nonexistent/parley.conf"] + user_flag())
        assert_usage_error(res, "/nonexistent/parley.conf")


def test_root_without_user_is_refused():
    if not IS_ROOT:
        raise Skip("not running as root")
    with Site(serve=False) as s:
        for b in responders():
            sock = os.path.join(s.tmp, "root.sock")
            res = run([b, "--config", s.conf_path, "--listen", "unix:" + sock])
            assert_usage_error(res, "--user")
            # Also as CGI: the refusal comes before any request is served.
            env = clean_env()
            env.update(REQUEST_METHOD="GET", REQUEST_URI="/", GATEWAY_INTERFACE="CGI/1.1")
            res = run([b, "--config", s.conf_path], env=env)
            assert_usage_error(res, "--user")
            assert "Status:" not in res.stdout


def test_bad_listen_address_is_refused():
    with Site(serve=False) as s:
        for b in responders():
            res = run([b, "--config", s.conf_path, "--listen", "no-port-here"] + user_flag())
            assert_usage_error(res)
            res = run([b, "--config", s.conf_path, "--listen",
                       "unix:/nonexistent/dir/x.sock"] + user_flag())
            assert_usage_error(res)


# ------------------------------------------------------------------ run modes

def test_listen_unix_behind_nginx():
    # The harness's own mode: --listen unix:PATH, nginx in front.
    with Site() as s:
        c = s.client()
        assert_served(c.get("/no-such-page"), "nginx -> unix socket")
        res = c.get("/no-such-page")
        assert res.status == 404, res.status
        res = c.get("/")
        assert res.status == 200, "the index: %d" % res.status
        assert_served(res, "index")
        post = seed_post(s)
        res = c.get(post)
        assert res.status == 200, "%s: %d" % (post, res.status)
        assert POST_TEXT in res.text and POST_TITLE in res.text, res.text[:500]
        assert ('href="%s"' % post) in c.get("/").text, "the index lacks the new post"


def test_listen_tcp():
    # Both responders bind HOST:PORT themselves; parley-moderate answers its login page.
    with Site(serve=False) as s:
        post = seed_post(s)
        for b in responders():
            port = free_port()
            cmd = [b, "--config", s.conf_path, "--listen", "127.0.0.1:%d" % port,
                   "--workers", "2"] + user_flag()
            with process(cmd, env=clean_env()) as proc:
                wait_answers(("127.0.0.1", port), proc)
                if b == BLOG:
                    assert_real_pages(("127.0.0.1", port), "--listen tcp", post)
                else:
                    res = fcgi_request(("127.0.0.1", port), uri="/admin/login")
                    assert res.status == 200, "parley-moderate /admin/login over tcp: %d" % res.status
                    assert_served(res, b)
                    assert b'name="password"' in res.body, "no login form over tcp"
                    res = fcgi_request(("127.0.0.1", port), uri="/admin/")
                    assert res.status == 303, "/admin/ logged out over tcp: %d" % res.status
                    assert "/admin/login" in res.headers.get("location", ""), res.headers
                if IS_ROOT:
                    uid = _proc_uid(proc.pid)
                    assert uid == pwd.getpwnam(RUN_USER).pw_uid, "still uid %d after --user" % uid


def _proc_uid(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[2])     # effective uid
    raise AssertionError("no Uid line for pid %d" % pid)


def test_spawn_fcgi_socket_on_fd0():
    if not os.access(SPAWN_FCGI, os.X_OK):
        raise Skip("spawn-fcgi is not installed")
    with Site(serve=False) as s:
        post = seed_post(s)
        sock = os.path.join(s.tmp, "spawned.sock")
        cmd = [SPAWN_FCGI, "-n", "-s", sock, "-M", "0666"]
        if IS_ROOT:
            cmd += ["-u", RUN_USER]
        cmd += ["--", BLOG, "--config", s.conf_path, "--workers", "2"]
        with process(cmd, env=clean_env()) as proc:
            res = wait_answers(sock, proc)
            assert res.status == 404, res.status
            assert_served(res, "spawn-fcgi")
            # Several requests on the one spawned process.
            for _ in range(3):
                assert_real_pages(sock, "spawn-fcgi", post)


def test_socket_on_fd0_as_root_with_user():
    # A spawner that stays root hands fd 0; the responder drops to --user itself.
    if not IS_ROOT:
        raise Skip("not running as root")
    with Site(serve=False) as s:
        post = seed_post(s)
        sock_path = os.path.join(s.tmp, "fd0.sock")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(sock_path)
        os.chmod(sock_path, 0o666)
        lsock.listen(16)
        cmd = [BLOG, "--config", s.conf_path, "--user", RUN_USER]
        log = open(os.path.join(s.tmp, "fd0.stderr"), "w+b")
        proc = subprocess.Popen(cmd, stdin=lsock.fileno(), stdout=log, stderr=log,
                                env=clean_env())
        lsock.close()
        try:
            res = wait_answers(sock_path, proc)
            assert_served(res, "fd 0")
            assert_real_pages(sock_path, "fd 0", post)
            assert _proc_uid(proc.pid) == pwd.getpwnam(RUN_USER).pw_uid
        finally:
            proc.kill()
            proc.wait()
            log.seek(0)
            text = log.read().decode("utf-8", "replace")
            log.close()
            assert crash_report(text) is None, text


def test_systemd_socket_activation_fd3():
    with Site(serve=False) as s:
        post = seed_post(s)
        sock_path = os.path.join(s.tmp, "systemd.sock")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(sock_path)
        os.chmod(sock_path, 0o666)
        lsock.listen(16)
        fd = lsock.fileno()
        # LISTEN_PID must be the responder's own pid: sh sets it, then execs.
        # The socket goes to fd 3 in the child before sh starts.
        script = 'LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=parley-blog.socket exec "$@"'
        cmd = ["/bin/sh", "-c", script, "sh", BLOG, "--config", s.conf_path,
               "--workers", "2"] + user_flag()
        with process(cmd, env=clean_env(), pass_fds=(3,),
                     preexec_fn=lambda: os.dup2(fd, 3)) as proc:
            lsock.close()
            res = wait_answers(sock_path, proc)
            assert res.status == 404, res.status
            assert_served(res, "LISTEN_FDS")
            assert_real_pages(sock_path, "LISTEN_FDS", post)


def test_systemd_listen_pid_for_another_process_is_ignored():
    # LISTEN_FDS meant for a parent (LISTEN_PID not ours) must not be used:
    # with no socket on fd 0 the responder serves one CGI request.
    with Site(serve=False) as s:
        env = clean_env()
        env.update(LISTEN_FDS="1", LISTEN_PID="1", REQUEST_METHOD="GET",
                   REQUEST_URI="/no-such-page", QUERY_STRING="", SCRIPT_NAME="/no-such-page",
                   GATEWAY_INTERFACE="CGI/1.1", SERVER_PROTOCOL="HTTP/1.1",
                   SERVER_NAME="127.0.0.1", SERVER_PORT="80", REMOTE_ADDR="127.0.0.1")
        res = run([BLOG, "--config", s.conf_path] + user_flag(), env=env)
        assert res.returncode == 0, res.stderr
        assert "Status: 404" in res.stdout, res.stdout[:300]


def cgi_env(method, uri):
    env = clean_env()
    path, _, query = uri.partition("?")
    env.update(REQUEST_METHOD=method, REQUEST_URI=uri, QUERY_STRING=query,
               SCRIPT_NAME=path, GATEWAY_INTERFACE="CGI/1.1", SERVER_PROTOCOL="HTTP/1.1",
               SERVER_NAME="127.0.0.1", SERVER_PORT="80", REMOTE_ADDR="127.0.0.1",
               HTTP_HOST="127.0.0.1")
    return env


def test_plain_cgi_one_request():
    from harness import CgiResponse
    with Site(serve=False) as s:
        for b in responders():
            res = run([b, "--config", s.conf_path] + user_flag(),
                      env=cgi_env("GET", "/no-such-page"), timeout=30)
            assert res.returncode == 0, "CGI exit %d: %s" % (res.returncode, res.stderr)
            assert res.stdout.startswith("Status: "), res.stdout[:200]
        res = subprocess.run([BLOG, "--config", s.conf_path] + user_flag(),
                             env=cgi_env("GET", "/no-such-page"), capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=30)
        page = CgiResponse(res.stdout)
        assert page.status == 404, res.stdout[:200]
        assert_served(page, "CGI")
        assert int(page.headers["content-length"]) == len(page.body)
        # HEAD: the same head, no body.
        res = subprocess.run([BLOG, "--config", s.conf_path] + user_flag(),
                             env=cgi_env("HEAD", "/no-such-page"), capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=30)
        head = CgiResponse(res.stdout)
        assert head.status == 404 and head.body == b"", res.stdout[:300]
        # A real post and the index that lists it, one process each.
        post = seed_post(s)
        res = subprocess.run([BLOG, "--config", s.conf_path] + user_flag(),
                             env=cgi_env("GET", post), capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=30)
        page = CgiResponse(res.stdout)
        assert page.status == 200, res.stdout[:300]
        assert_served(page, "CGI post page")
        assert POST_TEXT.encode() in page.body and POST_TITLE.encode() in page.body, page.body[:500]
        res = subprocess.run([BLOG, "--config", s.conf_path] + user_flag(),
                             env=cgi_env("GET", "/"), capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=30)
        page = CgiResponse(res.stdout)
        assert page.status == 200, res.stdout[:300]
        assert ('href="%s"' % post).encode() in page.body, page.body[:500]


def test_sigterm_stops_a_responder():
    # systemctl stop and spawn-fcgi's supervisors send SIGTERM: the
    # responder must exit promptly, not sit in accept() until SIGKILL.
    with Site(serve=False) as s:
        port = free_port()
        cmd = [BLOG, "--config", s.conf_path, "--listen", "127.0.0.1:%d" % port,
               "--workers", "3"] + user_flag()
        with process(cmd, env=clean_env()) as proc:
            wait_answers(("127.0.0.1", port), proc)
            proc.send_signal(signal.SIGTERM)
            # A bound for a hang, not a speed test: a sanitizer build on a
            # loaded machine takes seconds to stop its workers and exit.
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                raise AssertionError("parley-blog still running 30 s after SIGTERM")
            assert proc.returncode in (0, -signal.SIGTERM), proc.returncode


def test_kill_9_and_restart_keeps_serving():
    with Site() as s:
        c = s.client()
        assert c.get("/no-such-page").status == 404
        old = s.blog_pid
        s.restart_blog()
        assert s.blog_pid != old
        res = c.get("/no-such-page")
        assert res.status == 404, res.status
        assert_served(res, "after restart")


run_tests(globals())

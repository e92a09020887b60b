"""test_signals.py: SIGTERM finishes the requests in flight; SIGHUP reloads.

SPEC "Sockets and processes": SIGTERM finishes the requests in flight, then
exits; SIGHUP reloads the configuration and templates without dropping a
request.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from harness import IS_ROOT, RUN_USER, SOURCE_DIR, Site, Skip, run_tests
from responder_util import (encode_request, read_response, responders, start,
                            traced_responder, user_flag, wait_answers)


def test_sigterm_finishes_a_slow_request_in_flight_then_exits():
    with Site(serve=False) as s:
        s.add_post(title="Last words", body="Said before the door closed.")
        path = os.path.join(s.tmp, "blog.sock")
        cmd = [responders()[0], "--config", s.conf_path, "--listen", "unix:" + path,
               "--workers", "2"] + user_flag()
        with start(cmd, s.tmp) as r:
            wait_answers(path, r.proc)
            # An idle connection, and a request half sent when the signal comes.
            idle = socket.socket(socket.AF_UNIX)
            idle.connect(path)
            slow = socket.socket(socket.AF_UNIX)
            slow.connect(path)
            msg = encode_request(uri="/posts/last-words")
            slow.sendall(msg[:len(msg) // 2])
            time.sleep(0.3)
            r.proc.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            assert r.proc.poll() is None, "exited with a request in flight"
            slow.sendall(msg[len(msg) // 2:])
            slow.settimeout(10)
            res = read_response(slow)
            assert res.status == 200 and b"Said before the door closed." in res.body, res.status
            assert res.body.rstrip().endswith(b"</html>"), res.body[-200:]
            try:
                r.proc.wait(timeout=10)
            except Exception:
                raise AssertionError("still running 10 s after the last request ended")
            assert r.proc.returncode == 0, r.proc.returncode
            assert "stopping" in r.log(), r.log()
            idle.close()
            slow.close()


def _template_copy():
    d = tempfile.mkdtemp(prefix="parley-templates-")
    shutil.copytree(os.path.join(SOURCE_DIR, "templates"), d, dirs_exist_ok=True)
    os.chmod(d, 0o755)
    if IS_ROOT:
        pw = pwd.getpwnam(RUN_USER)
        for root, dirs, files in os.walk(d):
            os.chown(root, pw.pw_uid, pw.pw_gid)
            for f in files:
                os.chown(os.path.join(root, f), pw.pw_uid, pw.pw_gid)
    return d


def _edit(path, old, new):
    with open(path) as f:
        text = f.read()
    assert old in text, (path, old)
    with open(path, "w") as f:
        f.write(text.replace(old, new))


def test_sighup_reloads_templates_and_configuration_under_load():
    tdir = _template_copy()
    try:
        with Site(workers=2, conf={"templates": tdir}) as s:
            slug = s.add_post(title="Steady", body="Served through the reload.")
            statuses, seen, lock = [], [], threading.Lock()
            stop = threading.Event()

            def reader():
                c = s.client()
                while not stop.is_set():
                    for path in ("/", "/posts/" + slug):
                        try:
                            res = c.get(path)
                        except OSError as e:
                            with lock:
                                statuses.append(repr(e))
                            continue
                        with lock:
                            statuses.append(res.status)
                            if "reloaded-marker" in res.text and "Renamed blog" in res.text:
                                seen.append(time.monotonic())

            threads = [threading.Thread(target=reader) for _ in range(4)]
            for t in threads:
                t.start()
            try:
                time.sleep(1.0)
                _edit(os.path.join(tdir, "layout_foot.mustache"), "Published with parley.",
                      "Published with parley. reloaded-marker")
                _edit(s.conf_path, "site_title = Test blog", "site_title = Renamed blog")
                hup = time.monotonic()
                os.kill(s.blog_pid, signal.SIGHUP)
                while not seen and time.monotonic() < hup + 10:
                    time.sleep(0.05)
                assert seen, "the new template and title never showed"
                time.sleep(1.0)
                # A broken template: the reload is refused, the site goes on as it was.
                _edit(os.path.join(tdir, "layout_foot.mustache"), "reloaded-marker",
                      "reloaded-marker {{#unclosed}}")
                os.kill(s.blog_pid, signal.SIGHUP)
                time.sleep(1.0)
            finally:
                stop.set()
                for t in threads:
                    t.join(30)
            bad = [x for x in statuses if x != 200]
            assert not bad and len(statuses) > 8, (len(statuses), bad[:10])
            res = s.client().get("/")
            assert res.status == 200 and "reloaded-marker" in res.text, res.status
            assert "{{#unclosed}}" not in res.text
            log = open(s.blog.stderr_path, errors="replace").read()
            assert "reload failed" in log and "layout_foot" in log, log[-3000:]
            assert s.blog.proc.poll() is None
    finally:
        shutil.rmtree(tdir, ignore_errors=True)


STRACE = "/usr/bin/strace"


def test_sigterm_during_start_up_is_not_lost():
    """A SIGTERM that comes while the responder is still starting (its socket
    is there, its workers not yet) stops it once it has started: libfcgi
    catches SIGTERM with a handler of its own, which used to swallow it and
    leave the responder running for ever.  strace holds the responder for a
    second right after the rename that puts its socket in place, so the
    signal always lands in that window."""
    if not os.access(STRACE, os.X_OK):
        raise Skip("strace is not installed")
    with Site(serve=False) as s:
        for b in responders():
            path = os.path.join(s.tmp, os.path.basename(b) + ".sock")
            cmd = [STRACE, "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null",
                   "-e", "trace=rename,renameat,renameat2",
                   "-e", "inject=rename,renameat,renameat2:delay_exit=1000000", "--",
                   b, "--config", s.conf_path, "--listen", "unix:" + path] + user_flag()
            # LeakSanitizer cannot run under ptrace: the leak checks live elsewhere.
            with start(cmd, s.tmp, name=os.path.basename(b),
                       env={"ASAN_OPTIONS": "detect_leaks=0"}) as r:
                child = None
                try:
                    child = traced_responder(r, path)
                    os.kill(child, signal.SIGTERM)
                    # strace exits with its tracee's status once the responder is gone.
                    try:
                        r.proc.wait(60)
                    except subprocess.TimeoutExpired:
                        raise AssertionError("%s ignored a SIGTERM sent during start-up:\n%s"
                                             % (os.path.basename(b), r.log()[-2000:]))
                    assert r.proc.returncode == 0, (r.proc.returncode, r.log()[-2000:])
                    assert "stopping" in r.log(), r.log()[-2000:]
                finally:
                    if child is not None and os.path.exists("/proc/%d" % child):
                        os.kill(child, signal.SIGKILL)


run_tests(globals())

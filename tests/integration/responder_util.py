"""responder_util.py: start a responder by hand and talk raw FastCGI to it.

For the tests of sockets, deadlines, signals and logs (test_sockets.py,
test_signals.py, test_logs.py, test_soak.py), which need what the harness
hides: the socket file itself, the process to signal, a client that
misbehaves on purpose.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time

from harness import (PROGRAM_DIR, IS_ROOT, RUN_USER, crash_report, fcgi_encode,
                     fcgi_read_response, fcgi_request, tail)

read_response = fcgi_read_response

BLOG = os.path.join(PROGRAM_DIR, "parley-blog")
MODERATE = os.path.join(PROGRAM_DIR, "parley-moderate")


def responders():
    """The responders this build has."""
    return [b for b in (BLOG, MODERATE) if os.access(b, os.X_OK)]


def user_flag():
    return ["--user", RUN_USER] if IS_ROOT else []


def clean_env(extra=None):
    env = dict(os.environ)
    for k in ("LISTEN_FDS", "LISTEN_PID", "REQUEST_METHOD", "GATEWAY_INTERFACE",
              "FCGI_WEB_SERVER_ADDRS"):
        env.pop(k, None)
    env.update(extra or {})
    return env


class Running:
    """A responder started by start(): proc, its stderr file, log() to read it."""

    def __init__(self, proc, log_path):
        self.proc = proc
        self.log_path = log_path

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()


@contextlib.contextmanager
def start(cmd, folder, env=None, name="responder", pass_fds=(), preexec_fn=None):
    """Run cmd with stderr in folder/NAME.stderr and env added to a clean
    environment; on leaving, SIGTERM it, wait, and fail on a crash or
    sanitizer report."""
    log_path = os.path.join(folder, name + ".stderr")
    log = open(log_path, "ab")
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                env=clean_env(env), cwd=folder, pass_fds=pass_fds,
                                preexec_fn=preexec_fn)
    finally:
        log.close()
    run = Running(proc, log_path)
    try:
        yield run
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        crash = crash_report(run.log())
        assert crash is None, "%s: %s\n%s" % (cmd[0], crash, tail(log_path))


def wait_answers(address, proc, timeout=20):
    """Poll with FastCGI requests until the responder answers; returns that response."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert proc.poll() is None, "responder exited with %s" % proc.returncode
        try:
            return fcgi_request(address, uri="/no-such-page", timeout=5)
        except (OSError, AssertionError) as e:
            last = e
        time.sleep(0.1)
    raise AssertionError("no FastCGI answer on %r: %s" % (address, last))


def traced_responder(run, path, timeout=60):
    """For a responder started under strace (run: what start() gave): wait
    until the name path exists (strace writes its log only at exit), then
    return the responder's pid, strace's first child."""
    deadline = time.monotonic() + timeout
    while not os.path.lexists(path):
        assert run.proc.poll() is None and time.monotonic() < deadline, \
            (run.proc.returncode, run.log())
        time.sleep(0.02)
    with open("/proc/%d/task/%d/children" % (run.proc.pid, run.proc.pid)) as f:
        return int(f.read().split()[0])


def encode_request(method="GET", uri="/", body=b"", env=None):
    """The bytes of one whole FastCGI request, as nginx would send it."""
    extra = {"CONTENT_TYPE": "application/x-www-form-urlencoded"} if body else {}
    extra.update(env or {})
    return fcgi_encode(method, uri, body, extra)


def closed_by_peer(sock, timeout):
    """Wait up to timeout seconds for the responder to close sock; True if it did."""
    sock.settimeout(timeout)
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def proc_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))

"""test_sockets.py: the unix socket a responder binds, and who may connect on TCP.

SPEC "Sockets and processes": a responder that binds a unix socket itself
creates it with mode 0660 (group: the group of --user, or --socket-group),
never by a chmod of a path another user could swap; with a TCP --listen,
FCGI_WEB_SERVER_ADDRS (comma-separated addresses) limits who may connect.
"""

import grp
import os
import pwd
import re
import signal
import socket
import stat
import subprocess
import sys
import time

from harness import IS_ROOT, RUN_USER, Site, Skip, free_port, run_tests
from responder_util import (encode_request, read_response, responders, start,
                            traced_responder, user_flag, wait_answers)


def socket_folder(s):
    """A folder for sockets that the service user may write (as an attacker could)."""
    d = os.path.join(s.tmp, "run")
    os.makedirs(d, exist_ok=True)
    if IS_ROOT:
        pw = pwd.getpwnam(RUN_USER)
        os.chown(d, pw.pw_uid, pw.pw_gid)
    os.chmod(d, 0o755)
    return d


def test_socket_is_born_0660_with_the_users_group():
    with Site(serve=False) as s:
        run = socket_folder(s)
        for b in responders():
            path = os.path.join(run, os.path.basename(b) + ".sock")
            cmd = [b, "--config", s.conf_path, "--listen", "unix:" + path] + user_flag()
            with start(cmd, s.tmp) as r:
                wait_answers(path, r.proc)
                st = os.lstat(path)
                assert stat.S_ISSOCK(st.st_mode), oct(st.st_mode)
                assert stat.S_IMODE(st.st_mode) == 0o660, \
                    "%s made its socket %o, wanted 0660" % (b, stat.S_IMODE(st.st_mode))
                want = pwd.getpwnam(RUN_USER).pw_gid if IS_ROOT else os.getegid()
                assert st.st_gid == want, "socket group %d, wanted %d" % (st.st_gid, want)
                # No private folder is left beside it.
                assert not [n for n in os.listdir(run) if n.startswith(".parley-")], \
                    os.listdir(run)


def test_socket_group_flag():
    """--socket-group NAME gives the socket that group (root: any group; others: their own)."""
    if IS_ROOT:
        name = "www-data" if _group_exists("www-data") else "daemon"
    else:
        name = grp.getgrgid(os.getegid()).gr_name
    gid = grp.getgrnam(name).gr_gid
    with Site(serve=False) as s:
        run = socket_folder(s)
        path = os.path.join(run, "blog.sock")
        cmd = [responders()[0], "--config", s.conf_path, "--listen", "unix:" + path,
               "--socket-group", name] + user_flag()
        with start(cmd, s.tmp) as r:
            wait_answers(path, r.proc)
            st = os.lstat(path)
            assert st.st_gid == gid, "socket group %d, wanted %s (%d)" % (st.st_gid, name, gid)
            assert stat.S_IMODE(st.st_mode) == 0o660, oct(st.st_mode)
        res = subprocess.run([responders()[0], "--config", s.conf_path, "--listen",
                              "unix:" + path, "--socket-group", "no-such-group-x"] + user_flag(),
                             capture_output=True, text=True, timeout=30)
        assert res.returncode == 2 and "no-such-group-x" in res.stderr, (res.returncode, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def _group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def test_stale_socket_is_replaced_and_a_file_is_never_touched():
    with Site(serve=False) as s:
        run = socket_folder(s)
        path = os.path.join(run, "blog.sock")
        # A socket left by an earlier run goes.
        old = socket.socket(socket.AF_UNIX)
        old.bind(path)
        old.close()
        cmd = [responders()[0], "--config", s.conf_path, "--listen", "unix:" + path] + user_flag()
        with start(cmd, s.tmp) as r:
            wait_answers(path, r.proc)
        os.unlink(path)
        # A regular file there is refused, and left exactly as it was.
        with open(path, "w") as f:
            f.write("keep me")
        os.chmod(path, 0o600)
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        assert res.returncode == 2 and "not a socket" in res.stderr, (res.returncode, res.stderr)
        assert open(path).read() == "keep me"
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600


RACER = r"""
import os, stat, sys, time
target, path, stop = sys.argv[1], sys.argv[2], sys.argv[3]
link = path + ".racer"
lstat, rename, symlink, S_ISSOCK = os.lstat, os.rename, os.symlink, stat.S_ISSOCK
while not os.path.exists(stop):
    try:
        symlink(target, link)
    except FileExistsError:
        pass
    # The moment a socket appears, swap it for a link to the target.
    try:
        if S_ISSOCK(lstat(path).st_mode):
            rename(link, path)
    except OSError:
        pass
    time.sleep(0.002)
"""


STRACE = "/usr/bin/strace"
# The calls that could change a file by its name, and the ones that make the socket.
TRACED = "bind,umask,mkdir,mkdirat,rename,renameat,renameat2,chmod,fchmodat,?fchmodat2," \
    "chown,lchown,fchownat"
BY_NAME = ("chmod", "fchmodat", "fchmodat2", "chown", "lchown", "fchownat")


def _calls(trace_path):
    """[(name, args text, result)] from an strace -f log (resumed calls joined)."""
    calls, pending = [], {}
    if not os.path.exists(trace_path):
        return calls
    with open(trace_path, errors="replace") as f:
        for line in f:
            line = line.strip()
            pid, _, rest = line.partition(" ")
            rest = rest.strip()
            if rest.endswith("<unfinished ...>"):
                pending[pid] = rest[:-len("<unfinished ...>")]
                continue
            if rest.startswith("<... ") and pid in pending:
                rest = pending.pop(pid) + rest.split("resumed>", 1)[1]
            m = re.match(r"(\w+)\((.*)\)\s+=\s+(-?\w+)", rest)
            if m:
                calls.append(m.groups())
    return calls


def _states(pid):
    """pid, its threads and its descendants as they are in /proc, for failure messages."""
    out = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for task in sorted(os.listdir("/proc/%d/task" % p), key=int):
                base = "/proc/%d/task/%s" % (p, task)
                with open(base + "/status") as f:
                    fields = dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
                try:
                    with open(base + "/wchan") as f:
                        wchan = f.read().strip()
                except OSError:
                    wchan = "?"
                out.append("%s/%s %s %s wchan=%s blk=%s cgt=%s ign=%s pnd=%s/%s" % (
                    p, task, fields.get("Name"), fields.get("State"), wchan,
                    fields.get("SigBlk"), fields.get("SigCgt"), fields.get("SigIgn"),
                    fields.get("SigPnd"), fields.get("ShdPnd")))
                with open(base + "/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            out.append("%d: gone" % p)
    return "\n".join(out)


def test_a_symlink_swap_never_makes_root_chmod_a_file():
    """A user who can write the socket's folder swaps the socket for a link to a
    root-owned 0600 file the moment it appears, while the responder starts as
    root.  strace holds the responder for 0.3 s after every bind (so the swap
    always lands in the window an old chmod-by-path had) and records every call
    that could change a file by name: none names the socket's path, the socket is
    bound in a private folder under umask 0117 and renamed into place, and the
    file's mode and owner never change."""
    if not IS_ROOT:
        raise Skip("needs root: the attack is on a responder started as root")
    if not os.access(STRACE, os.X_OK):
        raise Skip("strace is not installed")
    with Site(serve=False) as s:
        run = socket_folder(s)
        target = os.path.join(s.tmp, "secret")
        with open(target, "w") as f:
            f.write("root's secret\n")
        os.chown(target, 0, 0)
        os.chmod(target, 0o600)
        pw = pwd.getpwnam(RUN_USER)
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
        for b in responders():
            path = os.path.join(run, os.path.basename(b) + ".sock")
            stop = os.path.join(s.tmp, "stop-racer")
            trace = os.path.join(s.tmp, os.path.basename(b) + ".strace")
            racer = subprocess.Popen([python, "-c", RACER, target, path, stop],
                                     user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
            try:
                cmd = [STRACE, "-f", "--seccomp-bpf", "-qq", "-I", "1", "-o", trace,
                       "-e", "trace=" + TRACED, "-e", "inject=bind:delay_exit=300000", "--",
                       b, "--config", s.conf_path, "--listen", "unix:" + path] + user_flag()
                # LeakSanitizer cannot run under ptrace: the leak checks live elsewhere.
                with start(cmd, s.tmp, name=os.path.basename(b),
                           env={"ASAN_OPTIONS": "detect_leaks=0"}) as r:
                    child = traced_responder(r, path)
                    try:
                        time.sleep(1.0)      # the delayed bind, then whatever follows it
                        st = os.stat(target)
                    finally:
                        # strace (-I 1) detaches on SIGTERM; then the responder stops.
                        r.proc.send_signal(signal.SIGTERM)
                        r.proc.wait(30)
                        os.kill(child, signal.SIGTERM)
                        deadline = time.monotonic() + 30
                        while os.path.exists("/proc/%d" % child) and time.monotonic() < deadline:
                            time.sleep(0.05)
                    assert not os.path.exists("/proc/%d" % child), \
                        "the responder did not stop: %s" % _states(child)
                    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0 and \
                        st.st_gid == 0, "the responder changed %s to mode %o, owner %d:%d" % (
                            target, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
            finally:
                open(stop, "w").close()
                racer.wait(10)
                os.unlink(stop)
            calls = _calls(trace)
            named = [c for c in calls if c[0] in BY_NAME and
                     os.path.basename(path) in c[1]]
            assert named == [], "a call changed the socket by its name: %s" % named
            binds = [c for c in calls if c[0] == "bind" and "AF_UNIX" in c[1]]
            assert len(binds) == 1 and binds[0][2] == "0", (binds, calls)
            bound = re.search(r'sun_path="([^"]+)"', binds[0][1]).group(1)
            folder = os.path.dirname(bound)
            assert bound != path and os.path.dirname(folder) == run and \
                os.path.basename(folder).startswith(".parley-"), (bound, path)
            i = calls.index(binds[0])
            assert any(c[0] == "mkdir" and folder in c[1] and c[1].endswith("0700")
                       for c in calls[:i]), calls[:i]
            assert [c for c in calls[:i] if c[0] == "umask"][-1][1] == "0117", calls[:i]
            renames = [c for c in calls[i:] if c[0].startswith("rename") and bound in c[1]]
            assert renames and '"%s"' % path in renames[0][1] and renames[0][2] == "0", \
                (renames, calls[i:])
            assert not os.path.exists(folder), "the private folder was left behind"


def _ask(address, source=None):
    """One request over TCP, from source when given; the response, or None when refused."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(10)
    try:
        if source:
            c.bind((source, 0))
        c.connect(address)
        c.sendall(encode_request(uri="/no-such-page"))
        return read_response(c)
    except (AssertionError, OSError):
        return None
    finally:
        c.close()


def test_fcgi_web_server_addrs_limits_tcp_peers():
    with Site(serve=False) as s:
        port = free_port()
        address = ("127.0.0.1", port)
        cmd = [responders()[0], "--config", s.conf_path, "--listen", "127.0.0.1:%d" % port] + \
            user_flag()
        with start(cmd, s.tmp, env={"FCGI_WEB_SERVER_ADDRS": "127.0.0.2, ::1"}) as r:
            deadline = time.monotonic() + 20
            while _ask(address, source="127.0.0.2") is None:
                assert r.proc.poll() is None and time.monotonic() < deadline, r.log()
                time.sleep(0.1)
            res = _ask(address, source="127.0.0.2")
            assert res is not None and res.status == 404, res
            assert _ask(address) is None, "a peer outside FCGI_WEB_SERVER_ADDRS was served"
            assert _ask(address, source="127.0.0.3") is None
            assert "FCGI_WEB_SERVER_ADDRS" in r.log()
        # Without the variable anyone on the machine may connect, as before.
        with start(cmd, s.tmp) as r:
            wait_answers(address, r.proc)
            assert _ask(address, source="127.0.0.3").status == 404
        # A malformed list is a start-up error, not an open door.
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, FCGI_WEB_SERVER_ADDRS="127.0.0.1,not-an-ip"))
        assert res.returncode == 2 and "FCGI_WEB_SERVER_ADDRS" in res.stderr, \
            (res.returncode, res.stderr)


def test_malformed_params_never_kill_the_responder():
    """libfcgi aborts the whole process on a PARAMS length it cannot allocate
    (found by fuzz_fcgi; the input is tests/fuzz/regress/fuzz_fcgi/): the
    responder refuses such a request and goes on serving."""
    crash = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "regress",
                         "fuzz_fcgi", "params-length-aborts-libfcgi")
    with open(crash, "rb") as f:
        hostile = f.read()
    with Site(serve=False) as s:
        path = os.path.join(socket_folder(s), "blog.sock")
        cmd = [responders()[0], "--config", s.conf_path, "--listen", "unix:" + path,
               "--workers", "2"] + user_flag()
        with start(cmd, s.tmp) as r:
            wait_answers(path, r.proc)
            for _ in range(3):
                c = socket.socket(socket.AF_UNIX)
                c.settimeout(10)
                c.connect(path)
                c.sendall(hostile)
                try:
                    while c.recv(65536):
                        pass
                except OSError:
                    pass
                c.close()
            time.sleep(0.3)
            assert r.proc.poll() is None, "the responder died: %s" % r.log()[-2000:]
            assert wait_answers(path, r.proc).status == 404


run_tests(globals())

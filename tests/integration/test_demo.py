"""test_demo.py: the README's `scripts/demo`, from a fresh clone in a folder only its owner may enter.

A newcomer's first command.  The test clones the repository (what is
committed: git clone copies no uncommitted change) into a mode-0700 temporary
folder, like a clone in root's home, runs `scripts/demo` there on a spare
port, logs in to /admin/ through nginx with the password it printed, runs
it a second time (it must be safe to run again), then `scripts/demo stop`.
To stay fast it runs the programs of this build (DEMO_BUILD) instead of
building build/release in the clone.
"""

import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile

from harness import BUILD_DIR, IS_ROOT, SOURCE_DIR, Client, Skip, free_port, run_tests

DEMO_TIMEOUT = 180      # seconds for one scripts/demo run (it builds nothing new)


class _Demo:
    """What Client needs to know of the demo's site."""

    def __init__(self, port):
        self.port = port
        self.origin = "http://127.0.0.1:%d" % port


def _demo(clone, port, *args):
    env = {k: v for k, v in os.environ.items() if k != "NGINX"}
    env.update(DEMO_PORT=str(port), DEMO_BUILD=BUILD_DIR)
    return subprocess.run([os.path.join(clone, "scripts", "demo")] + list(args),
                          cwd="/", env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, errors="replace", timeout=DEMO_TIMEOUT)


def _started(res):
    """The password and files folder a successful scripts/demo printed."""
    out = res.stdout + res.stderr
    assert res.returncode == 0, "scripts/demo exited %d:\n%s" % (res.returncode, out[-4000:])
    password = re.search(r"\(user admin, password (\S+)\)", res.stdout)
    files = re.search(r"^  files:  (\S+)", res.stdout, re.M)
    assert password and files, "scripts/demo printed no login:\n" + out[-4000:]
    return password.group(1), files.group(1)


def _log_in(port, password):
    """Log in as admin through nginx; the queue must show the demo's pending comments."""
    client = Client(_Demo(port))
    assert client.get("/").status == 200
    assert client.get("/static/parley.css").status == 200
    res = client.form("/admin/login", form_id="login-form").submit(
        {"username": "admin", "password": password})
    assert res.status == 303 and res.headers.get("location", "").endswith("/admin/"), \
        (res, res.headers, res.text[:500])
    assert client.cookie("parley_session"), res.header_all("set-cookie")
    queue = client.get("/admin/")
    assert queue.status == 200, queue
    # The demo starts with comments waiting (sample/wordpress.xml's pending ones).
    waiting = re.search(r'>Queue <span class="count[^"]*">(\d+)</span>', queue.text)
    assert waiting and int(waiting.group(1)) > 0, queue.text[:2000]
    wrong = Client(_Demo(port)).form("/admin/login", form_id="login-form").submit(
        {"username": "admin", "password": password + "x"})
    assert wrong.status == 401, wrong


def _runs_as(files, user):
    """Each responder the demo started runs as user."""
    uid = pwd.getpwnam(user).pw_uid
    for name in ("parley-blog", "parley-moderate"):
        with open(os.path.join(files, "run", name + ".pid")) as f:
            pid = int(f.read())
        with open("/proc/%d/status" % pid) as f:
            uids = [line.split()[1:] for line in f if line.startswith("Uid:")][0]
        assert all(int(u) == uid for u in uids), (name, uids)


def test_demo_from_a_private_clone():
    git = shutil.which("git")
    if git is None:
        raise Skip("git is not installed")
    if subprocess.run([git, "-C", SOURCE_DIR, "rev-parse", "--git-dir"],
                      capture_output=True).returncode != 0:
        raise Skip("%s is not a git repository" % SOURCE_DIR)
    work = tempfile.mkdtemp(prefix="parley-demo-test-")
    assert stat.S_IMODE(os.stat(work).st_mode) == 0o700
    clone = os.path.join(work, "parley")
    port = free_port()
    files = None
    try:
        subprocess.run([git, "clone", "--quiet", "--no-hardlinks", SOURCE_DIR, clone],
                       check=True, capture_output=True, timeout=60)
        password, files = _started(_demo(clone, port))
        if IS_ROOT:
            # www-data cannot enter the clone: the demo's files live where it can.
            assert not files.startswith(work), files
            assert os.path.islink(os.path.join(clone, "demo")), os.listdir(clone)
            _runs_as(files, "www-data")
        else:
            assert files == os.path.join(clone, "demo"), files
        _log_in(port, password)
        # Again: the same admin and password, the site still answers.
        again, files_again = _started(_demo(clone, port))
        assert (again, files_again) == (password, files)
        _log_in(port, password)
        res = _demo(clone, port, "stop")
        assert res.returncode == 0 and "demo stopped" in res.stdout, res
        for name in ("parley-blog", "parley-moderate", "nginx"):
            assert not os.path.exists(os.path.join(files, "run", name + ".pid")), name
    finally:
        if os.path.isdir(clone):
            _demo(clone, port, "stop")
        shutil.rmtree(work, ignore_errors=True)
        if files and files.startswith("/var/lib/parley-demo/"):
            shutil.rmtree(files, ignore_errors=True)


run_tests(globals())

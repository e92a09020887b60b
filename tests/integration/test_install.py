"""test_install.py: `cmake --install` lays parley out like Debian software, under any prefix.

- `cmake --install BUILD --prefix DIR` (no root needed: nothing goes outside
  DIR) puts the three programs in bin/, the templates and stylesheet in
  share/parley/templates, the man pages in share/man/manN and contrib/ with
  the README in share/doc/parley; DESTDIR stages the same tree;
- a build configured with another CMAKE_INSTALL_PREFIX looks for its
  templates there: installed, parley-blog serves a page with no templates
  setting at all.
"""

import os
import shutil
import subprocess
import tempfile

from harness import (BUILD_DIR, IS_ROOT, PROGRAM_DIR, SOURCE_DIR, _as_run_user, _chown_tree,
                     crash_report, run_tests)

EXPECTED = [
    "bin/parley", "bin/parley-blog", "bin/parley-moderate",
    "share/parley/templates/post.mustache", "share/parley/templates/static/parley.css",
    "share/man/man1/parley.1", "share/man/man5/parley.conf.5",
    "share/man/man8/parley-blog.8", "share/man/man8/parley-moderate.8",
    "share/doc/parley/README.md", "share/doc/parley/contrib/nginx/parley.conf",
    "share/doc/parley/contrib/systemd/parley-blog.service",
    "share/doc/parley/contrib/systemd/parley-blog.socket",
]


def _cmake(*args, env=None, timeout=240):
    res = subprocess.run(["cmake"] + list(args), capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=timeout, env=env)
    assert res.returncode == 0, "cmake %s: exit %d\n%s%s" % (
        " ".join(args), res.returncode, res.stdout[-3000:], res.stderr[-3000:])
    return res


def _tree(top):
    out = set()
    for root, dirs, files in os.walk(top):
        for name in files:
            out.add(os.path.relpath(os.path.join(root, name), top))
    return out


def _source_files(folder):
    return {os.path.join(folder, p) for p in _tree(os.path.join(SOURCE_DIR, folder))}


def _check_layout(prefix):
    files = _tree(prefix)
    missing = [p for p in EXPECTED if p not in files]
    assert not missing, "not installed: %s (installed: %s)" % (missing, sorted(files))
    for name in ("parley", "parley-blog", "parley-moderate"):
        assert os.access(os.path.join(prefix, "bin", name), os.X_OK), name
    templates = {os.path.relpath(p, "templates") for p in _source_files("templates")}
    installed = {os.path.relpath(p, "share/parley/templates") for p in files
                 if p.startswith("share/parley/templates/")}
    assert templates == installed, templates ^ installed
    contrib = {os.path.relpath(p, "contrib") for p in _source_files("contrib")}
    installed = {os.path.relpath(p, "share/doc/parley/contrib") for p in files
                 if p.startswith("share/doc/parley/contrib/")}
    assert contrib == installed, contrib ^ installed
    res = subprocess.run([os.path.join(prefix, "bin", "parley"), "--version"],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0 and res.stdout.startswith("parley "), res


def test_install_under_a_prefix():
    work = tempfile.mkdtemp(prefix="parley-install-")
    try:
        prefix = os.path.join(work, "prefix")
        res = _cmake("--install", BUILD_DIR, "--prefix", prefix)
        _check_layout(prefix)
        # Nothing outside the prefix: what a user who may write only there needs.
        with open(os.path.join(BUILD_DIR, "install_manifest.txt")) as f:
            manifest = f.read().split()
        outside = [p for p in manifest if not p.startswith(prefix + "/")]
        assert not outside, outside
        assert sorted(manifest) == sorted(os.path.join(prefix, p) for p in _tree(prefix)), \
            res.stdout[-2000:]
        # A package build stages the default prefix under DESTDIR.
        stage = os.path.join(work, "stage")
        env = dict(os.environ, DESTDIR=stage)
        _cmake("--install", BUILD_DIR, "--prefix", "/usr", env=env)
        _check_layout(os.path.join(stage, "usr"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_templates_default_follows_the_prefix():
    """Configured for PREFIX, parley-blog finds PREFIX/share/parley/templates by itself."""
    work = tempfile.mkdtemp(prefix="parley-prefix-")
    try:
        os.chmod(work, 0o755)
        prefix = os.path.join(work, "prefix")
        build = os.path.join(work, "build")
        # Only the templates, from this build: the programs come from the one below.
        _cmake("--install", BUILD_DIR, "--prefix", prefix)
        for name in ("parley", "parley-blog", "parley-moderate"):
            os.unlink(os.path.join(prefix, "bin", name))
        _cmake("-S", SOURCE_DIR, "-B", build, "-DCMAKE_BUILD_TYPE=Debug",
               "-DPARLEY_SANITIZE=OFF", "-DPARLEY_WERROR=ON", "-DCMAKE_INSTALL_PREFIX=" + prefix)
        _cmake("--build", build, "-j", os.environ.get("PARLEY_JOBS", "2"),
               "--target", "parley-blog")
        res = subprocess.run([os.path.join(build, "parley-blog"), "--help"],
                             capture_output=True, text=True, timeout=30)
        assert "(default %s/share/parley/templates)" % prefix in res.stdout, res.stdout
        site = os.path.join(work, "site")
        os.mkdir(site)
        conf = os.path.join(site, "parley.conf")
        with open(conf, "w") as f:
            f.write("db = %s\nsite_title = Installed\n" % os.path.join(site, "parley.db"))
        _chown_tree(site)
        res = subprocess.run([os.path.join(PROGRAM_DIR, "parley"), "--config", conf, "init"],
                             capture_output=True, text=True, timeout=60, **_as_run_user())
        assert res.returncode == 0, res.stderr
        env = {"PATH": "/usr/bin:/bin", "REQUEST_METHOD": "GET", "REQUEST_URI": "/",
               "QUERY_STRING": "", "SCRIPT_NAME": "/", "GATEWAY_INTERFACE": "CGI/1.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1"}
        cmd = [os.path.join(build, "parley-blog"), "--config", conf]
        if IS_ROOT:
            cmd += ["--user", "nobody"]
        res = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, errors="replace", timeout=60)
        assert not crash_report(res.stderr), res.stderr
        assert res.returncode == 0, (res.returncode, res.stderr)
        assert "<title>Installed" in res.stdout, res.stdout[:1000]
        # The same program refuses a prefix it was not built for.
        os.rename(os.path.join(prefix, "share"), os.path.join(prefix, "elsewhere"))
        res = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, errors="replace", timeout=60)
        assert res.returncode == 2, (res.returncode, res.stdout[:300])
        assert os.path.join(prefix, "share", "parley", "templates") in res.stderr, res.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


run_tests(globals())

"""test_wxr_memory.py: import-wordpress streams: six times the export costs about the same memory."""

import os
import subprocess

import harness
from harness import Site, run_tests
from wxr_fixtures import big_export


def test_memory_does_not_follow_the_file():
    with Site(serve=False) as s:
        small = os.path.join(s.tmp, "small.xml")
        large = os.path.join(s.tmp, "large.xml")
        n_small = big_export(small, 3)
        n_large = big_export(large, 18)
        results = {}
        for name, path in (("small", small), ("large", large)):
            results[name] = measure(s, path)
        (out_small, rss_small), (out_large, rss_large) = results["small"], results["large"]
        assert "posts: %d new" % n_small in out_small, out_small
        assert "posts: %d new" % n_large in out_large, out_large
        print("peak RSS: %d KiB for 3 MB, %d KiB for 18 MB" % (rss_small, rss_large))
        assert rss_large - rss_small < 16 * 1024, (rss_small, rss_large)


def measure(s, path):
    """(stdout, peak KiB) of one import into a fresh database."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(s.db_path + suffix):
            os.remove(s.db_path + suffix)
    s.cli("init")
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4").lstrip(":")
    proc = subprocess.Popen([s.binary("parley"), "--config", s.conf_path, "--db", s.db_path,
                             "import-wordpress", path], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=s.tmp, **harness._as_run_user())
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = status
    assert status == 0, err.decode()
    return out.decode(), usage.ru_maxrss


run_tests(globals())

#!/usr/bin/env python3
"""bench/wxr_memory.py: peak memory and time of `parley import-wordpress` on a large generated export.

    bench/wxr_memory.py [MEGABYTES ...]     # default 50 500; uses build/release

Generates each export (tests/integration/wxr_fixtures.big_export), imports it
into a fresh database and prints the file size, posts, comments, seconds and
the importer's peak resident memory (ru_maxrss).
"""

import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from wxr_fixtures import big_export  # noqa: E402

BUILD = os.environ.get("BENCH_BUILD", os.path.join(ROOT, "build", "release"))
PARLEY = os.path.join(BUILD, "parley")


def run(args):
    start = time.monotonic()
    proc = subprocess.Popen([PARLEY] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    if status != 0:
        sys.exit("parley %s failed: %s" % (" ".join(args), err))
    return time.monotonic() - start, usage.ru_maxrss, out


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [50, 500]
    print("| export MB | posts | comments | seconds | peak RSS MiB |")
    print("|-----------|-------|----------|---------|--------------|")
    with tempfile.TemporaryDirectory(prefix="parley-wxr-") as tmp:
        for mb in sizes:
            xml = os.path.join(tmp, "export-%d.xml" % mb)
            db = os.path.join(tmp, "site-%d.db" % mb)
            posts = big_export(xml, mb)
            run(["--db", db, "init"])
            secs, rss_kb, out = run(["--db", db, "import-wordpress", xml])
            comments = [line for line in out.splitlines() if line.startswith("comments:")]
            print("| %9.0f | %5d | %8s | %7.1f | %12.1f |" % (
                os.path.getsize(xml) / 1048576, posts,
                comments[0].split()[1] if comments else "?", secs, rss_kb / 1024))
            os.remove(xml)
            os.remove(db)


if __name__ == "__main__":
    main()

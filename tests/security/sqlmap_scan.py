"""sqlmap_scan.py: run sqlmap against a real parley (behind nginx, through
tests/integration/harness.py) on the three places a stranger's text reaches
SQL: the search box, the comment form and the admin login.  Run it through
tests/security/sqlmap.sh.

Exit status: 0 when sqlmap found no injection point, 1 when it found one
(its report is printed), 2 when it could not test a target, 77 when sqlmap
or nginx is missing.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import Site, Skip  # noqa: E402

# Bounded on purpose: level and risk 1 (no heavy or data-changing payloads),
# boolean, error, union and stacked techniques (time-based blind would take
# most of the budget), one thread, and a deadline for each target.
SQLMAP_ARGS = ["--batch", "--level=1", "--risk=1", "--technique=BEUS", "--threads=1",
               "--timeout=15", "--retries=1", "--disable-coloring", "--flush-session",
               "--answers=follow=N,keep testing=N"]
TARGET_SECONDS = int(os.environ.get("SQLMAP_SECONDS", "300"))
FOUND = "sqlmap identified the following injection point"


def run_sqlmap(name, args, out_dir):
    cmd = ["sqlmap"] + SQLMAP_ARGS + ["--output-dir", out_dir] + args
    start = time.monotonic()
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                             timeout=TARGET_SECONDS, stdin=subprocess.DEVNULL)
        text, finished = res.stdout + res.stderr, True
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode("utf-8", "replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        finished = False
    took = time.monotonic() - start
    found = FOUND in text
    # sqlmap gives up on a target it cannot reach as asked: that is no result at all.
    untested = not found and "skipping to the next target" in text and \
        "do not appear to be injectable" not in text
    verdict = "INJECTABLE" if found else "NOT TESTED" if untested else (
        "no injection found" if finished else "no injection found before the deadline")
    print("%-14s %-40s %5.0fs  %s" % (name, args[1][:40], took, verdict), flush=True)
    summary = [line for line in text.splitlines()
               if "do not appear to be injectable" in line or "might not be injectable" in line
               or "is vulnerable" in line or "Parameter:" in line or "CRITICAL" in line]
    for line in summary[-6:]:
        print("    " + line.strip(), flush=True)
    if os.environ.get("SQLMAP_VERBOSE"):
        print(text[-6000:], flush=True)
    if found or untested:
        print(text[-4000:])
    return 1 if found else 2 if untested else 0


def main():
    if shutil.which("sqlmap") is None:
        print("skip: sqlmap is not installed (apt-get install sqlmap)")
        return 77
    out_dir = tempfile.mkdtemp(prefix="parley-sqlmap-")
    results = []
    try:
        # Throttles high, so sqlmap meets the SQL rather than 429s.
        with Site(conf={"min_form_seconds": "0", "comments_per_minute": "10000",
                        "login_failures": "10000"}, moderate=True) as s:
            slug = s.add_post(title="Searchable post", body="Words to find: garden, union.")
            if s.has_moderate:
                s.cli("user", "add", "admin", input="a-good-password\n")
            base = s.origin
            post = base + "/posts/" + slug
            results.append(run_sqlmap("search", ["-u", base + "/search?q=garden&page=1",
                                           "-p", "q,page"], out_dir))
            results.append(run_sqlmap("comment form", [
                "-u", post + "/comments", "--method", "POST",
                "--data", "author=Ann&email=ann%40example.org&url=https%3A%2F%2Fa.example%2F"
                          "&comment=Hello&parent=&homepage=&token=x",
                "-p", "author,email,url,comment,parent",
                # No --csrf-token: sqlmap 1.7 cannot read this form's token, and a
                # forged one only files the comment as spam; every field still
                # goes through validation, the rules and the INSERT.
                "--headers", "Origin: " + base], out_dir))
            if s.has_moderate:
                results.append(run_sqlmap("admin login", [
                    "-u", base + "/admin/login", "--method", "POST",
                    "--data", "username=admin&password=guess&csrf=x",
                    "-p", "username,password",
                    "--csrf-token", "csrf", "--csrf-url", base + "/admin/login",
                    "--csrf-method", "GET", "--ignore-code", "401",
                    "--headers", "Origin: " + base], out_dir))
    except Skip as e:
        print("skip: %s" % e)
        return 77
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    if 1 in results:
        print("sqlmap: an injection point was found")
        return 1
    if 2 in results or len(results) < 3:
        print("sqlmap: a target could not be tested (see above)")
        return 2
    print("sqlmap: no injection point in search, the comment form or the admin login")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""test_logs.py: one line per request on stderr, and nothing secret in it.

Issue 8: one line per request for the journal (time, method, path, status,
bytes, microseconds), --log-level, and never a password, token, cookie,
query token or comment body.
"""

import re
import subprocess
import time

from admin_util import PASSWORD, admin_site, csrf, logged_in
from harness import Site, run_tests
from responder_util import responders, user_flag

LINE = re.compile(r"^parley-(blog|moderate): (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) "
                  r"(GET|HEAD|POST|PUT) (\S+) (\d{3}) (\d+) (\d+)us$")


def request_lines(path):
    with open(path, errors="replace") as f:
        return [m for m in (LINE.match(l.rstrip("\n")) for l in f) if m]


def test_one_line_per_request_and_no_secrets():
    with admin_site() as s:
        slug = s.add_post(title="Logged", body="Every request is one line.")
        c = s.client()
        res = c.get("/posts/%s?utm=look&t=querysecret123" % slug)
        assert res.status == 200
        form = c.form("/posts/" + slug)
        token = form.fields["token"]
        body = "A comment body that must never reach the log, bodysecret456."
        res = form.submit({"author": "Logan Reader", "email": "logan@example.org",
                           "comment": body, "remember": "1"})
        assert res.status == 303, res.status
        reader_cookies = [v for v in c.cookies.values()]
        assert reader_cookies, "the reader got no cookie"
        admin = logged_in(s)
        session = admin.cookie("parley_session")
        assert session
        admin_csrf = csrf(admin)
        assert admin.get("/admin/").status == 200
        res = s.client().get("/no-such-page")
        assert res.status == 404

        # A line is written once the answer is sent: the client may be quicker,
        # and on a loaded machine each responder writes its lines in its own time.
        # Wait for the last line each responder owes (a generous deadline; the
        # assertions below say what is missing when it passes).
        deadline = time.monotonic() + 60
        while True:
            blog = request_lines(s.blog.stderr_path)
            moderate = request_lines(s.moderate.stderr_path)
            if (any(m.group(4) == "/no-such-page" for m in blog) and
                    any(m.group(4) == "/admin/" and m.group(3) == "GET" for m in moderate)) \
                    or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        got = [(m.group(3), m.group(4), int(m.group(5))) for m in blog]
        assert ("GET", "/posts/" + slug, 200) in got, got
        assert ("POST", "/posts/%s/comments" % slug, 303) in got, got
        assert ("GET", "/no-such-page", 404) in got, got
        page = [m for m in blog if m.group(4) == "/posts/" + slug and m.group(5) == "200"][0]
        assert int(page.group(6)) > 1000, "bytes: %s" % page.group(6)
        assert int(page.group(7)) > 0, "microseconds: %s" % page.group(7)
        got = [(m.group(3), m.group(4), int(m.group(5))) for m in moderate]
        assert ("POST", "/admin/login", 303) in got, got
        assert ("GET", "/admin/", 200) in got, got

        text = open(s.blog.stderr_path, errors="replace").read() + \
            open(s.moderate.stderr_path, errors="replace").read()
        for secret in [PASSWORD, token, session, admin_csrf, "querysecret123", "bodysecret456",
                       "logan@example.org", "Logan Reader"] + reader_cookies:
            assert secret not in text, "the log holds %r:\n%s" % (secret, text[-3000:])
        # Lines that are not requests are the start-up and stop messages only.
        for line in text.splitlines():
            assert LINE.match(line) or "error.log" not in line


def test_log_level():
    with Site(conf={"log_level": "warn"}) as s:
        assert s.client().get("/").status == 200
        assert request_lines(s.blog.stderr_path) == []
    for b in responders():
        res = subprocess.run([b, "--db", "/nonexistent.db", "--log-level", "loud"] + user_flag(),
                             capture_output=True, text=True, timeout=30)
        assert res.returncode == 2, (res.returncode, res.stderr)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "log_level" in lines[0], res.stderr
        out = subprocess.run([b, "--help"], capture_output=True, text=True, timeout=30).stdout
        for flag in ("--log-level", "--socket-group", "--request-timeout", "SIGHUP", "SIGTERM"):
            assert flag in out, "%s --help does not mention %s" % (b, flag)


run_tests(globals())

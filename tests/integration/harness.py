"""harness.py: run parley behind a real nginx for integration tests.

    from harness import Site, run_tests

    def test_index():
        with Site(conf={"min_form_seconds": "0"}) as s:
            s.add_post(title="Hello", body="First post.")
            res = s.client().get("/")
            assert res.status == 200, res.status

    run_tests(globals())

Site starts, in a fresh temporary folder: `parley init`, parley-blog (and
parley-moderate at /admin/ when moderate=True) on unix sockets, and nginx on
a free loopback port in front of them.  Leaving the `with` block stops
everything, fails the test if a responder crashed or a sanitizer reported an
error, and removes the folder (set PARLEY_KEEP_TMP=1 to keep it).

Also here: Site(serve=False) (configuration and database only),
s.restart_blog() / s.kill_blog() for crash tests, s.client().form(...) for
forms, fcgi_request() to talk FastCGI to a responder without nginx, and
Skip to skip a test.  `python3 test_x.py NAME` runs the tests matching NAME.

Environment (set by ctest): PARLEY_BUILD_DIR, PARLEY_SOURCE_DIR, NGINX;
PARLEY_TEMPLATES overrides the templates folder while debugging.

As root, the programs run as nobody.  When nobody cannot read the clone (in
root's home, mode 0700), the programs and the source tree are copied once
per test process to a mode-0755 temporary folder: PROGRAM_DIR and
Site.source_dir (READABLE_SOURCE_DIR; TEMPLATES_DIR, SAMPLE_DIR below it)
name where they are.  Run programs from PROGRAM_DIR (s.binary(NAME)) and
give them files under s.source_dir or s.tmp, never under SOURCE_DIR.
Standard library only: Debian's /usr/bin/python3 runs this.
"""

import atexit
import html.parser
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("PARLEY_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.environ.get("PARLEY_BUILD_DIR") or os.path.join(SOURCE_DIR, "build", "release")
NGINX = os.environ.get("NGINX") or "/usr/sbin/nginx"
FASTCGI_PARAMS = "/etc/nginx/fastcgi_params"
MIME_TYPES = "/etc/nginx/mime.types"

IS_ROOT = os.geteuid() == 0
RUN_USER = "nobody"
STARTUP_TIMEOUT = 20.0      # seconds; sanitizer builds start slowly on a busy box
STOP_TIMEOUT = 3.0
LOG_TAIL_LINES = 60

# What a sanitizer or a crash leaves in a program's stderr.
CRASH_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                 "runtime error:", "ERROR: ThreadSanitizer",
                 "AddressSanitizer:DEADLYSIGNAL")


class Skip(Exception):
    """Raise in a test to skip it (e.g. parley-moderate is not built yet)."""


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crash_report(text):
    """The first sanitizer/crash line in text, or None."""
    for line in text.splitlines():
        for marker in CRASH_MARKERS:
            if marker in line:
                return line.strip()
    return None


def tail(path, lines=LOG_TAIL_LINES):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def _as_run_user():
    """subprocess keyword arguments that run a child as nobody when we are root."""
    if not IS_ROOT:
        return {}
    pw = pwd.getpwnam(RUN_USER)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def _chown_tree(path):
    if not IS_ROOT:
        return
    pw = pwd.getpwnam(RUN_USER)
    for root, dirs, files in os.walk(path):
        os.chown(root, pw.pw_uid, pw.pw_gid)
        for name in files:
            try:
                os.chown(os.path.join(root, name), pw.pw_uid, pw.pw_gid)
            except FileNotFoundError:
                pass


def _run_user_can_read(path):
    """Can RUN_USER read path, and so enter every folder above it?  Always
    true when we are not root: everything then runs as ourselves."""
    if not IS_ROOT:
        return True
    res = subprocess.run(["/usr/bin/test", "-r", path], stdin=subprocess.DEVNULL,
                         **_as_run_user())
    return res.returncode == 0


def _place_for_run_user():
    """(programs, source): the folders RUN_USER runs programs from and reads.

    The build and source folders themselves when RUN_USER can read them;
    otherwise a mode-0755 temporary folder, removed when this process ends,
    with hard links to the programs (copies across file systems) in bin/ and
    a copy of the source tree (no builds, .git or node_modules) in source/."""
    programs = [name for name in ("parley", "parley-blog", "parley-moderate")
                if os.access(os.path.join(BUILD_DIR, name), os.X_OK)]
    if (_run_user_can_read(os.path.join(SOURCE_DIR, "templates", "static"))
            and all(_run_user_can_read(os.path.join(BUILD_DIR, p)) for p in programs)):
        return BUILD_DIR, SOURCE_DIR
    place = tempfile.mkdtemp(prefix="parley-programs-")
    atexit.register(shutil.rmtree, place, True)
    os.chmod(place, 0o755)
    os.mkdir(os.path.join(place, "bin"), 0o755)
    for name in programs:
        src, dst = os.path.join(BUILD_DIR, name), os.path.join(place, "bin", name)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    shutil.copytree(SOURCE_DIR, os.path.join(place, "source"), symlinks=True,
                    ignore=shutil.ignore_patterns("build", "build-*", ".git", "node_modules",
                                                  "demo", "__pycache__"))
    for root, dirs, files in os.walk(place):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)
    return os.path.join(place, "bin"), os.path.join(place, "source")


# READABLE_SOURCE_DIR: the source tree, or that copy; Site.source_dir is it.
PROGRAM_DIR, READABLE_SOURCE_DIR = _place_for_run_user()
TEMPLATES_DIR = os.path.join(READABLE_SOURCE_DIR, "templates")
SAMPLE_DIR = os.path.join(READABLE_SOURCE_DIR, "sample")


# ---------------------------------------------------------------- HTTP client

class Response:
    """One HTTP response: status, headers (dict, lower-case names), body (bytes)."""

    def __init__(self, status, reason, header_list, body):
        self.status = status
        self.reason = reason
        self.header_list = header_list          # [(lower-case name, value), ...]
        self.headers = {}
        for name, value in header_list:
            self.headers[name] = value          # last wins; see header_list for repeats
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def header_all(self, name):
        """Every value of a header that may repeat (set-cookie)."""
        name = name.lower()
        return [v for n, v in self.header_list if n == name]

    def __repr__(self):
        return "<Response %d %s, %d bytes>" % (self.status, self.reason, len(self.body))


class Client:
    """A browser-like client: its own cookie jar, no redirect following.

    POSTs send a same-origin Origin header, as browsers do for forms; pass
    headers={"Origin": None} to leave it out or another value to forge one.
    """

    def __init__(self, site):
        self.site = site
        self.host = "127.0.0.1"
        self.port = site.port
        self.cookies = {}       # (name, path) -> value

    # Cookies
    def _store_cookies(self, res, request_path):
        for line in res.header_all("set-cookie"):
            parts = [p.strip() for p in line.split(";")]
            if "=" not in parts[0]:
                continue
            name, value = parts[0].split("=", 1)
            path = "/"
            delete = False
            for attr in parts[1:]:
                key, _, val = attr.partition("=")
                key = key.strip().lower()
                if key == "path" and val:
                    path = val
                elif key == "max-age":
                    try:
                        delete = int(val) <= 0
                    except ValueError:
                        pass
                elif key == "expires" and "1970" in val:
                    delete = True
            if delete:
                self.cookies.pop((name, path), None)
            else:
                self.cookies[(name, path)] = value

    def _cookie_header(self, path):
        pairs = []
        for (name, cpath), value in sorted(self.cookies.items(), key=lambda kv: -len(kv[0][1])):
            prefix = cpath.rstrip("/")
            if path == cpath or path == prefix or path.startswith(prefix + "/") or cpath == "/":
                pairs.append("%s=%s" % (name, value))
        return "; ".join(pairs)

    def cookie(self, name):
        """The jar's value for cookie name (any path), or None."""
        for (cname, _), value in self.cookies.items():
            if cname == name:
                return value
        return None

    # Requests
    def request(self, method, path, body=None, headers=None):
        hdrs = {"User-Agent": "parley-harness", "Accept": "text/html,*/*"}
        cookie = self._cookie_header(urllib.parse.urlsplit(path).path)
        if cookie:
            hdrs["Cookie"] = cookie
        if method == "POST":
            hdrs["Origin"] = self.site.origin
        for k, v in (headers or {}).items():
            for existing in list(hdrs):
                if existing.lower() == k.lower():
                    del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            res = Response(r.status, r.reason,
                           [(n.lower(), v) for n, v in r.getheaders()], data)
        finally:
            conn.close()
        self._store_cookies(res, path)
        return res

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def head(self, path, headers=None):
        return self.request("HEAD", path, headers=headers)

    def post(self, path, fields, headers=None):
        """POST fields (dict or list of pairs; a list value repeats the name) urlencoded."""
        body = urllib.parse.urlencode(_pairs(fields), doseq=False)
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        hdrs.update(headers or {})
        return self.request("POST", path, body=body, headers=hdrs)

    def form(self, path, form_id="comment-form"):
        """GET path and parse the <form id=form_id>; raises AssertionError when absent."""
        page = self.get(path)
        parser = _FormParser()
        parser.feed(page.text)
        parser.close()
        for f in parser.forms:
            if f["id"] == form_id:
                # A browser never sends the fragment (#comment-form).
                action = urllib.parse.urldefrag(urllib.parse.urljoin(path, f["action"] or path))[0]
                return Form(self, action, f["method"], f["pairs"], f["buttons"], page)
        raise AssertionError("no <form id=%r> on %s (status %d): %s" % (
            form_id, path, page.status, page.text[:500]))


def _pairs(fields):
    """Normalise a dict or list of pairs into pairs; list values repeat the name."""
    items = fields.items() if isinstance(fields, dict) else fields
    out = []
    for name, value in items:
        if isinstance(value, (list, tuple)):
            out.extend((name, str(v)) for v in value)
        else:
            out.append((name, "" if value is None else str(value)))
    return out


class Form:
    """A parsed HTML form: action (absolute path), method, fields, submit()."""

    def __init__(self, client, action, method, pairs, buttons, page):
        self.client = client
        self.action = action
        self.method = method
        self.pairs = pairs          # [(name, value)] in document order, repeats kept
        self.buttons = buttons      # submit buttons: [(name, value)]
        self.page = page            # the Response the form came from
        self.fields = {}
        for name, value in pairs:
            self.fields.setdefault(name, value)

    def submit(self, overrides=None, drop=None, headers=None, button=None):
        """Post every field the form holds, with overrides replacing (or adding)
        values and the names in drop left out.  An override whose value is a
        list sends that name once per item.  Like a browser, the first named
        submit button is sent too; button=(name, value) picks another."""
        overrides = dict(overrides or {})
        drop = set(drop or ())
        out, done = [], set()
        pairs = list(self.pairs)
        if button is None and self.buttons:
            button = self.buttons[0]
        if button is not None and button[0] not in overrides:
            pairs.append(tuple(button))
        for name, value in pairs:
            if name in drop:
                continue
            if name in overrides:
                if name not in done:
                    out.extend(_pairs([(name, overrides[name])]))
                    done.add(name)
                continue
            out.append((name, value))
        for name, value in overrides.items():
            if name not in done and name not in drop:
                out.extend(_pairs([(name, value)]))
        if self.method == "get":
            query = urllib.parse.urlencode(out)
            sep = "&" if "?" in self.action else "?"
            return self.client.get(self.action + sep + query, headers=headers)
        return self.client.post(self.action, out, headers=headers)


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.cur = None
        self.textarea = None        # [name, text parts]
        self.select = None          # [name, first value, selected value]
        self.option = None          # [value or None, text parts, selected]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.cur = {"id": a.get("id"), "action": a.get("action", ""),
                        "method": a.get("method", "get").lower(),
                        "pairs": [], "buttons": []}
            self.forms.append(self.cur)
            return
        if self.cur is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                if kind == "submit":
                    self.cur["buttons"].append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.cur["pairs"].append((name, a.get("value", "on")))
            else:
                self.cur["pairs"].append((name, a.get("value", "")))
        elif tag == "button" and name:
            if a.get("type", "submit").lower() == "submit":
                self.cur["buttons"].append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, []]
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), [], "selected" in a]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.option is not None:
            self.option[1].append(data)

    def _end_option(self):
        if self.option is None or self.select is None:
            return
        value = self.option[0] if self.option[0] is not None else "".join(self.option[1]).strip()
        if self.select[1] is None:
            self.select[1] = value
        if self.option[2]:
            self.select[2] = value
        self.option = None

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None and self.cur is not None:
            text = "".join(self.textarea[1])
            if text.startswith("\n"):       # HTML drops the first newline
                text = text[1:]
            self.cur["pairs"].append((self.textarea[0], text))
            self.textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None and self.cur is not None:
            self._end_option()
            value = self.select[2] if self.select[2] is not None else self.select[1]
            if value is not None:
                self.cur["pairs"].append((self.select[0], value))
            self.select = None
        elif tag == "form":
            self.cur = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


# ---------------------------------------------------------------- the site

class _Responder:
    def __init__(self, name, binary, sock, stderr_path):
        self.name = name
        self.binary = binary
        self.sock = sock
        self.stderr_path = stderr_path
        self.proc = None
        self.killed = []            # pids we killed on purpose


class Site:
    """A running parley behind nginx in a temporary folder (see module doc).

    conf: extra parley.conf keys (values are strings; "{port}" is replaced by
    the nginx port; None removes a default key).  moderate: also start
    parley-moderate at /admin/ when it is built.  workers: --workers N.
    serve=False stops after `parley init`: a configuration and a database
    for tests that start programs themselves (no responders, no nginx).
    """

    def __init__(self, conf=None, moderate=False, workers=2, serve=True):
        self.serve = serve
        self.conf_overrides = dict(conf or {})
        self.want_moderate = moderate
        self.workers = workers
        self.source_dir = READABLE_SOURCE_DIR
        self.build_dir = BUILD_DIR
        self.program_dir = PROGRAM_DIR
        self.templates_dir = TEMPLATES_DIR
        self.sample_dir = SAMPLE_DIR
        self.tmp = None
        self.port = None
        self.nginx = None
        self.blog = None
        self.moderate = None
        self._posts = 0

    # Paths and URLs
    @property
    def conf_path(self):
        return os.path.join(self.tmp, "parley.conf")

    @property
    def db_path(self):
        return os.path.join(self.tmp, "parley.db")

    @property
    def origin(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def mount(self):
        """The path of base_url: "" when the blog sits at the root."""
        return urllib.parse.urlsplit(self.base_url).path.rstrip("/")

    def binary(self, name):
        return os.path.join(self.program_dir, name)

    @property
    def blog_pid(self):
        return self.blog.proc.pid

    @property
    def moderate_pid(self):
        return self.moderate.proc.pid if self.moderate else None

    @property
    def has_moderate(self):
        return self.moderate is not None

    # Start-up
    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self._stop(failed=True)
            raise
        return self

    def _start(self):
        self.tmp = tempfile.mkdtemp(prefix="parley-test-")
        os.chmod(self.tmp, 0o755)
        self.port = free_port()
        conf = {
            "db": self.db_path,
            "templates": os.environ.get("PARLEY_TEMPLATES") or self.templates_dir,
            "base_url": "http://127.0.0.1:{port}",
            "site_title": "Test blog",
        }
        conf.update(self.conf_overrides)
        lines = ["# written by tests/integration/harness.py"]
        for key, value in conf.items():
            if value is None:
                continue
            value = str(value).replace("{port}", str(self.port))
            if key == "base_url":
                self.base_url = value
            lines.append("%s = %s" % (key, value))
        if "base_url" not in conf or conf["base_url"] is None:
            self.base_url = self.origin
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        _chown_tree(self.tmp)

        self._init_db()
        if not self.serve:
            return

        self.blog = _Responder("parley-blog", self.binary("parley-blog"),
                               os.path.join(self.tmp, "blog.sock"),
                               os.path.join(self.tmp, "blog.stderr"))
        self._spawn(self.blog)
        if self.want_moderate and os.access(self.binary("parley-moderate"), os.X_OK):
            self.moderate = _Responder("parley-moderate", self.binary("parley-moderate"),
                                       os.path.join(self.tmp, "moderate.sock"),
                                       os.path.join(self.tmp, "moderate.stderr"))
            self._spawn(self.moderate)
        self._wait_socket(self.blog)
        if self.moderate:
            self._wait_socket(self.moderate)
        self._start_nginx()

    def _init_db(self):
        res = self.cli("init", check=False)
        if res.returncode == 0:
            return
        raise AssertionError("parley init failed (exit %d): %s" % (res.returncode, res.stderr))

    def _responder_cmd(self, r):
        cmd = [r.binary, "--config", self.conf_path, "--listen", "unix:" + r.sock,
               "--workers", str(self.workers)]
        if IS_ROOT:
            cmd += ["--user", RUN_USER]
        return cmd

    def _spawn(self, r):
        if not os.access(r.binary, os.X_OK):
            raise AssertionError("%s is not built (PARLEY_BUILD_DIR=%s)" % (r.binary, self.build_dir))
        env = dict(os.environ)
        env.pop("LISTEN_FDS", None)
        env.pop("LISTEN_PID", None)
        err = open(r.stderr_path, "ab")
        try:
            r.proc = subprocess.Popen(self._responder_cmd(r), stdin=subprocess.DEVNULL,
                                      stdout=err, stderr=err, env=env,
                                      cwd=self.tmp)
        finally:
            err.close()

    def _wait_socket(self, r):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if r.proc.poll() is not None:
                raise AssertionError("%s exited with %s at start-up:\n%s" % (
                    r.name, r.proc.returncode, tail(r.stderr_path)))
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(r.sock)
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("%s did not open %s within %ds:\n%s" % (
                    r.name, r.sock, STARTUP_TIMEOUT, tail(r.stderr_path)))
            time.sleep(0.05)

    def _nginx_conf(self):
        t = self.tmp
        mount = self.mount
        static = os.path.join(self.templates_dir, "static") + "/"
        # Kept connections, more of them than the responders have workers:
        # the responders' connection pool must serve them all.
        fcgi = "            include %s;\n            fastcgi_keep_conn on;\n" % FASTCGI_PARAMS
        locs = []
        locs.append("        location /static/ { alias %s; }\n" % static)
        if mount:
            locs.append("        location %s/static/ { alias %s; }\n" % (mount, static))
        if self.moderate:
            locs.append("        location %s/admin/ {\n%s"
                        "            fastcgi_pass moderate;\n        }\n" % (mount, fcgi))
            locs.append("        location = %s/admin { return 301 %s/admin/; }\n" % (mount, mount))
        locs.append("        location %s/ {\n%s            fastcgi_pass blog;\n        }\n"
                    % (mount, fcgi))
        if mount:
            locs.append("        location = %s { return 301 %s/; }\n" % (mount, mount))
        upstreams = "    upstream blog { server unix:%s; keepalive 16; }\n" % self.blog.sock
        if self.moderate:
            upstreams += ("    upstream moderate { server unix:%s; keepalive 16; }\n"
                          % self.moderate.sock)
        user = "user %s nogroup;\n" % RUN_USER if IS_ROOT else ""
        return """# written by tests/integration/harness.py
daemon off;
master_process on;
worker_processes 1;
{user}pid {t}/nginx.pid;
error_log {t}/error.log info;
events {{ worker_connections 256; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log {t}/access.log;
    client_body_temp_path {t}/client_body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    # Pages with many comments run to a few hundred KB: keep them in memory.
    fastcgi_buffer_size 128k;
    fastcgi_buffers 4 64k;
    fastcgi_busy_buffers_size 128k;
    client_max_body_size 1m;
{upstreams}    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
{locs}    }}
}}
""".format(user=user, t=t, mime=MIME_TYPES, upstreams=upstreams, port=self.port,
           locs="".join(locs))

    def _start_nginx(self):
        if not os.access(NGINX, os.X_OK):
            raise Skip("nginx (%s) is not executable" % NGINX)
        conf = os.path.join(self.tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(self._nginx_conf())
        self.nginx_log = os.path.join(self.tmp, "error.log")
        out = open(os.path.join(self.tmp, "nginx.stderr"), "ab")
        try:
            # nginx reads $NGINX as inherited listening sockets: keep it out.
            env = {k: v for k, v in os.environ.items() if k != "NGINX"}
            self.nginx = subprocess.Popen([NGINX, "-p", self.tmp + "/", "-c", conf,
                                           "-e", self.nginx_log], env=env,
                                          stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        finally:
            out.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self.nginx.poll() is not None:
                raise AssertionError("nginx exited with %s:\n%s%s" % (
                    self.nginx.returncode, tail(os.path.join(self.tmp, "nginx.stderr")),
                    tail(self.nginx_log)))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", (self.mount or "") + "/static/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not answer on port %d" % self.port)
            time.sleep(0.05)

    # Control
    def restart_blog(self):
        """kill -9 parley-blog and start it again on the same socket."""
        self.blog.killed.append(self.blog.proc.pid)
        self.blog.proc.kill()
        self.blog.proc.wait()
        self._spawn(self.blog)
        self._wait_socket(self.blog)

    def kill_blog(self):
        """kill -9 parley-blog and leave it dead (restart with restart_blog)."""
        self.blog.killed.append(self.blog.proc.pid)
        self.blog.proc.kill()
        self.blog.proc.wait()

    def client(self):
        return Client(self)

    def url(self, path):
        """Absolute URL for a path under the mount point."""
        return self.base_url.rstrip("/") + path

    def cli(self, *args, check=True, input=None):
        """Run `parley --config CONF --db DB ARGS...` (as nobody when root).

        Returns a CompletedProcess with text stdout and stderr; check=True
        raises AssertionError unless the exit status is 0.  A sanitizer
        report always raises."""
        cmd = [self.binary("parley")]
        args = [str(a) for a in args]
        cmd += ["--config", self.conf_path, "--db", self.db_path] + args
        if isinstance(input, bytes):
            input = input.decode("utf-8")
        res = subprocess.run(cmd, input=input if input is not None else "",
                             capture_output=True, text=True, errors="replace",
                             cwd=self.tmp, timeout=60, **_as_run_user())
        crash = crash_report(res.stderr)
        if crash or res.returncode < 0:
            raise AssertionError("parley %s crashed (%s): %s" % (
                " ".join(args), res.returncode, res.stderr[-4000:]))
        if check and res.returncode != 0:
            raise AssertionError("parley %s exited %d: %s%s" % (
                " ".join(args), res.returncode, res.stderr, res.stdout))
        return res

    def add_post(self, title="A post", body="Some text.", slug=None, tags=None,
                 date=None, comments="open", extra_front_matter=None, draft=None,
                 author=None):
        """Write a Markdown post file and `parley post add` it; returns its slug."""
        self._posts += 1
        fm = ["---", "title: %s" % title]
        if slug is not None:
            fm.append("slug: %s" % slug)
        if date is not None:
            if isinstance(date, (int, float)):
                date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(date))
            elif hasattr(date, "strftime"):
                date = date.strftime("%Y-%m-%dT%H:%M:%SZ")
            fm.append("date: %s" % date)
        if author is not None:
            fm.append("author: %s" % author)
        if tags:
            fm.append("tags: %s" % (tags if isinstance(tags, str) else ", ".join(tags)))
        if draft is not None:
            fm.append("draft: %s" % ("true" if draft else "false"))
        if comments is not None:
            fm.append("comments: %s" % comments)
        if isinstance(extra_front_matter, dict):
            fm.extend("%s: %s" % kv for kv in extra_front_matter.items())
        elif extra_front_matter:
            fm.append(extra_front_matter.rstrip("\n"))
        fm.append("---")
        folder = os.path.join(self.tmp, "posts")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "post-%03d.md" % self._posts)
        with open(path, "w") as f:
            f.write("\n".join(fm) + "\n" + body + ("" if body.endswith("\n") else "\n"))
        _chown_tree(folder)
        self.cli("post", "add", path)
        if slug is not None:
            return slug
        conn = self.db()
        try:
            row = conn.execute("SELECT slug FROM posts WHERE title = ? "
                               "ORDER BY updated_at DESC, id DESC LIMIT 1", (title,)).fetchone()
        finally:
            conn.close()
        if row is None:
            raise AssertionError("post %r is not in the database after post add" % title)
        return row[0]

    def db(self):
        """A sqlite3 connection to the site's database (autocommit off, as sqlite3's default)."""
        conn = sqlite3.connect(self.db_path, timeout=10)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        # Opening in WAL mode may have made -wal/-shm as root: give them back.
        if IS_ROOT:
            pw = pwd.getpwnam(RUN_USER)
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.chown(self.db_path + suffix, pw.pw_uid, pw.pw_gid)
                except FileNotFoundError:
                    pass
        return conn

    def logs(self):
        """The last lines of every log the site wrote, for failure messages."""
        out = []
        for r in (self.blog, self.moderate):
            if r is not None:
                out.append("--- %s stderr ---\n%s" % (r.name, tail(r.stderr_path)))
        if self.tmp:
            out.append("--- nginx error.log ---\n%s" % tail(os.path.join(self.tmp, "error.log"), 30))
        return "\n".join(out)

    # Shut-down
    def __exit__(self, exc_type, exc, tb):
        failed = exc_type is not None and not issubclass(exc_type, Skip)
        problems = self._stop(failed=failed)
        if problems and not failed:
            raise AssertionError("; ".join(problems))
        return False

    @staticmethod
    def _terminate(proc, sig=signal.SIGTERM):
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.send_signal(sig)
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _stop(self, failed):
        problems = []
        self._terminate(self.nginx, signal.SIGTERM)
        running = [r for r in (self.blog, self.moderate) if r is not None and r.proc is not None]
        for r in running:
            if r.proc.poll() is not None:
                if r.proc.pid not in r.killed:
                    problems.append("%s exited by itself with status %s"
                                    % (r.name, r.proc.returncode))
            else:
                r.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for r in running:
            try:
                r.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                r.proc.kill()
                r.proc.wait()
        for r in running:
            text = tail(r.stderr_path, 100000)
            crash = crash_report(text)
            if crash:
                problems.append("%s: %s" % (r.name, crash))
        if self.tmp and (failed or problems):
            sys.stderr.write(self.logs() + "\n")
            if problems:
                sys.stderr.write("harness: %s\n" % "; ".join(problems))
        if self.tmp and not os.environ.get("PARLEY_KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        elif self.tmp:
            sys.stderr.write("harness: kept %s\n" % self.tmp)
        return problems


# ---------------------------------------------------------------- FastCGI

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7


def _fcgi_record(kind, content, request_id=1):
    import struct
    out = b""
    while True:         # a record carries at most 65535 bytes; empty ends a stream
        chunk, content = content[:65535], content[65535:]
        pad = (8 - len(chunk) % 8) % 8
        out += struct.pack(">BBHHBB", 1, kind, request_id, len(chunk), pad, 0) + chunk + b"\0" * pad
        if not content:
            return out


def _fcgi_length(n):
    import struct
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


class CgiResponse(Response):
    """A FastCGI or CGI response: status from the Status header (200 without)."""

    def __init__(self, raw, stderr=b""):
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = raw.partition(b"\n\n")
        headers = []
        for line in head.decode("latin-1").splitlines():
            if ":" in line:
                name, value = line.split(":", 1)
                headers.append((name.strip().lower(), value.strip()))
        status = 200
        for name, value in headers:
            if name == "status":
                status = int(value.split()[0])
        super().__init__(status, "", headers, body)
        self.raw = raw
        self.stderr = stderr


def fcgi_encode(method="GET", uri="/", body=b"", env=None):
    """The bytes of one whole FastCGI request (BEGIN_REQUEST, PARAMS, STDIN),
    with the CGI variables nginx's fastcgi_params would send, env added."""
    import struct
    path, _, query = uri.partition("?")
    params = {
        "REQUEST_METHOD": method, "REQUEST_URI": uri, "QUERY_STRING": query,
        "SCRIPT_NAME": path, "DOCUMENT_URI": path, "SERVER_PROTOCOL": "HTTP/1.1",
        "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "harness",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": "80", "SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)) if body else "", "CONTENT_TYPE": "",
    }
    params.update(env or {})
    encoded = b""
    for name, value in params.items():
        n, v = name.encode(), str(value).encode()
        encoded += _fcgi_length(len(n)) + _fcgi_length(len(v)) + n + v
    msg = _fcgi_record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", 1, 0))
    msg += _fcgi_record(FCGI_PARAMS, encoded) + _fcgi_record(FCGI_PARAMS, b"")
    msg += _fcgi_record(FCGI_STDIN, body) if body else b""
    msg += _fcgi_record(FCGI_STDIN, b"")
    return msg


def fcgi_read_response(sock):
    """Read FastCGI records from sock up to END_REQUEST; returns a CgiResponse.
    Raises AssertionError when the responder closes the connection first."""
    import struct
    out, err, data = b"", b"", b""
    while True:
        while len(data) >= 8:
            _, kind, _, length, pad, _ = struct.unpack(">BBHHBB", data[:8])
            if len(data) < 8 + length + pad:
                break
            content, data = data[8:8 + length], data[8 + length + pad:]
            if kind == FCGI_STDOUT:
                out += content
            elif kind == FCGI_STDERR:
                err += content
            elif kind == FCGI_END_REQUEST:
                return CgiResponse(out, err)
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("FastCGI connection closed before END_REQUEST "
                                 "(got %d bytes of output)" % len(out))
        data += chunk


def fcgi_request(address, method="GET", uri="/", body=b"", env=None, timeout=15):
    """One FastCGI request to address (a unix socket path, or (host, port)),
    with the CGI variables nginx's fastcgi_params would send.  Returns a
    CgiResponse."""
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(address)
        s.sendall(fcgi_encode(method, uri, body, env))
        return fcgi_read_response(s)


# ---------------------------------------------------------------- test runner

def comment_id(res):
    """The comment id from a 303's Location (/posts/SLUG#comment-ID)."""
    assert res.status == 303, (res.status, res.text[:2000])
    m = re.search(r"#comment-(\d+)$", res.headers.get("location", ""))
    assert m, res.headers
    return int(m.group(1))


def run_tests(namespace):
    """Run every test_* function of namespace in definition order and exit.

    Prints "ok NAME", "skip NAME: why" or "FAIL NAME: traceback", then
    "N passed, N failed".  Exit status: 0 all passed, 1 any failed, 77 when
    nothing ran (nginx missing, or every test skipped).  Names given on the
    command line select tests by substring."""
    if not os.access(NGINX, os.X_OK):
        print("skip: nginx (%s) is not executable" % NGINX)
        sys.exit(77)
    # ctest's timeout sends SIGTERM: unwind through the `with Site()` blocks
    # so nginx and the responders stop and the temporary folder goes.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    wanted = sys.argv[1:]
    tests = [(name, fn) for name, fn in namespace.items()
             if name.startswith("test_") and callable(fn)
             and (not wanted or any(w in name for w in wanted))]
    passed = failed = skipped = 0
    for name, fn in tests:
        start = time.monotonic()
        try:
            fn()
        except Skip as e:
            skipped += 1
            print("skip %s: %s" % (name, e), flush=True)
            continue
        except (KeyboardInterrupt, SystemExit):
            # Interrupted or timed out (SIGTERM): the Sites have cleaned up.
            failed += 1
            print("FAIL %s: interrupted" % name, flush=True)
            break
        except BaseException:
            failed += 1
            print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - start,
                                           traceback.format_exc()), flush=True)
            continue
        passed += 1
        print("ok %s (%.1fs)" % (name, time.monotonic() - start), flush=True)
    print("%d passed, %d failed%s" % (passed, failed,
                                      ", %d skipped" % skipped if skipped else ""), flush=True)
    if failed:
        sys.exit(1)
    if passed == 0:
        sys.exit(77)
    sys.exit(0)

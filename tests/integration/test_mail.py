"""test_mail.py: mail as an MTA receives it: moderators, readers' double opt-in, unsubscribing, the queue.

mail_command is Debian's msmtp talking SMTP to a server on loopback
(python3-aiosmtpd, smtp_sink.py); messages are parsed with Python's email
package and their links followed through nginx.
"""

import base64
import hashlib
import hmac
import re
import struct
import time
import urllib.parse

from admin_util import admin_site
from harness import Site, run_tests
from smtp_sink import SmtpSink, body_of, script, shared_dir, remove

MODS = ("mod@example.org", "second@example.org")
READER = "reader@example.org"


def mail_conf(sink, **extra):
    c = {"min_form_seconds": "0", "comments_per_minute": "1000",
         "mail_from": "blog@example.org", "mail_command": sink.msmtp_command(),
         "moderator_emails": ""}
    c.update({k: (None if v is None else str(v)) for k, v in extra.items()})
    return c


def comment(s, slug, client=None, **fields):
    c = client or s.client()
    values = {"author": "Ann Reader", "comment": "A thoughtful reply."}
    values.update(fields)
    res = c.form("/posts/" + slug).submit(values)
    assert res.status == 303, (res.status, res.text[:800])
    return res


def db_one(s, sql, *args):
    conn = s.db()
    try:
        return conn.execute(sql, args).fetchone()
    finally:
        conn.close()


def db_run(s, sql, *args):
    conn = s.db()
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def wait_row(s, sql, want, seconds=20):
    """The row sql returns once want(row) holds (the worker updates after the MTA answered)."""
    deadline = time.monotonic() + seconds
    while True:
        row = db_one(s, sql)
        if (row and want(row)) or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def link(msg, pattern):
    """The first URL in the body matching pattern, as a path under the site."""
    m = re.search(r"(https?://\S*%s\S*)" % pattern, body_of(msg))
    assert m, "no %s link in:\n%s" % (pattern, body_of(msg))
    return m.group(1)


def path_of(s, url):
    assert url.startswith(s.base_url), url
    return url[len(s.base_url):]


def forge(s, token, **changes):
    """The token re-signed with the site secret after changing fields (tests expiry)."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    kind, ident, sub, issued = struct.unpack(">cqqq", raw[:25])
    rest = raw[25:41]
    ident = changes.get("id", ident)
    issued = changes.get("issued_at", issued)
    payload = struct.pack(">cqqq", kind, ident, sub, issued) + rest
    secret = bytes.fromhex(db_one(s, "SELECT value FROM settings WHERE key = 'secret'")[0])
    key = hashlib.blake2b(b"parley mail links", key=secret, digest_size=32).digest()
    mac = hmac.new(key, payload, hashlib.sha512).digest()[:32]
    return base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")


def check_headers(msg, to):
    """What every message must carry (RFC 5322, MIME, auto-generated)."""
    assert msg["To"].addresses[0].addr_spec == to, msg["To"]
    assert msg["From"].addresses[0].addr_spec == "blog@example.org", msg["From"]
    assert re.fullmatch(r"<[^<>@\s]+@example\.org>", msg["Message-ID"]), msg["Message-ID"]
    assert msg["Date"].datetime is not None and abs(time.time() - msg["Date"].datetime.timestamp()) < 600
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    assert msg["Content-Transfer-Encoding"] in ("7bit", "quoted-printable", "8bit")


def test_moderators_mail_link_and_digest():
    with SmtpSink() as sink, admin_site(conf=mail_conf(
            sink, moderator_emails=", ".join(MODS), site_title="Café Test")) as s:
        slug = s.add_post(title="Crème brûlée", body="On custard.")
        comment(s, slug, author="Zoë Ünal", email="zoe@example.org",
                comment="Délicieux! A line with = and a very long tail " + "x" * 120)
        msgs = sink.wait(2)
        assert sorted(m.envelope_rcpts[0] for m in msgs) == sorted(MODS), msgs
        m = sink.messages(MODS[0])[0]
        check_headers(m, MODS[0])
        # RFC 2047 words decoded by the email package; the raw header is ASCII.
        assert m["Subject"] == '[Café Test] New comment on "Crème brûlée"', m["Subject"]
        raw = [r for _, to, r in sink.raw() if to == [MODS[0]]][0]
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert all(b < 0x80 for b in head), head
        assert b"=?UTF-8?Q?" in head, head
        assert m["From"].addresses[0].display_name == "Café Test"
        assert m["Precedence"] is None
        text = body_of(m)
        assert "Zoë Ünal" in text and "zoe@example.org" in text and "x" * 120 in text, text
        url = link(m, "/admin/mail/")
        cid = db_one(s, "SELECT id FROM comments")[0]

        # GET shows the comment and the buttons, and never acts (scanners fetch links).
        c = s.client()
        for _ in range(2):
            page = c.get(path_of(s, url))
            assert page.status == 200, (page.status, page.text[:500])
            assert "Délicieux" in page.text and "Zoë Ünal" in page.text
            for b in ("Approve", "Spam", "Reject"):
                assert ">%s</button>" % b in page.text, page.text
        assert db_one(s, "SELECT status FROM comments WHERE id = ?", cid)[0] == "pending"

        # A cross-site POST is refused; a forged token is not ours; an old one expired.
        res = c.post(path_of(s, url), {"action": "approve"},
                     headers={"Origin": "https://evil.example"})
        assert res.status == 403, res.status
        token = url.rsplit("/", 1)[1]
        assert c.get("/admin/mail/" + token[:-2] + "AA").status == 400
        old = forge(s, token, issued_at=int(time.time()) - 8 * 86400)
        res = c.get("/admin/mail/" + old)
        assert res.status == 410 and "expired" in res.text, res.status
        assert c.post("/admin/mail/" + old, {"action": "approve"}).status == 410
        assert db_one(s, "SELECT status FROM comments WHERE id = ?", cid)[0] == "pending"
        # Only the page's three buttons: the queue's other actions, or none, are 400.
        for action in ({"action": "delete"}, {"action": "block-email"}, {"action": "Approve"},
                       {}):
            res = c.post(path_of(s, url), action)
            assert res.status == 400, (action, res.status)
        assert db_one(s, "SELECT status FROM comments WHERE id = ?", cid)[0] == "pending"

        # The page's POST acts, through the same moderation as the queue (audited).
        res = c.post(path_of(s, url), {"action": "approve"})
        assert res.status == 200 and "Approved" in res.text, (res.status, res.text[:500])
        assert db_one(s, "SELECT status FROM comments WHERE id = ?", cid)[0] == "approved"
        row = db_one(s, "SELECT user_name, action FROM audit WHERE comment_id = ?", cid)
        assert row == ("mail:%s" % MODS[0], "approve"), row

        # Single use: moderated, the link is void (the other moderator's too).
        assert c.get(path_of(s, url)).status == 410
        other = link(sink.messages(MODS[1])[0], "/admin/mail/")
        res = c.post(path_of(s, other), {"action": "spam"})
        assert res.status == 410, res.status
        assert db_one(s, "SELECT status FROM comments WHERE id = ?", cid)[0] == "approved"

        # More comments inside mail_digest_minutes wait for one digest.
        comment(s, slug, author="Bob", comment="Second one")
        comment(s, slug, author="Cy", comment="Third one")
        sink.quiet(2, seconds=1.5)
        assert db_one(s, "SELECT count(*) FROM mail_queue WHERE kind = 'digest'")[0] == 2
        db_run(s, "UPDATE mail_queue SET next_at = 0 WHERE kind = 'digest'")
        msgs = sink.wait(2, to=MODS[0], seconds=20)
        d = msgs[1]
        check_headers(d, MODS[0])
        assert d["Precedence"] == "bulk", d["Precedence"]
        assert "2 new comments" in d["Subject"], d["Subject"]
        text = body_of(d)
        assert "Second one" in text and "Third one" in text, text
        assert len(re.findall(r"/admin/mail/\S+", text)) == 2, text

        # Editing a comment after the mail voids its link too.
        url2 = re.findall(r"(https?://\S*/admin/mail/\S+)", text)[0]
        db_run(s, "UPDATE comments SET body_md = 'changed' WHERE author = 'Bob'")
        res = c.get(path_of(s, url2))
        assert res.status == 410 and "changed" in res.text, res.status


def subscribe(s, slug, email=READER, comments=True, posts=False, **fields):
    extra = {"email": email}
    if comments:
        extra["subscribe_comments"] = "1"
    if posts:
        extra["subscribe_posts"] = "1"
    extra.update(fields)
    return comment(s, slug, **extra)


def test_reader_double_opt_in_and_notifications():
    with SmtpSink() as sink, Site(conf=mail_conf(sink)) as s:
        slug = s.add_post(title="Peer work", body="On peers.")
        form = s.client().form("/posts/" + slug)
        assert "subscribe_comments" not in form.fields, "boxes must be unticked"
        page = s.client().get("/posts/" + slug).text
        assert "Notify me of new comments by email" in page
        assert "Notify me of new posts by email" in page

        # The boxes need an email.
        res = s.client().form("/posts/" + slug).submit(
            {"author": "Ann", "comment": "Hi", "subscribe_comments": "1"})
        assert res.status == 422 and "Give your email" in res.text, res.status

        subscribe(s, slug, posts=True, comment="My first comment")
        mine = db_one(s, "SELECT id FROM comments WHERE email = ?", READER)[0]
        msgs = sink.wait(1, to=READER)
        conf = msgs[0]
        check_headers(conf, READER)
        assert "confirm" in conf["Subject"].lower(), conf["Subject"]
        assert conf["List-Unsubscribe"] and conf["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = body_of(conf)
        assert 'new comments on "Peer work"' in text and "new posts" in text, text
        url = link(conf, "/subscriptions/confirm")

        # Ticking again while unconfirmed sends no second mail; others' comments
        # approved meanwhile send nothing to the unconfirmed address.
        subscribe(s, slug, comment="Again")
        comment(s, slug, author="Bea", email="bea@example.org", comment="Bea's view")
        bea = db_one(s, "SELECT id FROM comments WHERE author = 'Bea'")[0]
        s.cli("comments", "approve", bea)
        sink.quiet(1, to=READER, seconds=2)

        # GET shows the button and confirms nothing; an expired link is refused.
        c = s.client()
        path = path_of(s, url)
        for _ in range(2):
            res = c.get(path)
            assert res.status == 200 and "Confirm my subscription" in res.text, res.status
        assert db_one(s, "SELECT confirmed_at FROM subscribers")[0] is None
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["t"][0]
        old = forge(s, token, issued_at=int(time.time()) - 8 * 86400)
        assert c.get("/subscriptions/confirm?t=" + old).status == 410
        assert c.post("/subscriptions/confirm?t=" + old, {}).status == 410
        assert c.get("/subscriptions/confirm?t=garbage").status == 400
        res = c.form(path, form_id="confirm-form").submit()
        assert res.status == 200 and "confirmed" in res.text, res.status
        assert db_one(s, "SELECT confirmed_at FROM subscribers")[0] is not None
        res = c.post(path, {})
        assert res.status == 200 and "already confirmed" in res.text

        # Confirmed: the reader's own comment approved, then others' comments.
        s.cli("comments", "approve", mine)
        got = sink.wait(2, to=READER)[1]
        check_headers(got, READER)
        assert got["Subject"] == '[Test blog] Your comment on "Peer work" is published', got["Subject"]
        sink.quiet(2, to=READER, seconds=1)     # and no "new comment" about their own

        comment(s, slug, author="Cal", email="cal@example.org", comment="Cal here",
                parent=str(mine))
        comment(s, slug, author="Dee", comment="Dee here")
        cal = db_one(s, "SELECT id FROM comments WHERE author = 'Cal'")[0]
        dee = db_one(s, "SELECT id FROM comments WHERE author = 'Dee'")[0]
        s.cli("comments", "approve", cal)
        reply = sink.wait(3, to=READER)[2]
        assert reply["Subject"] == '[Test blog] Cal replied to your comment on "Peer work"', reply["Subject"]
        assert "Cal here" in body_of(reply)
        s.cli("comments", "approve", dee)
        new = sink.wait(4, to=READER)[3]
        assert new["Subject"] == '[Test blog] New comment on "Peer work"', new["Subject"]
        assert "Dee here" in body_of(new)
        unsub = new["List-Unsubscribe"]
        assert unsub.startswith("<") and "/subscriptions/unsubscribe?t=" in unsub, unsub
        assert new["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Approving again (after pending) tells nobody twice.
        db_run(s, "UPDATE comments SET status = 'pending' WHERE id = ?", dee)
        s.cli("comments", "approve", dee)

        # A new post, once: updating the file later mails nothing.
        s.add_post(title="Second post", slug="second", body="More words.")
        post = sink.wait(5, to=READER)[4]
        assert post["Subject"] == "[Test blog] New post: Second post", post["Subject"]
        assert post["Precedence"] == "bulk"
        assert "/posts/second" in body_of(post)
        s.add_post(title="Second post", slug="second", body="More words, edited.")
        sink.quiet(5, to=READER, seconds=2)

        # A confirmed address counts as known for auto-approval.
        db_run(s, "INSERT OR REPLACE INTO settings (key, value) VALUES ('rule.auto_approve_known', '1')")
        comment(s, slug, email=READER.upper(), comment="Trusted now")
        assert db_one(s, "SELECT status FROM comments WHERE body_md = 'Trusted now'")[0] == "approved"

        # One-click unsubscribe: GET shows a button and changes nothing; POST stops it.
        upath = path_of(s, unsub.strip("<>"))
        res = c.get(upath)
        assert res.status == 200 and "Stop" in res.text and "New posts" in res.text, res.status
        assert db_one(s, "SELECT count(*) FROM subscriptions")[0] == 2
        body = ("--xyz\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                "One-Click\r\n--xyz--\r\n").encode()
        res = s.client().request("POST", upath, body=body, headers={
            "Content-Type": "multipart/form-data; boundary=xyz"})
        assert res.status == 200, (res.status, res.text[:400])
        kinds = [r[0] for r in s.db().execute("SELECT kind FROM subscriptions")]
        assert kinds == ["posts"], kinds
        # The page lists what is left; "stop all" removes everything.
        res = s.client().post(upath, {"all": "1"})
        assert res.status == 200 and db_one(s, "SELECT count(*) FROM subscriptions")[0] == 0
        s.add_post(title="Third post", slug="third", body="Nobody hears.")
        sink.quiet(5, to=READER, seconds=2)

        # Export and erase include subscriptions and queued mail.
        subscribe(s, slug, email="eve@example.org", comment="Eve")
        out = s.cli("comments", "export", "--email", "eve@example.org").stdout
        import json
        data = json.loads(out)
        assert data["email"] == "eve@example.org" and len(data["comments"]) == 1, data
        assert data["subscriptions"][0]["kind"] == "comments", data
        res = s.cli("comments", "erase", "--email", "eve@example.org")
        assert "1 subscription" in res.stdout, res.stdout
        assert db_one(s, "SELECT count(*) FROM subscribers WHERE email = 'eve@example.org'")[0] == 0
        q = s.cli("mail", "queue").stdout
        assert "eve@example.org" not in q and "sent" in q, q


def test_nothing_for_spam():
    with SmtpSink() as sink, Site(conf=mail_conf(sink, moderator_emails=MODS[0])) as s:
        slug = s.add_post(title="Quiet", body="No mail for spam.")
        form = s.client().form("/posts/" + slug)
        honeypot = [k for k in form.fields if k not in
                    ("author", "email", "url", "comment", "parent", "token")][0]
        res = form.submit({"author": "Bot", "comment": "Buy things", "email": READER,
                           "subscribe_comments": "1", "subscribe_posts": "1",
                           honeypot: "http://spam.example"})
        assert res.status == 303, res.status
        assert db_one(s, "SELECT status FROM comments")[0] == "spam"
        sink.quiet(0, seconds=2)
        assert db_one(s, "SELECT count(*) FROM subscribers")[0] == 0


def test_slow_mailer_never_delays_the_post():
    with SmtpSink() as sink, Site(conf=mail_conf(
            sink, moderator_emails=MODS[0],
            mail_command="sleep 5; " + sink.msmtp_command())) as s:
        slug = s.add_post(title="Slow", body="A slow mailer.")
        c = s.client()
        form = c.form("/posts/" + slug)
        start = time.monotonic()
        res = form.submit({"author": "Ann", "comment": "Quick?"})
        took = time.monotonic() - start
        assert res.status == 303, res.status
        assert took < 3.0, "the POST waited %.1f s for the mailer" % took
        assert c.get("/posts/" + slug).status == 200
        sink.wait(1, to=MODS[0], seconds=20)


def test_failing_mailer_is_retried_then_given_up():
    d = shared_dir("parley-mailer-")
    try:
        with SmtpSink() as sink:
            flaky = script(d, "flaky", 'if [ ! -e %s/failed ]; then touch %s/failed; '
                           'echo "smarthost down" >&2; exit 75; fi\nexec %s\n'
                           % (d, d, sink.msmtp_command()))
            broken = script(d, "broken", 'echo "no route" >&2; exit 69\n')
            with Site(conf=mail_conf(sink, moderator_emails=MODS[0], mail_command=flaky,
                                     mail_retry_seconds=1, mail_max_tries=2)) as s:
                slug = s.add_post(title="Flaky", body="A flaky mailer.")
                comment(s, slug)
                sink.wait(1, to=MODS[0], seconds=20)
                row = wait_row(s, "SELECT state, tries, last_error FROM mail_queue",
                               lambda r: r[0] != "queued")
                assert row[0] == "sent" and row[1] == 2, row
                log = open(s.blog.stderr_path).read()
                assert "failed (try 1 of 2" in log and "smarthost down" in log, log[-2000:]

            with Site(conf=mail_conf(sink, moderator_emails=MODS[0], mail_command=broken,
                                     mail_retry_seconds=1, mail_max_tries=2)) as s:
                slug = s.add_post(title="Broken", body="A broken mailer.")
                comment(s, slug)
                row = wait_row(s, "SELECT state, tries, last_error FROM mail_queue",
                               lambda r: r[0] == "failed")
                assert row[0] == "failed" and row[1] == 2 and "no route" in row[2], row
                log = open(s.blog.stderr_path).read()
                assert "gave up on message" in log, log[-2000:]
                q = s.cli("mail", "queue").stdout
                assert "\tfailed\t2\t" in q and "no route" in q, q
                # Once the sysadmin fixes mail_command, `parley mail retry` sends it.
                text = open(s.conf_path).read().replace(broken, sink.msmtp_command())
                with open(s.conf_path, "w") as f:
                    f.write(text)
                res = s.cli("mail", "retry")
                assert "retried 1 message" in res.stdout, res.stdout
                sink.wait(2, to=MODS[0], seconds=5)
                assert db_one(s, "SELECT state FROM mail_queue")[0] == "sent"
    finally:
        remove(d)


def test_edit_back_to_pending_tells_the_moderators_again():
    with SmtpSink() as sink, admin_site(conf=mail_conf(sink, moderator_emails=MODS[0],
                                                       mail_digest_minutes=0)) as s:
        slug = s.add_post(title="Edited", body="Edits are checked again.")
        me = s.client()
        comment(s, slug, client=me, comment="Plain words")
        cid = db_one(s, "SELECT id FROM comments")[0]
        first = sink.wait(1, to=MODS[0])[0]
        s.cli("comments", "approve", cid)
        form = me.form("/posts/%s/comments/%d/edit" % (slug, cid), form_id="comment-edit-form")
        res = form.submit({"comment": "Now with a link https://spam.example/"})
        assert res.status == 303, res.status
        assert db_one(s, "SELECT status FROM comments")[0] == "pending"
        again = sink.wait(2, to=MODS[0])[1]
        assert "https://spam.example/" in body_of(again), body_of(again)
        # The first mail's link named the old text: void; the new one works.
        c = s.client()
        assert c.get(path_of(s, link(first, "/admin/mail/"))).status == 410
        assert c.get(path_of(s, link(again, "/admin/mail/"))).status == 200


def test_daily_limit_per_address():
    with SmtpSink() as sink, Site(conf=mail_conf(sink, moderator_emails=MODS[0],
                                                 mail_digest_minutes=0,
                                                 mail_per_address_per_day=2)) as s:
        slug = s.add_post(title="Busy", body="Many comments.")
        for i in range(4):
            comment(s, slug, comment="Comment %d" % i)
        sink.wait(2, to=MODS[0])
        sink.quiet(2, to=MODS[0], seconds=2)
        # One address hash cannot make the form mail strangers: a few
        # confirmation mails an hour, then no more.
        for i in range(5):
            subscribe(s, slug, email="stranger%d@example.org" % i, comment="Sub %d" % i)
        sink.wait(2 + 3)      # the moderators' two, three confirmations
        time.sleep(2)
        confirms = [m for m in sink.messages() if "confirm" in m["Subject"].lower()]
        assert len(confirms) == 3, [m["To"] for m in confirms]


def test_mail_off_without_mail_from():
    with SmtpSink() as sink, Site(conf=mail_conf(sink, mail_from=None,
                                                 moderator_emails=MODS[0])) as s:
        slug = s.add_post(title="Off", body="No mail at all.")
        assert "subscribe_comments" not in s.client().get("/posts/" + slug).text
        comment(s, slug, email=READER, subscribe_comments="1")
        sink.quiet(0, seconds=1.5)
        assert db_one(s, "SELECT count(*) FROM mail_events")[0] == 0


def test_plain_cgi_mails_after_exiting():
    """Plain CGI has no worker thread: a detached process sends, the request never waits."""
    import subprocess
    from harness import CgiResponse
    from responder_util import BLOG, clean_env, user_flag

    def cgi(s, method, uri, body=b""):
        env = clean_env()
        path, _, query = uri.partition("?")
        env.update(REQUEST_METHOD=method, REQUEST_URI=uri, QUERY_STRING=query,
                   SCRIPT_NAME=path, GATEWAY_INTERFACE="CGI/1.1", SERVER_PROTOCOL="HTTP/1.1",
                   SERVER_NAME="127.0.0.1", SERVER_PORT="80", REMOTE_ADDR="127.0.0.1",
                   HTTP_HOST="127.0.0.1", CONTENT_LENGTH=str(len(body)),
                   CONTENT_TYPE="application/x-www-form-urlencoded")
        start = time.monotonic()
        res = subprocess.run([BLOG, "--config", s.conf_path] + user_flag(), env=env,
                             input=body, capture_output=True, timeout=30)
        assert res.returncode == 0, res.stderr
        return CgiResponse(res.stdout), time.monotonic() - start

    with SmtpSink() as sink, Site(serve=False, conf=mail_conf(
            sink, moderator_emails=MODS[0],
            mail_command="sleep 3; " + sink.msmtp_command())) as s:
        slug = s.add_post(title="By CGI", body="One request a process.")
        page, _ = cgi(s, "GET", "/posts/" + slug)
        token = re.search(rb'name="token" value="([^"]+)"', page.body).group(1).decode()
        body = urllib.parse.urlencode({"author": "Ann", "comment": "Over CGI",
                                       "token": token}).encode()
        res, took = cgi(s, "POST", "/posts/%s/comments" % slug, body)
        assert res.status == 303, (res.status, res.body[:300])
        assert took < 2.5, "the CGI request waited %.1f s for the mailer" % took
        m = sink.wait(1, to=MODS[0], seconds=20)[0]
        assert "Over CGI" in body_of(m)


if __name__ == "__main__":
    run_tests(globals())

"""test_mail.py: moderators hear of each comment that waits for them, through mail_command."""

import glob
import os
import shutil
import tempfile
import time

from harness import Site, run_tests, RUN_USER, IS_ROOT


def mailbox():
    """A folder the responders (running as the test user) may write into."""
    d = tempfile.mkdtemp(prefix="parley-mail-")
    if IS_ROOT:
        shutil.chown(d, user=RUN_USER)
    os.chmod(d, 0o777)
    return d


def wait_for_mail(d, n, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = sorted(glob.glob(os.path.join(d, "mail-*.txt")))
        done = [f for f in files if os.path.getsize(f) > 0]
        if len(done) >= n:
            time.sleep(0.2)   # let the last writer finish
            return [open(f, encoding="utf-8").read() for f in done]
        time.sleep(0.05)
    return [open(f, encoding="utf-8").read() for f in sorted(glob.glob(os.path.join(d, "mail-*.txt")))]


def conf(d, **extra):
    c = {"min_form_seconds": "0", "comments_per_minute": "1000",
         "moderator_emails": "mod@example.org, second@example.org",
         "mail_from": "blog@example.org",
         "mail_command": "cat > %s/mail-$$.txt" % d}
    c.update(extra)
    return c


def test_pending_comment_mails_the_moderators():
    d = mailbox()
    try:
        with Site(conf=conf(d)) as s:
            slug = s.add_post(title="Mail me", body="Tell the moderators.")
            res = s.client().form("/posts/" + slug).submit(
                {"author": "Ann Reader", "email": "ann@example.org",
                 "comment": "A thoughtful reply."})
            assert res.status == 303, res.status
            mails = wait_for_mail(d, 1)
            assert len(mails) == 1, mails
            m = mails[0]
            head, _, body = m.partition("\n\n")
            assert "To: mod@example.org, second@example.org" in head, head
            assert "From: blog@example.org" in head, head
            assert 'Subject: [Test blog] New comment on "Mail me"' in head, head
            assert "Ann Reader" in body and "ann@example.org" in body, body
            assert "A thoughtful reply." in body, body
            assert "%s/admin/" % s.base_url in body, body
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_spam_sends_nothing():
    d = mailbox()
    try:
        with Site(conf=conf(d)) as s:
            slug = s.add_post(title="Quiet", body="No mail for spam.")
            form = s.client().form("/posts/" + slug)
            honeypot = [k for k in form.fields if k not in
                        ("author", "email", "url", "comment", "parent", "token")]
            assert honeypot, form.fields
            res = form.submit({"author": "Bot", "comment": "Buy things",
                               honeypot[0]: "http://spam.example"})
            assert res.status == 303, res.status
            time.sleep(1.0)
            assert wait_for_mail(d, 1, seconds=0.5) == [], "spam was mailed"
            conn = s.db()
            assert conn.execute("SELECT status FROM comments").fetchone()[0] == "spam"
            conn.close()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_no_moderators_no_command():
    d = mailbox()
    try:
        with Site(conf=conf(d, moderator_emails="")) as s:
            slug = s.add_post(title="Nobody", body="Nobody to tell.")
            res = s.client().form("/posts/" + slug).submit(
                {"author": "Ann", "comment": "Hello"})
            assert res.status == 303
            time.sleep(1.0)
            assert os.listdir(d) == [], os.listdir(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    run_tests(globals())

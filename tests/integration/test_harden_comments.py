"""test_harden_comments.py: comment intake's part of the security review (issue 9):
cross-site posts, one comment per form token, auto-approval that trusts only the
browser's signed cookie, the page cache's token splice under a reordered theme,
IPv6 readers counted by their /64."""

import os
import re
import shutil
import tempfile

from admin_util import admin_site, csrf, logged_in, query
from harness import SOURCE_DIR, Site, fcgi_request, run_tests


def comments(s):
    return query(s, "SELECT id, status, author, body_md, spam_reason FROM comments ORDER BY id")


# --- 6: cross-site posts --------------------------------------------------

def test_cross_site_posts_are_refused():
    with Site(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Target", body="Body.")
        c = s.client()
        form = c.form("/posts/%s" % slug)
        fields = {"author": "Victim", "comment": "Posted by another site"}
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                        {"Origin": s.origin + ".evil.example"},
                        {"Sec-Fetch-Site": "cross-site"},
                        {"Origin": None, "Sec-Fetch-Site": "cross-site"}):
            res = form.submit(fields, headers=headers)
            assert res.status == 403, (headers, res.status)
            assert "another site" in res.text, res.text[:500]
            assert "Posted by another site" not in res.text
        assert comments(s) == []
        # Our own pages (and a client that sends neither header) are fine.
        res = form.submit(fields, headers={"Sec-Fetch-Site": "same-origin"})
        assert res.status == 303, (res.status, res.text[:300])
        res = c.form("/posts/%s" % slug).submit(dict(fields, comment="No headers"),
                                                 headers={"Origin": None})
        assert res.status == 303, res.status
        assert [r[1] for r in comments(s)] == ["pending", "pending"]


def site_post_routes():
    """Patterns of every route in src/site/site-app.c that takes a POST."""
    with open(os.path.join(SOURCE_DIR, "src", "site", "site-app.c"), encoding="utf-8") as f:
        table = f.read().split("site_routes[] = {", 1)[1].split("};", 1)[0]
    routes = re.findall(r'\{\s*([A-Z_ |]+),\s*"([^"]+)"', table)
    assert len(routes) >= 10, routes
    return [p for m, p in routes if "HTTP_POST" in m]


def reader_state(s):
    """Everything a reader's POST could change."""
    return {t: query(s, "SELECT * FROM %s ORDER BY 1" % t)
            for t in ("comments", "likes", "posts", "subscribers", "subscriptions", "audit")}


CROSS_SITE = ({"Origin": "https://evil.example"}, {"Origin": "null"},
              {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
              {"Origin": None, "Sec-Fetch-Site": "cross-site"})


def test_every_reader_post_refuses_cross_site():
    """Likes, comment edits and subscription confirmations, like comments: a POST another
    site's page sends is 403 and changes nothing; the same form from our page works.
    The unsubscribe link is the one exception (RFC 8058: mail clients POST it)."""
    from smtp_sink import SmtpSink, body_of
    with SmtpSink() as sink, Site(conf={
            "min_form_seconds": "0", "comments_per_minute": "1000",
            "mail_from": "blog@example.org", "mail_command": sink.msmtp_command(),
            "moderator_emails": ""}) as s:
        slug = s.add_post(title="Target", body="Body.")
        me = s.client()
        res = me.form("/posts/%s" % slug).submit({
            "author": "Ann", "email": "ann@example.org", "subscribe_comments": "1",
            "comment": "The first version"})
        assert res.status == 303, (res.status, res.text[:500])
        cid = comments(s)[0][0]
        msg = sink.wait(1, to="ann@example.org")[0]
        confirm = re.search(r"(https?://\S*/subscriptions/confirm\?t=\S+)", body_of(msg)).group(1)
        confirm = confirm[len(s.base_url):]
        unsubscribe = msg["List-Unsubscribe"].strip("<>")[len(s.base_url):]
        assert unsubscribe.startswith("/subscriptions/unsubscribe?t="), unsubscribe
        forms = {
            "/posts/*/comments": (me.form("/posts/%s" % slug),
                                  {"author": "Ann", "comment": "Posted by another site"}),
            "/posts/*/like": (me.form("/posts/%s" % slug, form_id="like"), {}),
            "/posts/*/comments/*/edit": (
                me.form("/posts/%s/comments/%d/edit" % (slug, cid), form_id="comment-edit-form"),
                {"comment": "Edited by another site"}),
            "/subscriptions/confirm": (me.form(confirm, form_id="confirm-form"), {}),
        }
        exempt = {"/subscriptions/unsubscribe"}
        routes = site_post_routes()
        assert set(routes) == set(forms) | exempt, "a new POST route with no test: %s" % routes
        before = reader_state(s)
        for pattern, (form, fields) in forms.items():
            assert form.page.status == 200, (pattern, form.page.status)
            for headers in CROSS_SITE:
                res = form.submit(fields, headers=headers)
                assert res.status == 403, (pattern, headers, res.status)
                assert "Sent from another site" in res.text, (pattern, res.text[:500])
        assert reader_state(s) == before
        # The same forms from our own pages (or a client sending neither header) act.
        for pattern, (form, fields) in forms.items():
            res = form.submit(fields, headers={"Sec-Fetch-Site": "same-origin"})
            assert res.status in (200, 303), (pattern, res.status, res.text[:500])
        after = reader_state(s)
        assert query(s, "SELECT body_md FROM comments WHERE id = ?", (cid,)) == \
            [("Edited by another site",)]
        assert len(after["comments"]) == 2 and len(after["likes"]) == 1
        assert query(s, "SELECT confirmed_at IS NOT NULL FROM subscribers") == [(1,)]
        # One-click unsubscribe from a mail client works whatever Origin it sends.
        res = s.client().post(unsubscribe, {"List-Unsubscribe": "One-Click"},
                              headers={"Origin": "https://mail.example"})
        assert res.status == 200, res.status
        assert query(s, "SELECT count(*) FROM subscriptions") == [(0,)]


# --- 6: one comment per token -----------------------------------------------

def test_a_form_token_is_good_for_one_comment():
    with Site(conf={"min_form_seconds": "0", "comments_per_minute": "1000"}) as s:
        slug = s.add_post(title="Once", body="Body.")
        c = s.client()
        form = c.form("/posts/%s" % slug)
        first = form.submit({"author": "Ann", "comment": "My one comment."})
        assert first.status == 303, first.status
        # The back button and Send again: the same comment, not a second one.
        again = form.submit({"author": "Ann", "comment": "My one comment."})
        assert again.status == 303 and again.headers["location"] == first.headers["location"]
        assert len(comments(s)) == 1
        # A script that scraped one token: each further comment is spam.
        for i in range(15):
            res = form.submit({"author": "Bot", "comment": "Flood %d" % i})
            assert res.status == 303, res.status
        rows = comments(s)
        real = [r for r in rows if r[1] != "spam"]
        assert len(real) == 1 and real[0][3] == "My one comment.", rows
        assert all("token" in r[4] for r in rows if r[1] == "spam"), rows
        # A fresh form takes a new comment.
        res = c.form("/posts/%s" % slug).submit({"author": "Ann", "comment": "A second one."})
        assert res.status == 303
        assert len([r for r in comments(s) if r[1] != "spam"]) == 2


def test_two_readers_in_the_same_second_get_different_tokens():
    with Site(conf={"min_form_seconds": "0"}) as s:
        slug = s.add_post(title="Busy", body="Body.")
        a = s.client().form("/posts/%s" % slug)
        b = s.client().form("/posts/%s" % slug)
        assert a.fields["token"] != b.fields["token"]
        assert a.submit({"author": "A", "comment": "From A"}).status == 303
        assert b.submit({"author": "B", "comment": "From B"}).status == 303
        assert [r[1] for r in comments(s)] == ["pending", "pending"]


# --- 4: known commenters ----------------------------------------------------

def test_auto_approval_trusts_the_browser_not_a_typed_email():
    with admin_site() as s:
        slug = s.add_post(title="Regulars", body="Body.")
        admin = logged_in(s)
        res = admin.post("/admin/rules", {"csrf": csrf(admin), "blocked_words": "",
                                          "max_links": "", "auto_approve_known": "1"})
        assert res.status == 303
        regular = s.client()
        form = regular.form("/posts/%s" % slug)
        assert form.submit({"author": "Regular", "email": "regular@example.org",
                            "comment": "First."}).status == 303
        first = comments(s)[-1][0]
        assert admin.post("/admin/comments/%d/approve" % first,
                          {"csrf": csrf(admin)}).status == 303
        # Someone else types the regular's email: held, whatever the name.
        impostor = s.client()
        res = impostor.form("/posts/%s" % slug).submit(
            {"author": "Regular", "email": "regular@example.org", "comment": "Fake."})
        assert res.status == 303
        assert comments(s)[-1][1] == "pending", comments(s)
        # The regular's own browser (its signed cookie names the approved comment): published.
        res = regular.form("/posts/%s" % slug).submit(
            {"author": "Regular", "email": "regular@example.org", "comment": "Second."})
        assert res.status == 303
        assert comments(s)[-1][1] == "approved", comments(s)
        # A forged cookie naming the approved comment is worth nothing.
        forger = s.client()
        value = regular.cookie("parley_mine")
        ids, tag = value.split(".")
        forger.cookies[("parley_mine", "/")] = "%d.%s" % (first, "0" * len(tag))
        forger.form("/posts/%s" % slug).submit({"author": "X", "comment": "Forged."})
        assert comments(s)[-1][1] == "pending", comments(s)
        # A browser whose only comment is still pending is not known yet.
        newcomer = s.client()
        newcomer.form("/posts/%s" % slug).submit({"author": "New", "comment": "One."})
        newcomer.form("/posts/%s" % slug).submit({"author": "New", "comment": "Two."})
        assert [r[1] for r in comments(s)[-2:]] == ["pending", "pending"]


# --- 13: the page cache and a reordered theme ---------------------------------

def reordered_templates():
    """A copy of the templates whose token field writes value before name."""
    folder = tempfile.mkdtemp(prefix="parley-theme-")
    dest = os.path.join(folder, "templates")
    shutil.copytree(os.path.join(SOURCE_DIR, "templates"), dest)
    path = os.path.join(dest, "comments.mustache")
    with open(path) as f:
        text = f.read()
    old = '<input type="hidden" name="token" value="{{token}}">'
    assert old in text, "comments.mustache no longer has the token field this test reorders"
    text = text.replace(old, '<input value="{{token}}" type="hidden" name="token">')
    with open(path, "w") as f:
        f.write(text)
    os.chmod(folder, 0o755)
    return folder, dest


def token_of(page):
    m = re.search(r'<input value="([^"]*)" type="hidden" name="token">', page)
    assert m, "no token field: " + page[:300]
    return m.group(1)


def test_cache_gives_each_reader_a_token_under_a_reordered_theme():
    folder, templates = reordered_templates()
    try:
        with Site(conf={"min_form_seconds": "0", "templates": templates}) as s:
            slug = s.add_post(title="Cached", body="Body.")
            first = s.client().get("/posts/%s" % slug)
            second = s.client().get("/posts/%s" % slug)       # served from the cache
            assert first.status == second.status == 200
            assert first.headers["etag"] == second.headers["etag"]
            t1, t2 = token_of(first.text), token_of(second.text)
            assert t1 != t2, "two readers were given the same form token"
            # Nothing but the token differs, and no marker of the splice leaks.
            assert first.text.replace(t1, "T") == second.text.replace(t2, "T")
            assert "\0" not in second.text
            # The spliced token is a good one.
            c = s.client()
            form = c.form("/posts/%s" % slug)
            assert form.submit({"author": "Ann", "comment": "Hi"}).status == 303
            assert comments(s)[-1][1] == "pending"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- 7: IPv6 readers -----------------------------------------------------------

def post_from(s, slug, address, text):
    """One comment, form and all, straight to parley-blog as if from address."""
    import urllib.parse
    env = {"REMOTE_ADDR": address}
    page = fcgi_request(s.blog.sock, "GET", "/posts/%s" % slug, env=env)
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    body = urllib.parse.urlencode({"token": token, "author": "Six", "comment": text,
                                   "homepage": ""})
    env.update({"HTTP_ORIGIN": s.origin, "CONTENT_TYPE": "application/x-www-form-urlencoded"})
    return fcgi_request(s.blog.sock, "POST", "/posts/%s/comments" % slug, body=body.encode(),
                        env=env)


def test_ipv6_readers_count_by_their_64():
    with Site(conf={"min_form_seconds": "0", "comments_per_minute": "2"}) as s:
        slug = s.add_post(title="Six", body="Body.")
        assert post_from(s, slug, "2001:db8:aa:bb::1", "one").status == 303
        assert post_from(s, slug, "2001:db8:aa:bb:1:2:3:4", "two").status == 303
        res = post_from(s, slug, "2001:db8:aa:bb:ffff::9", "three")
        assert res.status == 429, res.status
        assert post_from(s, slug, "2001:db8:aa:bc::1", "other network").status == 303
        hashes = [h for (h,) in query(s, "SELECT ip_hash FROM comments ORDER BY id")]
        assert hashes[0] == hashes[1] != hashes[2], hashes


run_tests(globals())

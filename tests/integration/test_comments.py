"""test_comments.py: reader comments through nginx: the lifecycle, every error status, replies, spam, the feed."""

import re
import time
import urllib.parse
import xml.etree.ElementTree as ET

from harness import Site, comment_id, run_tests

FAST = {"min_form_seconds": "0", "comments_per_minute": "1000"}


def count(s, where="1=1", args=()):
    conn = s.db()
    try:
        return conn.execute("SELECT count(*) FROM comments WHERE " + where, args).fetchone()[0]
    finally:
        conn.close()


def row(s, comment_id):
    conn = s.db()
    try:
        conn.row_factory = __import__("sqlite3").Row
        return conn.execute("SELECT * FROM comments WHERE id = ?", (comment_id,)).fetchone()
    finally:
        conn.close()


def post_comment(client, slug, **fields):
    form = client.form("/posts/" + slug)
    return form.submit(fields)


def test_lifecycle():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Lifecycle", body="A post to talk about.")
        me, other = s.client(), s.client()
        res = post_comment(me, slug, author="Ann Reader", email="ann@example.org",
                           url="https://ann.example", comment="I *really* liked this.")
        cid = comment_id(res)
        assert res.headers["location"] == "/posts/%s#comment-%d" % (slug, cid), res.headers
        cookie = [c for c in res.header_all("set-cookie") if c.startswith("parley_mine=")]
        assert cookie, res.header_list
        assert "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0], cookie

        r = row(s, cid)
        assert r["status"] == "pending" and r["author"] == "Ann Reader", dict(r)
        assert r["email"] == "ann@example.org" and r["url"] == "https://ann.example"
        assert "<em>really</em>" in r["body_html"], r["body_html"]
        assert re.fullmatch(r"[0-9a-f]{32}", r["ip_hash"]), r["ip_hash"]
        assert "127.0.0.1" not in r["ip_hash"]

        # The author sees it, marked; nobody else does.
        mine = me.get("/posts/" + slug)
        assert mine.status == 200
        assert 'id="comment-%d"' % cid in mine.text
        assert "awaiting moderation" in mine.text
        assert "ann@example.org" not in mine.text, "email shown publicly"
        theirs = other.get("/posts/" + slug)
        assert 'id="comment-%d"' % cid not in theirs.text
        assert "really" not in theirs.text
        assert "No comments yet" in theirs.text
        # The other browser's cached page is not the author's.
        etag = theirs.headers.get("etag")
        assert etag
        again = me.get("/posts/" + slug, headers={"If-None-Match": etag})
        assert again.status == 200, again.status
        # A forged own-comments cookie shows nothing.
        forged = s.client()
        forged.cookies[("parley_mine", "/")] = "%d.%s" % (cid, "0" * 64)
        assert 'id="comment-%d"' % cid not in forged.get("/posts/" + slug).text

        out = s.cli("comments", "list", "--status", "pending").stdout
        assert re.search(r"^%d\tpending\t%s\t\S+\tAnn Reader\tI \*really\* liked" % (cid, slug),
                         out, re.M), out
        s.cli("comments", "approve", cid)
        assert row(s, cid)["status"] == "approved"

        fresh = s.client().get("/posts/" + slug)
        assert fresh.status == 200
        assert 'id="comment-%d"' % cid in fresh.text
        assert "<em>really</em>" in fresh.text
        assert "awaiting moderation" not in fresh.text
        assert "1 comment" in fresh.text
        assert 'href="https://ann.example" rel="nofollow ugc noopener"' in fresh.text
        assert 'href="#comment-%d"><time datetime="' % cid in fresh.text
        assert "ann@example.org" not in fresh.text
        assert 'href="/posts/%s?reply=%d#comment-form"' % (slug, cid) in fresh.text
        # The form: labels, prompt, honeypot, token, button.
        for needle in ('<label for="comment-author">Name</label>',
                       '<label for="comment-email">Email (optional, never shown)</label>',
                       '<label for="comment-url">Website (optional)</label>',
                       '<label for="comment-text">Comment</label>',
                       "Leave this empty", 'tabindex="-1"', 'autocomplete="off"',
                       'name="token"', "Post comment", "Markdown"):
            assert needle in fresh.text, needle
        # The index counts it.
        assert "1 comment" in s.client().get("/").text


def test_cli_moderation():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Moderated")
        c = s.client()
        ids = [comment_id(post_comment(c, slug, author="A%d" % i, comment="Text %d\nmore" % i,
                                       email="same@example.org" if i < 2 else ""))
               for i in range(4)]
        s.cli("comments", "reject", ids[0])
        s.cli("comments", "spam", ids[1])
        res = s.cli("comments", "delete", ids[2], 999999, check=False)
        assert res.returncode == 1, res
        assert "999999" in res.stderr
        assert row(s, ids[2])["status"] == "trash", "delete moves to trash"
        assert row(s, ids[0])["status"] == "rejected"
        assert row(s, ids[1])["status"] == "spam"
        out = s.cli("comments", "list").stdout.strip().split("\n")
        assert len(out) == 4, out
        assert out[0].split("\t")[-1] == "Text 0", out
        assert s.cli("comments", "list", "--status", "spam").stdout.startswith("%d\tspam" % ids[1])
        assert s.cli("comments", "list", "--status", "bogus", check=False).returncode == 2
        assert s.cli("comments", "approve", "abc", check=False).returncode == 2
        assert s.cli("comments", "approve", 424242, check=False).returncode == 1
        res = s.cli("comments", "erase", "--email", "SAME@example.org")
        assert "erased 2" in res.stdout, res.stdout
        r = row(s, ids[0])
        assert r["author"] == "(erased)" and r["email"] == "" and r["ip_hash"] == ""
        assert row(s, ids[3])["author"] == "A3"


def test_missing_and_closed():
    with Site(conf=dict(FAST, comments_open_days="2")) as s:
        open_slug = s.add_post(title="Open")
        closed = s.add_post(title="Closed", comments="closed")
        old = s.add_post(title="Old", date=time.time() - 5 * 86400)
        draft = s.add_post(title="Draft", draft=True)
        c = s.client()
        form = c.form("/posts/" + open_slug)
        good = dict(form.fields, author="Ann", comment="Hello")

        assert c.post("/posts/no-such-post/comments", good).status == 404
        assert c.post("/posts/%s/comments" % draft, good).status == 404
        # 403 comes before any other check, even with nothing valid sent.
        for slug in (closed, old):
            res = c.post("/posts/%s/comments" % slug, good)
            assert res.status == 403, (slug, res.status)
            assert c.post("/posts/%s/comments" % slug, {}).status == 403
            page = c.get("/posts/" + slug)
            assert page.status == 200
            assert 'id="comment-form"' not in page.text
            assert "Comments are closed" in page.text
        assert c.post("/posts/no-such-post/comments", {}).status == 404
        assert count(s) == 0
        assert comment_id(form.submit({"author": "Ann", "comment": "Hello"}))
        assert count(s) == 1


def test_too_large():
    with Site(conf=dict(FAST, max_comment_bytes="1000")) as s:
        slug = s.add_post(title="Sizes")
        c = s.client()
        form = c.form("/posts/" + slug)
        res = form.submit({"author": "Ann", "comment": "x" * 1001})
        assert res.status == 413, res.status
        # Far over the request cap: cut off before it is read.
        res = form.submit({"author": "Ann", "comment": "y" * 200000})
        assert res.status == 413, res.status
        assert count(s) == 0
        assert comment_id(form.submit({"author": "Ann", "comment": "z" * 1000}))
        assert count(s) == 1


def test_invalid_fields_422():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Invalid")
        c = s.client()
        form = c.form("/posts/" + slug)
        res = form.submit({"author": "   ", "email": "not-an-address", "url": "ftp://x.example",
                           "comment": "Keep <this> & that"})
        assert res.status == 422, res.status
        t = res.text
        assert 'role="alert"' in t
        assert 'id="comment-form"' in t and "<article" in t, "not the post page"
        assert 'aria-invalid="true" aria-describedby="comment-author-error"' in t
        assert 'id="comment-email-error"' in t and 'id="comment-url-error"' in t
        assert "Please give a name." in t
        assert "email address" in t and "http://" in t
        assert 'value="not-an-address"' in t and 'value="ftp://x.example"' in t
        assert ">Keep &lt;this&gt; &amp; that</textarea>" in t, t[t.find("<textarea"):][:300]
        assert count(s) == 0
        # The refilled form posts again as it is, once fixed.
        again = c.form("/posts/" + slug)
        assert again.fields["author"] == ""
        for fields in ({"author": "Ann", "comment": ""},
                       {"author": "A" * 101, "comment": "Hi"},
                       {"author": "Ann", "comment": "Hi", "url": "javascript:alert(1)"},
                       {"author": "Ann", "comment": "Hi", "email": "a@b"},
                       {"author": "Ann", "comment": "Hi", "parent": "abc"}):
            res = form.submit(fields)
            assert res.status == 422, (fields, res.status)
        assert count(s) == 0


def test_rate_limit_429():
    with Site(conf={"min_form_seconds": "0", "comments_per_minute": "2"}) as s:
        slug = s.add_post(title="Busy")
        c = s.client()
        form = c.form("/posts/" + slug)
        for i in range(2):
            comment_id(form.submit({"author": "Ann", "comment": "number %d" % i}))
        res = form.submit({"author": "Ann", "comment": "one too many"})
        assert res.status == 429, res.status
        retry = int(res.headers.get("retry-after", "0"))
        assert 1 <= retry <= 60, res.headers
        # Another browser from the same address is limited too.
        res = post_comment(s.client(), slug, author="Bob", comment="me too")
        assert res.status == 429
        assert count(s) == 2


def test_replies():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Threads")
        other = s.add_post(title="Elsewhere")
        c = s.client()
        top = comment_id(post_comment(c, slug, author="Top", comment="First!"))
        pending = comment_id(post_comment(c, slug, author="Pending", comment="Wait"))
        there = comment_id(post_comment(c, other, author="There", comment="Other post"))
        s.cli("comments", "approve", top, there)

        page = c.get("/posts/%s?reply=%d" % (slug, top))
        assert "Replying to" in page.text and "Top" in page.text
        assert 'href="/posts/%s#comment-form">cancel</a>' % slug in page.text
        form = c.form("/posts/%s?reply=%d" % (slug, top))
        assert form.fields["parent"] == str(top), form.fields
        reply = comment_id(form.submit({"author": "Replier", "comment": "Agreed"}))
        assert row(s, reply)["parent_id"] == top

        for bad in (999999, pending, there):
            res = form.submit({"author": "Bad", "comment": "reply", "parent": str(bad)})
            assert res.status == 422, (bad, res.status)
            assert 'id="comment-parent-error"' in res.text
        assert count(s, "author = 'Bad'") == 0

        # Replies nest inside their parent, four levels at most.
        parent = reply
        chain = []
        for depth in range(4):
            s.cli("comments", "approve", parent)
            parent = comment_id(c.form("/posts/%s?reply=%d" % (slug, parent)).submit(
                {"author": "Deep %d" % depth, "comment": "level"}))
            chain.append(parent)
        s.cli("comments", "approve", parent)
        t = s.client().get("/posts/" + slug).text
        start = t.index('id="comment-%d"' % top)
        nested = t[start:]
        assert nested.index('class="comment-replies"') < nested.index('id="comment-%d"' % reply)
        assert t.count('class="comment-replies"') == 3, t.count('class="comment-replies"')
        assert "%d comments" % (2 + len(chain)) in t
        assert 'id="comment-%d"' % chain[-1] in t


def test_spam_is_answered_like_success():
    with Site(conf={"comments_per_minute": "1000"}) as s:       # min_form_seconds: 3
        slug = s.add_post(title="Spammed")
        other = s.add_post(title="Other")
        c = s.client()
        form = c.form("/posts/" + slug)
        fresh = c.form("/posts/" + slug)        # a token is good for one comment
        fast = comment_id(form.submit({"author": "Bot", "comment": "Buy now"}))
        r = row(s, fast)
        assert r["status"] == "spam" and r["spam_reason"], dict(r)

        time.sleep(3.1)
        honey = comment_id(form.submit({"author": "Bot", "comment": "x", "homepage": "http://spam"}))
        token = form.fields["token"]
        forged = comment_id(form.submit({"author": "Bot", "comment": "y",
                                         "token": token[:-1] + ("1" if token[-1] == "0" else "0")}))
        missing = comment_id(form.submit({"author": "Bot", "comment": "z"}, drop=["token"]))
        elsewhere = c.form("/posts/" + other).fields["token"]
        wrong = comment_id(form.submit({"author": "Bot", "comment": "w", "token": elsewhere}))
        person = comment_id(fresh.submit({"author": "Person", "comment": "Real"}))
        statuses = {i: row(s, i)["status"] for i in (honey, forged, missing, wrong, person)}
        assert statuses == {honey: "spam", forged: "spam", missing: "spam", wrong: "spam",
                            person: "pending"}, statuses
        assert row(s, honey)["spam_reason"] != row(s, forged)["spam_reason"]
        # Never shown to anyone else; its own browser sees it awaiting
        # moderation, so an honest reader caught by a rule does not post again.
        t = s.client().get("/posts/" + slug).text
        for i in (fast, honey, forged, missing, wrong, person):
            assert 'id="comment-%d"' % i not in t
        t = c.get("/posts/" + slug).text
        for i in (fast, honey, forged, missing, wrong, person):
            assert 'id="comment-%d"' % i in t, i
        assert t.count('class="comment-status"') == 6, t.count('class="comment-status"')


def test_comment_feed():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Fed")
        draft = s.add_post(title="Hidden", draft=True)
        c = s.client()
        a = comment_id(post_comment(c, slug, author='Ann <b>"A"</b>', comment="First & *best*"))
        b = comment_id(post_comment(c, slug, author="Bob", comment="Second",
                                    url="https://bob.example/?a=1&b=2"))
        comment_id(post_comment(c, slug, author="Carl", comment="Not approved"))
        s.cli("comments", "approve", a, b)
        res = s.client().get("/posts/%s/comments.atom" % slug)
        assert res.status == 200, res.status
        assert res.headers["content-type"].startswith("application/atom+xml")
        ns = {"a": "http://www.w3.org/2005/Atom"}
        feed = ET.fromstring(res.body)
        entries = feed.findall("a:entry", ns)
        assert len(entries) == 2, res.text
        assert entries[0].find("a:author/a:name", ns).text == "Bob"
        assert entries[0].find("a:author/a:uri", ns).text == "https://bob.example/?a=1&b=2"
        assert entries[1].find("a:author/a:name", ns).text == 'Ann <b>"A"</b>'
        content = entries[1].find("a:content", ns)
        assert content.get("type") == "html"
        assert "<em>best</em>" in content.text and "&amp;" in content.text, content.text
        assert entries[1].find("a:link", ns).get("href").endswith("/posts/%s#comment-%d" % (slug, a))
        assert "Not approved" not in res.text
        assert s.client().get("/posts/nope/comments.atom").status == 404
        assert s.client().get("/posts/%s/comments.atom" % draft).status == 404
        # The page links its comment feed.
        assert "/posts/%s/comments.atom" % slug in s.client().get("/posts/" + slug).text


run_tests(globals())

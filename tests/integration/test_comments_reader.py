"""test_comments_reader.py: the reader's side of the form through nginx: no honest comment lost, the refilled error pages, preview, edit, remember me, likes."""

import re
import sqlite3
import time

from harness import Site, comment_id, _FormParser, run_tests

FAST = {"min_form_seconds": "0", "comments_per_minute": "1000"}


def rows(s, sql, args=()):
    conn = s.db()
    try:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def form_fields(res, form_id="comment-form"):
    """The fields of a form on a page already fetched (the refilled ones)."""
    p = _FormParser()
    p.feed(res.text)
    p.close()
    return dict(next(f for f in p.forms if f["id"] == form_id)["pairs"])


def title(res):
    m = re.search(r"<title>(.*?)</title>", res.text, re.S)
    assert m, res.text[:500]
    return m.group(1)


def assert_refilled(res, status, comment_text, message=None):
    """The post page again, the form refilled, the message in the form, an Error title."""
    assert res.status == status, (res.status, res.text[:1500])
    t = res.text
    assert title(res).startswith("Error"), title(res)
    assert "<article" in t and 'id="comment-form"' in t, "not the post page"
    start = t.index('id="comment-form"')
    form = t[start:t.index("</form>", start)]
    assert 'role="alert"' in form, "no message in the form"
    if message:
        assert message in form, (message, form[:1500])
    assert ">%s</textarea>" % comment_text in form, form[form.find("<textarea"):][:300]
    # The form posts to a URL whose fragment brings the message into view.
    assert re.search(r'<form id="comment-form"[^>]*action="[^"]*/comments#comment-form"', t), t[t.index('<form id="comment-form"'):][:300]


def test_fixed_422_is_not_too_fast():
    # min_form_seconds 3: the fix is counted from the first form served.
    with Site(conf={"comments_per_minute": "1000"}) as s:
        slug = s.add_post(title="Fixed")
        c = s.client()
        form = c.form("/posts/" + slug)
        time.sleep(3.2)
        res = form.submit({"author": "", "comment": "My considered view"})
        assert_refilled(res, 422, "My considered view", "Please give a name.")
        fields = form_fields(res)
        assert fields["token"] == form.fields["token"], "the 422 page issued a new token"
        assert fields["comment"] == "My considered view"
        fields["author"] = "Quick Fixer"
        res = c.post(form.action, fields)                # at once, well within 3 s of the 422
        cid = comment_id(res)
        r = rows(s, "SELECT status FROM comments WHERE id = ?", (cid,))[0]
        assert r["status"] == "pending", dict(r)


def test_error_pages_are_the_refilled_post():
    with Site(conf={"min_form_seconds": "0", "comments_per_minute": "2",
                    "max_comment_bytes": "1000"}) as s:
        slug = s.add_post(title="Errors")
        c = s.client()
        form = c.form("/posts/" + slug)
        page = form.page.text
        assert 'maxlength="1000"' in page and "at most 1,000 characters" in page, \
            page[page.find("<textarea") - 400:][:600]
        # 413: the text kept and the limit stated.
        res = form.submit({"author": "Ann", "comment": "x" * 1001})
        assert_refilled(res, 413, "x" * 1001, "at most 1,000 characters")
        assert 'value="Ann"' in res.text
        # Far over what is read at all: the page again, the limit stated.
        res = form.submit({"author": "Ann", "comment": "y" * 200000})
        assert res.status == 413 and title(res).startswith("Error"), res.status
        assert "at most 1,000 characters" in res.text and 'id="comment-form"' in res.text
        # 422: title and message.
        res = form.submit({"author": "Ann", "comment": "  "})
        assert_refilled(res, 422, "", "Please write a comment.")
        # 429: refilled, Retry-After, the limit stated.
        for i in range(2):
            comment_id(form.submit({"author": "Ann", "comment": "number %d" % i}))
        res = form.submit({"author": "Ann", "comment": "one & too <many>"})
        assert_refilled(res, 429, "one &amp; too &lt;many&gt;", "at most 2 comments a minute")
        assert 1 <= int(res.headers["retry-after"]) <= 60
        assert len(rows(s, "SELECT id FROM comments")) == 2


def test_heading_counts_own_pending():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Counted")
        me = s.client()
        comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "Mine"}))
        t = me.get("/posts/" + slug).text
        heading = re.search(r'<h2 id="discussion-heading"[^>]*>(.*?)</h2>', t, re.S).group(1)
        assert "1 comment" in heading and "No comments" not in heading, heading
        assert "awaiting moderation" in heading, heading
        assert "No comments yet" in s.client().get("/posts/" + slug).text


def test_rule_spam_shows_to_its_author():
    with Site(conf=FAST, moderate=True) as s:
        slug = s.add_post(title="Rules")
        conn = s.db()
        conn.execute("INSERT OR REPLACE INTO settings VALUES ('rule.blocked_words', 'casino')")
        conn.commit()
        conn.close()
        me = s.client()
        cid = comment_id(me.form("/posts/" + slug).submit(
            {"author": "Honest", "comment": "I once worked in a casino, and this rings true."}))
        assert rows(s, "SELECT status FROM comments WHERE id = ?", (cid,))[0]["status"] == "spam"
        mine = me.get("/posts/" + slug).text
        m = re.search(r'<article class="comment comment-pending" id="comment-%d">.*?</article>' % cid,
                      mine, re.S)
        assert m and "awaiting moderation" in m.group(0), mine
        assert 'id="comment-%d"' % cid not in s.client().get("/posts/" + slug).text


def test_preview_stores_nothing():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Previewed")
        c = s.client()
        form = c.form("/posts/" + slug)
        assert ("preview", "1") in form.buttons, form.buttons
        assert form.buttons[0] == ("post", "1"), "Post comment is not the default button"
        hostile = ('Look: *fine* <script>alert(1)</script> <img src=x onerror=alert(2)> '
                   '[x](javascript:alert(3)) [ok](https://ok.example) <b onclick="y">b</b>')
        res = form.submit({"author": 'Ann "<b>"', "url": "javascript:alert(4)",
                           "comment": hostile}, button=("preview", "1"))
        assert res.status == 422, "a bad website must still be refused in a preview"
        res = form.submit({"author": 'Ann "<b>"', "url": "https://ann.example",
                           "comment": hostile}, button=("preview", "1"))
        assert res.status == 200, res.status
        t = res.text
        assert not title(res).startswith("Error")
        pv = t[t.index('class="comment-preview"'):]
        pv = pv[:pv.index("</section>")]
        assert "<em>fine</em>" in pv and '<a rel="nofollow ugc" href="https://ok.example">ok</a>' in pv, pv
        for bad in ("<script", "onerror", "javascript:", "onclick", "<b>", "<img"):
            assert bad not in pv, (bad, pv)
        assert 'Ann &quot;&lt;b&gt;&quot;' in pv
        fields = form_fields(res)
        assert fields["comment"] == hostile and fields["token"] == form.fields["token"]
        assert rows(s, "SELECT count(*) AS n FROM comments")[0]["n"] == 0
        # Posting from the preview stores it, rendered the same way.
        fields.pop("preview", None)
        cid = comment_id(c.post(form.action, dict(fields, post="1")))
        stored = rows(s, "SELECT body_html FROM comments WHERE id = ?", (cid,))[0]["body_html"]
        assert stored.strip() in pv, (stored, pv)


def test_remember_me():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Remembered")
        other = s.add_post(title="Another")
        c = s.client()
        form = c.form("/posts/" + slug)
        assert 'name="remember"' in form.page.text and "remember" not in form.fields
        res = form.submit({"author": "Ann Reader", "email": "ann@example.org",
                           "url": "https://ann.example", "comment": "Hello", "remember": "1"})
        comment_id(res)
        cookie = [h for h in res.header_all("set-cookie") if h.startswith("parley_reader=")]
        assert cookie and "HttpOnly" in cookie[0] and "Max-Age=" in cookie[0], res.header_list
        again = c.form("/posts/" + other)
        assert again.fields["author"] == "Ann Reader", again.fields
        assert again.fields["email"] == "ann@example.org"
        assert again.fields["url"] == "https://ann.example"
        assert again.fields.get("remember") == "1"
        # Nobody else sees them, and the cached page is not shared.
        theirs = s.client().get("/posts/" + other)
        assert "Ann Reader" not in theirs.text and "ann@example.org" not in theirs.text
        assert "private" in again.page.headers.get("cache-control", ""), again.page.headers
        # Forget me: the link clears the cookie and the form is blank again.
        m = re.search(r'<a class="comment-forget" href="([^"]+)">Forget me</a>', again.page.text)
        assert m, again.page.text
        res = c.get(m.group(1).replace("&amp;", "&").split("#")[0])
        assert res.status == 200
        assert any(h.startswith("parley_reader=;") and "Max-Age=0" in h
                   for h in res.header_all("set-cookie")), res.header_list
        assert c.cookie("parley_reader") is None
        blank = c.form("/posts/" + other)
        assert blank.fields["author"] == "" and blank.fields["email"] == ""
        # Unticked, a comment clears what was remembered.
        comment_id(c.form("/posts/" + slug).submit({"author": "Bo", "comment": "x", "remember": "1"}))
        assert c.form("/posts/" + slug).fields["author"] == "Bo"
        res = c.form("/posts/" + slug).submit({"author": "Bo", "comment": "y"}, drop=["remember"])
        comment_id(res)
        assert c.cookie("parley_reader") is None


def test_remember_me_bad_input():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Bad cookies")
        c = s.client()
        form = c.form("/posts/" + slug)
        res = form.submit({"author": "N" * 5000, "comment": "long name", "remember": "1"})
        assert res.status == 422, res.status
        assert not any(h.startswith("parley_reader=") for h in res.header_all("set-cookie"))
        assert form_fields(res).get("remember") == "1"
        # Hand-made cookies: garbage, a 5 KB name, a script as a website: ignored.
        import base64
        def enc(text):
            return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        for value in ("%%%", "!!!!", enc("N" * 5000 + "\n\n"), enc("Ann\n\njavascript:alert(1)"),
                      enc("Ann\nnot an email\n"), enc("Ann"), "A" * 8000):
            bad = s.client()
            bad.cookies[("parley_reader", "/")] = value
            res = bad.get("/posts/" + slug)
            assert res.status == 200, (value[:40], res.status)
            assert form_fields(res)["author"] == "", value[:40]
        good = s.client()
        good.cookies[("parley_reader", "/")] = enc('<b>"Ann"</b>\n\n')
        res = good.get("/posts/" + slug)
        assert form_fields(res)["author"] == '<b>"Ann"</b>'
        assert 'value="&lt;b&gt;&quot;Ann&quot;&lt;/b&gt;"' in res.text


def like_form(client, slug):
    return client.form("/posts/" + slug, form_id="like")


def likes(s, slug):
    return rows(s, "SELECT like_count FROM posts WHERE slug = ?", (slug,))[0]["like_count"]


def test_likes():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Likeable")
        other = s.add_post(title="Other post")
        a, b = s.client(), s.client()
        form = like_form(a, slug)
        assert "Be the first to like this" in form.page.text
        res = form.submit()
        assert res.status == 303 and res.headers["location"] == "/posts/%s#like" % slug, \
            (res.status, res.header_list)
        cookie = [h for h in res.header_all("set-cookie") if h.startswith("parley_likes=")]
        assert cookie and "HttpOnly" in cookie[0], res.header_list
        assert likes(s, slug) == 1
        page = a.get("/posts/" + slug).text
        assert "You like this." in page and "1 reader likes this" in page, page
        # A second like from the same browser changes nothing and answers 303.
        res = form.submit()
        assert res.status == 303 and likes(s, slug) == 1
        # Another browser: counted; the index shows the count.
        assert like_form(b, slug).submit().status == 303
        assert likes(s, slug) == 2 and likes(s, other) == 0
        assert "2 readers like this" in s.client().get("/posts/" + slug).text
        index = s.client().get("/").text
        assert "2 readers like this" in index, index
        assert "Be the first to like this" in b.get("/posts/" + other).text
        # The page another browser sees is not the liker's.
        assert "You like this" not in s.client().get("/posts/" + slug).text
        # The per-address cap: fresh browsers from one address stop counting.
        for _ in range(12):
            assert like_form(s.client(), slug).submit().status == 303
        assert likes(s, slug) == 10, likes(s, slug)
        # No address, email or browser detail is kept: only the keyed hash.
        r = rows(s, "SELECT * FROM likes LIMIT 1")[0]
        assert re.fullmatch(r"[0-9a-f]{32}", r["ip_hash"]) and "127.0.0.1" not in r["ip_hash"]


def test_likes_bad_input():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Liked badly")
        other = s.add_post(title="Elsewhere")
        draft = s.add_post(title="Draft", draft=True)
        c = s.client()
        form = like_form(c, slug)
        token = form.fields["like_token"]
        post_id, issued, nonce, tag = token.split(".")
        stale = "%s.%d.%s.%s" % (post_id, int(issued) - 4 * 86400, nonce, tag)
        flipped = token[:-1] + ("1" if token[-1] == "0" else "0")
        elsewhere = like_form(c, other).fields["like_token"]
        comment_token = c.form("/posts/" + slug).fields["token"]
        for bad in ("", "x", stale, flipped, elsewhere, comment_token, "1.2.3", "9" * 2000):
            res = c.post("/posts/%s/like" % slug, {"like_token": bad})
            assert res.status == 403, (bad[:40], res.status)
            assert "Your like was not counted" in res.text and 'href="/posts/%s#like"' % slug in res.text
        assert c.post("/posts/%s/like" % slug, {}).status == 403
        assert c.post("/posts/no-such-post/like", {"like_token": token}).status == 404
        assert c.post("/posts/%s/like" % draft, {"like_token": token}).status == 404
        assert c.request("POST", "/posts/%s/like" % slug, body="{}",
                         headers={"Content-Type": "application/json"}).status == 415
        res = c.get("/posts/%s/like" % slug)
        assert res.status == 405 and "POST" in res.headers.get("allow", ""), (res.status, res.headers)
        # A forged likes cookie does not stop a real like, nor fake one.
        forged = s.client()
        forged.cookies[("parley_likes", "/")] = "%s.%s" % (post_id, "0" * 64)
        assert "You like this" not in forged.get("/posts/" + slug).text
        assert likes(s, slug) == 0
        assert like_form(forged, slug).submit().status == 303
        assert likes(s, slug) == 1


def edit_href(page, cid):
    m = re.search(r'href="([^"]*/comments/%d/edit)">Edit your comment</a>' % cid, page)
    return m.group(1) if m else None


def sql(s, statement, args=()):
    conn = s.db()
    try:
        conn.execute(statement, args)
        conn.commit()
    finally:
        conn.close()


def test_edit_own_comment():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Editable")
        me = s.client()
        cid = comment_id(me.form("/posts/" + slug).submit(
            {"author": "Ann", "comment": "Teh first version", "url": "https://ann.example"}))
        page = me.get("/posts/" + slug).text
        href = edit_href(page, cid)
        assert href == "/posts/%s/comments/%d/edit" % (slug, cid), page
        assert edit_href(s.client().get("/posts/" + slug).text, cid) is None
        form = me.form(href, form_id="comment-edit-form")
        assert form.page.status == 200
        assert form.fields["comment"] == "Teh first version" and form.fields["author"] == "Ann"
        assert "email" not in form.fields
        assert "Edit your comment" in title(form.page)
        res = form.submit({"comment": "The *first* version"})
        assert res.status == 303 and res.headers["location"] == "/posts/%s#comment-%d" % (slug, cid)
        r = rows(s, "SELECT * FROM comments WHERE id = ?", (cid,))[0]
        assert r["body_md"] == "The *first* version" and "<em>first</em>" in r["body_html"]
        assert r["status"] == "pending" and r["url"] == "https://ann.example"
        assert r["edited_at"] and r["edited_at"] >= r["created_at"], dict(r)
        audit = rows(s, "SELECT * FROM audit WHERE comment_id = ?", (cid,))
        assert len(audit) == 1 and audit[0]["action"] == "edit", [dict(a) for a in audit]
        assert "Teh first version" in audit[0]["detail"], audit[0]["detail"]
        # The old form was for the old text: a replay is refused.
        res = form.submit({"comment": "Replayed"})
        assert res.status == 403, res.status
        assert "You cannot edit this comment" in res.text
        assert rows(s, "SELECT body_md FROM comments WHERE id = ?", (cid,))[0]["body_md"] == \
            "The *first* version"
        # Every version is kept.
        comment_id(me.form(href, form_id="comment-edit-form").submit({"comment": "Third"}))
        details = [a["detail"] for a in rows(s, "SELECT detail FROM audit WHERE comment_id = ? "
                                                "ORDER BY id", (cid,))]
        assert len(details) == 2 and "The *first* version" in details[1], details


def test_edit_runs_the_rules_again():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Rules again")
        sql(s, "INSERT OR REPLACE INTO settings VALUES ('rule.blocked_words', 'viagra')")
        me = s.client()
        ids = [comment_id(me.form("/posts/" + slug).submit({"author": "A%d" % i, "comment": "Fine %d" % i}))
               for i in range(4)]
        s.cli("comments", "approve", *ids)
        edits = {ids[0]: "Fine, see https://spam.example/",
                 ids[1]: "Fine, buy viagra",
                 ids[2]: "Fine, and more words",
                 ids[3]: "Fine [here](http://x.example)"}
        for cid, text in edits.items():
            form = me.form("/posts/%s/comments/%d/edit" % (slug, cid), form_id="comment-edit-form")
            assert comment_id(form.submit({"comment": text})) == cid
        status = {r["id"]: r["status"] for r in rows(s, "SELECT id, status FROM comments")}
        assert status == {ids[0]: "pending", ids[1]: "pending", ids[2]: "approved",
                          ids[3]: "pending"}, status
        # Gone back to pending: nobody else sees the edited text.
        t = s.client().get("/posts/" + slug).text
        assert "spam.example" not in t and "viagra" not in t and "more words" in t
        actions = {r["comment_id"]: r["action"] for r in rows(s, "SELECT * FROM audit")}
        assert actions[ids[0]] == "edit (pending)" and actions[ids[2]] == "edit", actions


def test_edit_refused():
    with Site(conf=dict(FAST, edit_minutes="15")) as s:
        slug = s.add_post(title="Refused")
        other_post = s.add_post(title="Other")
        me, other = s.client(), s.client()
        cid = comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "Mine"}))
        old = comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "Old one"}))
        gone = comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "Gone"}))
        rejected = comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "No"}))
        sql(s, "UPDATE comments SET created_at = created_at - 16 * 60 WHERE id = ?", (old,))
        s.cli("comments", "delete", gone)
        s.cli("comments", "reject", rejected)
        base = "/posts/%s/comments/%%s/edit" % slug
        good = me.form(base % cid, form_id="comment-edit-form")
        token = good.fields["edit_token"]
        # Another browser, by GET and POST.
        assert other.get(base % cid).status == 403
        res = other.post(base % cid, {"edit_token": token, "author": "X", "comment": "Hijacked"})
        assert res.status == 403 and "You cannot edit this comment" in res.text, res.status
        # Past the window, deleted, rejected, another post's URL, nonsense ids.
        page = me.get("/posts/" + slug).text
        assert edit_href(page, old) is None and edit_href(page, cid)
        for path in (base % old, base % gone, base % rejected, base % 999999, base % "abc",
                     base % "0", base % "-1", base % ("9" * 30),
                     "/posts/%s/comments/%d/edit" % (other_post, cid)):
            res = me.get(path)
            assert res.status == 403, (path, res.status)
            res = me.post(path, {"edit_token": token, "author": "Ann", "comment": "x"})
            assert res.status == 403, (path, res.status)
        assert me.get("/posts/no-such/comments/%d/edit" % cid).status == 404
        # Forged and missing tokens; a token for another comment.
        two = comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "Two"}))
        two_token = me.form(base % two, form_id="comment-edit-form").fields["edit_token"]
        flipped = token[:-1] + ("1" if token[-1] == "0" else "0")
        for bad in ("", "x", flipped, two_token, token.replace(str(cid) + ".", str(old) + ".", 1)):
            res = good.submit({"edit_token": bad, "comment": "Forged"})
            assert res.status == 403, (bad, res.status)
        res = good.submit({"comment": "Forged"}, drop=["edit_token"])
        assert res.status == 403, res.status
        # Bad fields: the edit page again, refilled, nothing saved.
        res = good.submit({"author": "", "comment": "Kept <text>"})
        assert res.status == 422 and title(res).startswith("Error"), res.status
        assert "Kept &lt;text&gt;</textarea>" in res.text and 'role="alert"' in res.text
        res = good.submit({"comment": "z" * 20000})
        assert res.status == 413 and "at most 10,000 characters" in res.text, res.status
        assert rows(s, "SELECT body_md FROM comments WHERE id = ?", (cid,))[0]["body_md"] == "Mine"
        # edit_minutes = 0: no editing at all.
    with Site(conf=dict(FAST, edit_minutes="0")) as s:
        slug = s.add_post(title="Never")
        me = s.client()
        cid = comment_id(me.form("/posts/" + slug).submit({"author": "Ann", "comment": "Mine"}))
        assert edit_href(me.get("/posts/" + slug).text, cid) is None
        assert me.get("/posts/%s/comments/%d/edit" % (slug, cid)).status == 403


def test_long_thread_links_and_comment_feed():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Talked about")
        c = s.client()
        ids = [comment_id(c.form("/posts/" + slug).submit({"author": "A%d" % i, "comment": "c%d" % i}))
               for i in range(5)]
        s.cli("comments", "approve", *ids[:4])
        t = s.client().get("/posts/" + slug).text
        assert "Jump to comments" not in t, "four comments are not a long thread"
        s.cli("comments", "approve", ids[4])
        t = s.client().get("/posts/" + slug).text
        header = t[t.index('<header class="post-header">'):t.index("</header>", t.index('<header class="post-header">'))]
        assert '<a href="#comments">Jump to comments</a>' in header, header
        assert '<a href="#comment-form">Leave a comment</a>' in t
        assert t.index("Leave a comment</a>") < t.index('id="comment-%d"' % ids[0])
        assert re.search(r'<link rel="alternate" type="application/atom\+xml" title="Comments on “Talked about”" '
                         r'href="http://127\.0\.0\.1:\d+/posts/%s/comments\.atom">' % slug, t), t[:1500]
        # The visible link leads to a page for people, which gives the feed's address.
        m = re.search(r'<a href="(/subscribe\?post=%s)">Follow the comments' % slug, t)
        assert m, "no link to the subscribe page"
        page = s.client().get(m.group(1))
        assert page.status == 200 and page.headers["content-type"].startswith("text/html")
        assert 'value="%s/posts/%s/comments.atom"' % (s.base_url, slug) in page.text


def test_subscribe_page():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Feeds")
        draft = s.add_post(title="Hidden", draft=True)
        c = s.client()
        res = c.get("/subscribe")
        assert res.status == 200 and "<h1" in res.text and "feed reader" in res.text
        assert 'value="%s/feed.atom"' % s.base_url in res.text
        assert 'href="/subscribe"' in c.get("/").text, "the site's pages do not link Subscribe"
        assert c.get("/subscribe?post=" + slug).status == 200
        for bad in ("no-such", draft, "../etc", "%00", "A" * 300):
            assert c.get("/subscribe?post=" + bad).status == 404, bad
        assert c.head("/subscribe").status == 200
        assert c.post("/subscribe", {}).status == 405


def test_tags_page():
    with Site(conf=FAST) as s:
        s.add_post(title="One", tags=["Peer work", "unions"])
        s.add_post(title="Two", tags=["Peer work"])
        s.add_post(title="Secret", tags=["drafty"], draft=True)
        res = s.client().get("/tags")
        assert res.status == 200, res.status
        t = res.text
        items = re.findall(r'<li><a href="(/tags/[^"]+)" rel="tag">([^<]+)</a> <span class="tag-count">([^<]+)</span></li>', t)
        assert items == [("/tags/peer-work", "Peer work", "2 posts"), ("/tags/unions", "unions", "1 post")], items
        assert "drafty" not in t
        assert 'href="/tags"' in s.client().get("/").text
        assert s.client().get("/tags/").status == 404


def test_feed_updated_is_the_posts_own_date():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Dated", body="First text.", date="2020-01-02T03:04:05Z")
        ns = {"a": "http://www.w3.org/2005/Atom"}
        import xml.etree.ElementTree as ET

        def updated():
            feed = ET.fromstring(s.client().get("/feed.atom").body)
            return feed.find("a:updated", ns).text, feed.find("a:entry/a:updated", ns).text
        assert updated() == ("2020-01-02T03:04:05Z", "2020-01-02T03:04:05Z"), updated()
        # Loaded again unchanged: still the post's own date, not the time of loading.
        s.add_post(title="Dated", body="First text.", slug=slug, date="2020-01-02T03:04:05Z")
        assert updated()[1] == "2020-01-02T03:04:05Z", updated()
        # Changed: now it was updated.
        s.add_post(title="Dated", body="Second text.", slug=slug, date="2020-01-02T03:04:05Z")
        assert updated()[1][:4] >= "2026", updated()


run_tests(globals())

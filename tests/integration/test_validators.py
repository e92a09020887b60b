"""test_validators.py: only what a reader can see moves a page's ETag.

A flood of comments filed pending or spam changes no page another reader
sees, so the post page, the index and the feed keep their ETags (a browser's
copy still gets 304, parley's page cache keeps the page).  An approval, an
edit of an approved comment, a rejection of what its author sees, and a new
post do move them, and the very next request shows the change.  The author
of a pending comment sees it at once, and nobody else does.  A post's page
follows its own post: a comment, a like or an edit on another post leaves
it (and its 304) as it was, while the listings follow every post.
"""

from harness import Site, comment_id, run_tests

FAST = {"min_form_seconds": "0", "comments_per_minute": "1000"}
PAGES = ("/posts/%s", "/", "/feed.atom", "/posts/%s/comments.atom", "/tags")


def _etags(client, slug):
    out = {}
    for p in PAGES:
        path = p % slug if "%s" in p else p
        res = client.get(path)
        assert res.status == 200, (path, res.status)
        assert res.headers.get("etag"), (path, res.headers)
        out[path] = res.headers["etag"]
    return out


def _minute(res):
    """The minute of the response's Date header ("Wed, 02 Dec 2026 00:49:38 GMT")."""
    return res.headers.get("date", "")[:-7]


def _status(s, cid):
    conn = s.db()
    (status,) = conn.execute("SELECT status FROM comments WHERE id = ?", (cid,)).fetchone()
    conn.close()
    return status


def _flood(s, slug, n):
    """n comments from n browsers: pending ones, honeypot spam, token-reuse spam."""
    ids = []
    for i in range(n):
        form = s.client().form("/posts/" + slug)
        fields = {"author": "Flood %d" % i, "comment": "Buy flood-words-%d now." % i}
        if i % 3 == 1:
            honeypot = [k for k, v in form.fields.items() if k == "homepage"]
            assert honeypot, form.fields
            fields["homepage"] = "http://spam.example/%d" % i
        res = form.submit(fields)
        ids.append(comment_id(res))
        if i % 3 == 2:                  # the same form again, other text: spam
            ids.append(comment_id(form.submit({"author": "Flood %d" % i,
                                               "comment": "Other flood-words-%d." % i})))
    return ids


def test_pending_and_spam_flood_keeps_every_etag():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Popular", body="Everyone comments here.", tags=["busy"])
        anon = s.client()
        before = _etags(anon, slug)

        ids = _flood(s, slug, 50)
        statuses = {_status(s, cid) for cid in ids}
        assert statuses == {"pending", "spam"}, statuses
        assert len(ids) > 50

        assert _etags(anon, slug) == before
        again = anon.get("/posts/" + slug, headers={"If-None-Match": before["/posts/" + slug]})
        assert again.status == 304, (again.status, again.headers)
        assert "flood-words" not in anon.get("/posts/" + slug).text

        # A moderator moving a flood comment between pending and spam shows
        # nobody anything new either.
        s.cli("comments", "spam", str(ids[0]))
        assert _etags(anon, slug) == before


def test_approval_moves_the_etag_and_shows_at_once():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Approve me", body="Text.")
        anon = s.client()
        _flood(s, slug, 5)
        before = _etags(anon, slug)
        writer = s.client()
        cid = comment_id(writer.form("/posts/" + slug).submit(
            {"author": "Welcome", "comment": "welcome-words-here"}))
        assert _etags(anon, slug) == before

        s.cli("comments", "approve", str(cid))
        after = _etags(anon, slug)
        for path in before:
            if path != "/tags":         # the tag list shows no comments
                assert after[path] != before[path], path
        res = anon.get("/posts/" + slug, headers={"If-None-Match": before["/posts/" + slug]})
        assert res.status == 200 and "welcome-words-here" in res.text, res.status
        assert "1 comment" in anon.get("/").text
        assert "welcome-words-here" in anon.get("/posts/%s/comments.atom" % slug).text

        # Unapproved again (sent to the trash), it is gone from the next page.
        s.cli("comments", "delete", str(cid))
        res = anon.get("/posts/" + slug, headers={"If-None-Match": after["/posts/" + slug]})
        assert res.status == 200 and "welcome-words-here" not in res.text, res.status


def test_own_pending_comment_is_seen_by_its_author_only():
    with Site(conf=FAST) as s:
        slug = s.add_post(title="Mine", body="Text.")
        anon, writer = s.client(), s.client()
        anon_page = anon.get("/posts/" + slug)
        writer.get("/posts/" + slug)
        cid = comment_id(writer.form("/posts/" + slug).submit(
            {"author": "Writer", "comment": "my-own-pending-words"}))
        assert _status(s, cid) == "pending"
        mine = writer.get("/posts/" + slug)
        assert "my-own-pending-words" in mine.text and "awaiting moderation" in mine.text
        assert "private" in mine.headers.get("cache-control", ""), mine.headers
        # The author's page is theirs: another reader, even one sending the
        # author's ETag, gets the page without it.
        for headers in ({}, {"If-None-Match": mine.headers["etag"]}):
            res = anon.get("/posts/" + slug, headers=headers)
            assert res.status == 200 and "my-own-pending-words" not in res.text, res.status
        assert anon.get("/posts/" + slug).headers["etag"] == anon_page.headers["etag"]

        # Others' pending comments leave the author's view as it is.  (Their
        # page is one of the minute, for its Edit links: a new minute may
        # fall in between, and then the check runs again.)
        for _ in range(3):
            mine = writer.get("/posts/" + slug)
            _flood(s, slug, 3)
            res = writer.get("/posts/" + slug, headers={"If-None-Match": mine.headers["etag"]})
            if res.status == 304 or _minute(res) == _minute(mine):
                break
        assert res.status == 304, res.status
        # An edit of their pending comment shows to them at once.
        edit = writer.form("/posts/%s/comments/%d/edit" % (slug, cid), form_id="comment-edit-form")
        res = edit.submit({"comment": "my-edited-pending-words"})
        assert res.status == 303, (res.status, res.text[:1000])
        mine = writer.get("/posts/" + slug)
        assert "my-edited-pending-words" in mine.text, mine.text[:2000]
        # Rejected by a moderator, it leaves the author's page at once.
        s.cli("comments", "reject", str(cid))
        mine = writer.get("/posts/" + slug)
        assert mine.status == 200 and "my-edited-pending-words" not in mine.text


def test_a_post_page_follows_its_own_post_only():
    with Site(conf=FAST) as s:
        busy = s.add_post(title="Busy", body="Much talk.", slug="busy", tags=["peer work"])
        quiet = s.add_post(title="Quiet", body="Left alone.", slug="quiet", tags=["peer work"])
        anon = s.client()

        def etag(path):
            res = anon.get(path)
            assert res.status == 200, (path, res.status)
            return res.headers["etag"]

        def unchanged(path, tag):
            res = anon.get(path, headers={"If-None-Match": tag})
            return res.status == 304

        quiet_tag, quiet_feed = etag("/posts/quiet"), etag("/posts/quiet/comments.atom")
        busy_tag, index_tag = etag("/posts/busy"), etag("/")

        # A comment approved on one post: its page, its feed and the index move.
        cid = comment_id(s.client().form("/posts/busy").submit(
            {"author": "Talker", "comment": "talk-on-busy"}))
        s.cli("comments", "approve", str(cid))
        assert not unchanged("/posts/busy", busy_tag)
        assert "talk-on-busy" in anon.get("/posts/busy").text
        assert "talk-on-busy" in anon.get("/posts/busy/comments.atom").text
        assert not unchanged("/", index_tag) and "1 comment" in anon.get("/").text
        assert unchanged("/posts/quiet", quiet_tag) and unchanged("/posts/quiet/comments.atom", quiet_feed)

        # A like, and an edit of the post, on the busy post only.
        busy_tag = etag("/posts/busy")
        like = s.client().form("/posts/busy", form_id="like")
        assert like.submit().status == 303
        liked = s.client().get("/posts/busy")
        assert liked.headers["etag"] != busy_tag and "1 reader likes this" in liked.text
        s.add_post(title="Busy", body="Much talk, edited.", slug="busy", tags=["peer work"])
        assert "Much talk, edited." in s.client().get("/posts/busy").text
        assert unchanged("/posts/quiet", quiet_tag)

        # Another post renaming the tag both carry changes what the quiet page shows.
        s.add_post(title="Renamer", body="Text.", slug="renamer", tags=["Peer Work"])
        res = anon.get("/posts/quiet", headers={"If-None-Match": quiet_tag})
        assert res.status == 200 and "Peer Work" in res.text, res.status

        # A post deleted and written again under its slug is never its old page.
        old = anon.get("/posts/quiet")
        s.cli("post", "rm", "quiet")
        assert anon.get("/posts/quiet").status == 404
        s.add_post(title="Quiet again", body="A new post.", slug="quiet")
        res = anon.get("/posts/quiet", headers={"If-None-Match": old.headers["etag"]})
        assert res.status == 200 and "A new post." in res.text, res.status


run_tests(globals())

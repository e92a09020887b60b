"""test_admin_desk.py: the author's desk through nginx: reply as the author, edit, a comment's
page in context, find, feedback and Undo, trash and restore, confirmations, bad input."""

import re
import time
import urllib.parse

from admin_util import (ADMIN, admin_site, csrf, done_path, insert_comment, logged_in,
                        public_page, query, status_of)
from harness import run_tests


def follow(c, res):
    """GET the page a 303 leads to (the fragment dropped)."""
    assert res.status == 303, (res.status, res.text[:400])
    return c.get(res.headers["location"].split("#", 1)[0])


def test_reply_as_author():
    with admin_site() as s:
        slug = s.add_post(title="Saying no to overtime", body="Body.")
        parent = insert_comment(s, slug, author="Kim", body="Is this *really* true?")
        c = logged_in(s)
        token = csrf(c)
        page = c.get("/admin/comments/%d" % parent)
        assert page.status == 200
        assert 'action="/admin/comments/%d/reply"' % parent in page.text
        assert "which also approves this comment" in page.text
        res = c.post("/admin/comments/%d/reply" % parent,
                     {"csrf": token, "comment": "Yes, *really*.",
                      "return": "/admin/comments/%d" % parent})
        done = follow(c, res)
        assert "Replied to Kim on \u2018Saying no to overtime\u2019" in done.text, done.text
        assert "Approved Kim" in done.text
        # The parent was pending: approved with it.  The reply is approved at once.
        assert status_of(s, parent) == "approved"
        (rid, status, by_author, author, parent_id), = query(
            s, "SELECT id, status, by_author, author, parent_id FROM comments WHERE id <> ?",
            (parent,))
        assert (status, by_author, author, parent_id) == ("approved", 1, ADMIN, parent)
        site = public_page(s, slug)
        m = re.search(r'<article class="comment[^"]*comment-by-author[^"]*" id="comment-%d"' % rid,
                      site)
        assert m, site
        article = site[m.start():site.index("</article>", m.start())]
        assert '<span class="comment-badge">Author</span>' in article
        assert "<em>really</em>" in article
        # On the queue, the reply shows whom it answers.
        insert_comment(s, slug, author="Lee", body="Another")
        conn = s.db()
        conn.execute("UPDATE comments SET parent_id = ? WHERE author = 'Lee'", (parent,))
        conn.commit()
        conn.close()
        queue = c.get("/admin/").text
        assert "Reply to <a href=\"/admin/comments/%d\">Kim</a>: <q>Is this really true?</q>" \
            % parent in queue, queue
        # The author may answer on a post closed to readers; the page says so.
        c.post("/admin/posts/%s/close" % slug, {"csrf": token})
        page = c.get("/admin/comments/%d" % parent)
        assert "comments are closed to readers; you can still answer as the author" in page.text
        res = c.post("/admin/comments/%d/reply" % parent, {"csrf": token, "comment": "Closed."})
        assert res.status == 303
        assert query(s, "SELECT count(*) FROM comments WHERE by_author = 1")[0][0] == 2
        # The public form cannot claim the mark: by_author is never a form field.
        reader = s.client()
        c.post("/admin/posts/%s/open" % slug, {"csrf": token})
        form = reader.form("/posts/%s" % slug)
        res = form.submit({"author": ADMIN, "comment": "I am the author", "by_author": "1"})
        assert res.status == 303
        assert query(s, "SELECT by_author FROM comments WHERE body_md = 'I am the author'") == [(0,)]


def test_reply_bad_input():
    with admin_site({"max_comment_bytes": "200"}) as s:
        slug = s.add_post(title="Bad replies", body="Body.")
        parent = insert_comment(s, slug, author="Kim")
        spam = insert_comment(s, slug, author="Bot", status="spam")
        c = logged_in(s)
        token = csrf(c)
        before = query(s, "SELECT count(*) FROM comments")[0][0]
        for text, status in (("", 422), ("   \n ", 422), ("x" * 201, 413)):
            res = c.post("/admin/comments/%d/reply" % parent, {"csrf": token, "comment": text})
            assert res.status == status, (text[:10], res.status)
            assert 'id="reply-text"' in res.text and 'role="alert"' in res.text
            if text.strip():
                assert text in res.text, "the reply is kept in the form"
        res = c.post("/admin/comments/%d/reply" % spam, {"csrf": token, "comment": "Hi"})
        assert res.status == 409 and "approve or restore it first" in res.text
        assert c.post("/admin/comments/999999/reply", {"csrf": token, "comment": "Hi"}).status == 404
        assert c.post("/admin/comments/abc/reply", {"csrf": token, "comment": "Hi"}).status == 404
        # Without csrf: 403, nothing stored.
        assert c.post("/admin/comments/%d/reply" % parent, {"comment": "Hi"}).status == 403
        assert query(s, "SELECT count(*) FROM comments")[0][0] == before
        assert status_of(s, parent) == "pending", "nothing half-changed"


def test_edit_keeps_the_old_text():
    with admin_site() as s:
        slug = s.add_post(title="Typos", body="Body.")
        cid = insert_comment(s, slug, author="Kim", url="https://kim.example/",
                             body="Teh text with [a link](https://spam.example/x)",
                             status="approved")
        c = logged_in(s)
        token = csrf(c)
        page = c.get("/admin/comments/%d" % cid).text
        assert 'value="Kim"' in page and "Teh text with" in page
        res = c.post("/admin/comments/%d/edit" % cid,
                     {"csrf": token, "author": "  Kim Lee ", "url": "",
                      "comment": "The text, link removed", "return": "/admin/comments/%d" % cid})
        done = follow(c, res)
        assert "Edited the comment of Kim Lee" in done.text
        assert query(s, "SELECT author, url, body_md, status FROM comments WHERE id = ?",
                     (cid,)) == [("Kim Lee", "", "The text, link removed", "approved")]
        assert query(s, "SELECT edited_at IS NOT NULL FROM comments WHERE id = ?", (cid,)) == [(1,)]
        site = public_page(s, slug)
        assert "The text, link removed" in site and "spam.example" not in site
        detail, = query(s, "SELECT detail FROM audit WHERE action = 'edit'")[0]
        assert "Teh text with [a link](https://spam.example/x)" in detail
        assert "https://kim.example/" in detail and "Kim" in detail
        # Bad input: a refilled form and a message, nothing changed.
        for fields, status, message in (
                ({"author": "", "url": "", "comment": "x"}, 422, "The name is required"),
                ({"author": "N" * 101, "url": "", "comment": "x"}, 422, "The name is required"),
                ({"author": "A", "url": "javascript:alert(1)", "comment": "x"}, 422, "http://"),
                ({"author": "A", "url": "", "comment": ""}, 422, "empty"),
                ({"author": "A", "url": "", "comment": "y" * 10001}, 413, "too long")):
            res = c.post("/admin/comments/%d/edit" % cid, dict(fields, csrf=token))
            assert res.status == status and message in res.text, (fields, res.status)
            assert 'id="edit-text"' in res.text
        assert query(s, "SELECT author FROM comments WHERE id = ?", (cid,)) == [("Kim Lee",)]
        assert c.post("/admin/comments/424242/edit",
                      {"csrf": token, "author": "A", "comment": "x"}).status == 404


def test_comment_page_context():
    with admin_site() as s:
        slug = s.add_post(title="Context", body="Body.")
        parent = insert_comment(s, slug, author="First", body="The question", status="approved",
                                email="first@example.org", ip_hash="aa" * 16)
        cid = insert_comment(s, slug, author="Second", body="See https://a.example/x and "
                             "https://b.example/ and https://a.example/y", email="same@example.org",
                             ip_hash="bb" * 16)
        other = insert_comment(s, slug, author="Second again", body="Earlier one",
                               email="SAME@example.org", status="rejected", ip_hash="cc" * 16)
        neighbour = insert_comment(s, slug, author="Neighbour", body="Same address",
                                   email="n@example.org", ip_hash="bb" * 16)
        reply = insert_comment(s, slug, author="Third", body="Pending answer")
        conn = s.db()
        conn.execute("UPDATE comments SET parent_id = ? WHERE id = ?", (parent, cid))
        conn.execute("UPDATE comments SET parent_id = ? WHERE id = ?", (cid, reply))
        conn.commit()
        conn.close()
        c = logged_in(s)
        t = c.get("/admin/comments/%d" % cid).text
        assert "In reply to First" in t and "The question" in t
        assert 'href="/posts/%s#comment-%d"' % (slug, parent) in t, "the parent on the site"
        assert "Replies to this comment" in t and "Pending answer" in t
        assert "Other comments from the same email" in t and "Earlier one" in t
        assert "Other comments from the same address" in t and "Same address" in t
        assert "3 links" in t and "<code class=\"host\">a.example</code>" in t
        assert t.count("<code class=\"host\">a.example</code>") == 1
        assert "<code class=\"host\">b.example</code>" in t
        assert 'href="/admin/comments?status=all&amp;email=same%40example.org"' in t
        assert 'href="/admin/comments?status=all&amp;address=' + "bb" * 16 + '"' in t
        # The linked filters work.
        by_email = c.get("/admin/comments?status=all&email=same%40example.org").text
        assert "Earlier one" in by_email and "Neighbour" not in by_email
        by_address = c.get("/admin/comments?status=all&address=" + "bb" * 16).text
        assert "Same address" in by_address and "Earlier one" not in by_address
        assert other and neighbour
        for bad in ("999999", "abc", "0", "-1", "1e3"):
            assert c.get("/admin/comments/" + bad).status == 404, bad


def test_find_and_counts():
    with admin_site() as s:
        slug = s.add_post(title="Findable", body="Body.")
        slug2 = s.add_post(title="Elsewhere", body="Body.")
        insert_comment(s, slug, author="Ada Lovelace", body="Engines of analysis")
        insert_comment(s, slug, author="Grace", body="Compilers and engines", status="approved")
        insert_comment(s, slug2, author="Linus", body="Kernels", status="spam")
        c = logged_in(s)
        t = c.get("/admin/comments?status=all&q=engines").text
        assert "Ada Lovelace" in t and "Grace" in t and "Linus" not in t
        t = c.get("/admin/comments?status=approved&q=engines").text
        assert "Grace" in t and "Ada Lovelace" not in t
        assert "Ada Lovelace" in c.get("/admin/comments?status=all&q=lovelace").text, "names too"
        t = c.get("/admin/comments?status=all&post=" + slug2).text
        assert "Linus" in t and "Grace" not in t
        # FTS5 syntax is only words; 10 KB is refused with the form kept; never a 5xx.
        for q in ('"', "engines OR", "NEAR(a b)", "*", "a:b", "^x", "(", "-x", "'; DROP TABLE"):
            res = c.get("/admin/comments?status=all&q=" + urllib.parse.quote(q))
            assert res.status == 200, (q, res.status)
        res = c.get("/admin/comments?status=all&q=" + "w" * 1000)
        assert res.status == 400 and "at most 200 characters" in res.text
        assert 'id="filter-q"' in res.text
        # 10 KB does not fit nginx's request line: its own 414, still no 5xx.
        res = c.get("/admin/comments?status=all&q=" + "w" * 10240)
        assert 400 <= res.status < 500, res.status
        assert c.get("/admin/comments?status=bogus").status == 404
        # Counts per status in the navigation, trash too; pending per post on the posts page.
        t = c.get("/admin/").text
        assert re.search(r'Trash <span class="count">0</span>', t)
        posts = c.get("/admin/posts").text
        assert 'href="/admin/comments?status=pending&amp;post=%s">1 waiting' % slug in posts


def test_undo_trash_restore():
    with admin_site({"trash_days": "30"}) as s:
        slug = s.add_post(title="Undoable", body="Body.")
        ids = [insert_comment(s, slug, author="P%d" % i, body="Body %d" % i,
                              created=int(time.time()) - 100 + i) for i in range(3)]
        c = logged_in(s)
        token = csrf(c)
        # Approve the first card: the page says so, offers Undo, shows the next card.
        res = c.post("/admin/comments/%d/approve" % ids[0],
                     {"csrf": token, "return": "/admin/", "next": str(ids[1])})
        assert res.headers["location"].endswith("#comment-%d" % ids[1]), res.headers
        page = follow(c, res)
        assert "Approved P0 on \u2018Undoable\u2019." in page.text
        m = re.search(r'name="from" value="(\d+)">\s*<input type="hidden" name="to" value="(\d+)">',
                      page.text)
        assert m, page.text
        assert status_of(s, ids[0]) == "approved"
        res = c.post("/admin/undo", {"csrf": token, "from": m.group(1), "to": m.group(2),
                                     "return": "/admin/"})
        page = follow(c, res)
        assert status_of(s, ids[0]) == "pending", "undone"
        assert "Undid an action" in page.text and 'action="/admin/undo"' not in page.text
        # Delete moves to trash; restore brings back the status it had.
        c.post("/admin/comments/%d/reject" % ids[1], {"csrf": token})
        res = c.post("/admin/comments/%d/delete" % ids[1], {"csrf": token, "return": "/admin/"})
        assert status_of(s, ids[1]) == "trash"
        assert "Moved to trash" in follow(c, res).text
        trash = c.get("/admin/comments?status=trash").text
        assert "P1" in trash and "in trash, was rejected" in trash
        assert 'formaction="/admin/comments/%d/restore"' % ids[1] in trash
        res = c.post("/admin/comments/%d/restore" % ids[1], {"csrf": token})
        assert res.status == 303 and status_of(s, ids[1]) == "rejected"
        # A restore of a comment not in trash: 409, nothing changes.
        res = c.post("/admin/comments/%d/restore" % ids[1], {"csrf": token})
        assert res.status == 409 and status_of(s, ids[1]) == "rejected"
        assert c.post("/admin/comments/999999/restore", {"csrf": token}).status == 404
        # Undo of a delete restores it.
        res = c.post("/admin/comments/%d/delete" % ids[2], {"csrf": token})
        m = re.search(r'done=(\d+)&to=(\d+)', res.headers["location"])
        c.post("/admin/undo", {"csrf": token, "from": m.group(1), "to": m.group(2)})
        assert status_of(s, ids[2]) == "pending"
        # Someone else's entries, or nonsense ranges: nothing undone, never a 5xx.
        for fields, want in (({"from": "1", "to": "100000"}, 413), ({"from": "x", "to": "1"}, 400),
                             ({"from": "5", "to": "1"}, 400)):
            res = c.post("/admin/undo", dict(fields, csrf=token))
            assert res.status == want, (fields, res.status)
        # Bulk apply: one message for all, one Undo for all.
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "spam"),
                                              ("id", ids[0]), ("id", ids[2]), ("return", "/admin/")])
        page = follow(c, res)
        assert "Marked as spam P0" in page.text and "Marked as spam P2" in page.text
        m = re.search(r'name="from" value="(\d+)">\s*<input type="hidden" name="to" value="(\d+)">',
                      page.text)
        c.post("/admin/undo", {"csrf": token, "from": m.group(1), "to": m.group(2)})
        assert status_of(s, ids[0]) == "pending" and status_of(s, ids[2]) == "pending"
        # Trash older than trash_days is purged for good when the queue is next shown.
        c.post("/admin/comments/%d/delete" % ids[0], {"csrf": token})
        conn = s.db()
        conn.execute("UPDATE comments SET trashed_at = trashed_at - 31 * 86400 WHERE id = ?",
                     (ids[0],))
        conn.commit()
        conn.close()
        c.get("/admin/")
        assert status_of(s, ids[0]) is None
        # The audit log says who, what, the status before, and links each comment.
        audit = c.get("/admin/audit").text
        assert 'href="/admin/comments/%d"' % ids[1] in audit
        rows = query(s, "SELECT action, status_before FROM audit WHERE comment_id = ? ORDER BY id",
                     (ids[1],))
        assert rows == [("reject", "pending"), ("delete", "rejected"), ("restore", "trash")], rows


def test_select_all_and_confirmations():
    with admin_site() as s:
        slug = s.add_post(title="Select", body="Body.")
        ids = [insert_comment(s, slug, author="S%d" % i) for i in range(3)]
        c = logged_in(s)
        t = c.get("/admin/").text
        assert 'href="/admin/?select=all"' in t and "checked" not in t
        t = c.get("/admin/?select=all").text
        for i in ids:
            assert 'name="id" value="%d" id="select-%d" checked' % (i, i) in t
        # "Block this address" asks first; cancel goes back.
        res = c.post("/admin/comments/%d/block-address" % ids[0],
                     {"csrf": csrf(c), "return": "/admin/"})
        assert res.status == 200 and "Send every new comment from the address of S0" in res.text
        assert 'href="/admin/">Cancel' in res.text
        assert query(s, "SELECT count(*) FROM blocks")[0][0] == 0


run_tests(globals())

"""test_admin_moderation.py: the queue, each action and bulk action, the public page, the audit log, posts."""

import re
import time

from admin_util import (ADMIN, admin_site, csrf, done_path, insert_comment, logged_in,
                        post_id, public_page, query, status_of)
from harness import run_tests


def test_queue_page():
    with admin_site() as s:
        slug = s.add_post(title="Queue <post>", body="Body.")
        now = int(time.time())
        old = insert_comment(s, slug, author="Old & wise", email="old@example.org",
                             url="https://old.example/", body="Oldest *first*",
                             created=now - 3 * 3600, ip_hash="cd" * 16)
        new = insert_comment(s, slug, author="Newer", email="", body="Second",
                             created=now - 120, ip_hash="cd" * 16)
        insert_comment(s, slug, author="Approved one", status="approved", body="Shown")
        insert_comment(s, slug, author="Spammer", status="spam", body="Buy")
        c = logged_in(s)
        page = c.get("/admin/")
        assert page.status == 200
        t = page.text
        assert t.index("Old &amp; wise") < t.index("Newer"), "oldest first"
        assert "Approved one" not in t and "Spammer" not in t
        for want in ("old@example.org", "https://old.example/", "3 hours ago",
                     "2 minutes ago", "Queue &lt;post&gt;", 'href="/posts/%s"' % slug,
                     "2 comments from this address",
                     '<label for="select-%d" class="visually-hidden">Select comment %d by Old &amp; wise</label>'
                     % (old, old),
                     'name="id" value="%d"' % new,
                     'formaction="/admin/comments/%d/approve"' % old,
                     'formaction="/admin/comments/%d/block-address"' % old,
                     'action="/admin/comments/bulk"', 'name="page_id"'):
            assert want in t, want
        assert re.search(r'Queue <span class="count[^"]*">2</span>', t), "pending count"
        assert re.search(r'Approved <span class="count">1</span>', t), "approved count"
        assert re.search(r'Spam <span class="count">1</span>', t), "spam count"
        # The other lists, newest first, with the moves that make sense.
        spam = c.get("/admin/comments?status=spam")
        assert spam.status == 200 and "Spammer" in spam.text and "Newer" not in spam.text
        assert "/approve" in spam.text and "/spam\"" not in spam.text

        # Paging: 30 pending comments make two pages.
        for i in range(30):
            insert_comment(s, slug, author="Bulk %02d" % i, created=now - 60 + i)
        p1 = c.get("/admin/")
        p2 = c.get("/admin/?page=2")
        assert "Next page" in p1.text and "Previous page" in p2.text
        assert p1.text.count('class="card"') == 25 and p2.text.count('class="card"') == 7


def test_each_action_moves_state_and_public_page():
    with admin_site() as s:
        slug = s.add_post(title="Moderated", body="Body.")
        ids = {name: insert_comment(s, slug, author="Author " + name, body="Text of " + name)
               for name in ("approve", "reject", "spam", "delete")}
        c = logged_in(s)
        token = csrf(c)
        assert "Text of approve" not in public_page(s, slug)
        for action, cid in ids.items():
            res = c.post("/admin/comments/%d/%s" % (cid, action),
                         {"csrf": token, "return": "/admin/"})
            assert res.status == 303, (action, res.status)
            assert done_path(res) == "/admin/", res.headers
        assert status_of(s, ids["approve"]) == "approved"
        assert status_of(s, ids["reject"]) == "rejected"
        assert status_of(s, ids["spam"]) == "spam"
        assert status_of(s, ids["delete"]) == "trash"
        page = public_page(s, slug)
        assert "Text of approve" in page
        for name in ("reject", "spam", "delete"):
            assert "Text of " + name not in page, name
        # Moving back: an approved comment back to the queue leaves the page.
        res = c.post("/admin/comments/%d/pending" % ids["approve"],
                     {"csrf": token, "return": "/admin/comments?status=approved"})
        assert res.status == 303
        assert done_path(res) == "/admin/comments?status=approved"
        assert status_of(s, ids["approve"]) == "pending"
        assert "Text of approve" not in public_page(s, slug)
        # Spam rescued.
        c.post("/admin/comments/%d/approve" % ids["spam"], {"csrf": token})
        assert status_of(s, ids["spam"]) == "approved"
        assert "Text of spam" in public_page(s, slug)
        # A return path outside the admin pages is not followed.
        for bad in ("https://evil.example/", "//evil.example/admin/", "/admin/../x",
                    "/posts/x", "/admin/\\evil"):
            res = c.post("/admin/comments/%d/reject" % ids["reject"],
                         {"csrf": token, "return": bad})
            assert res.status == 303 and done_path(res) == "/admin/", (bad, res.headers)

        rows = query(s, "SELECT user_name, action, comment_id FROM audit"
                        " WHERE comment_id IS NOT NULL ORDER BY id")
        got = [(u, a, cid) for (u, a, cid) in rows]
        for action, cid in ids.items():
            assert (ADMIN, action, cid) in got, (action, got)
        audit = c.get("/admin/audit")
        assert audit.status == 200
        for action, cid in ids.items():
            assert "#%d" % cid in audit.text and action in audit.text
        # Newest first: the last change (the spam rescued) is at the top; rejecting a
        # rejected comment again changed nothing and is not logged.
        first_row = audit.text.split("<tbody>")[1].split("</tr>")[0]
        assert "approve" in first_row and "#%d" % ids["spam"] in first_row, first_row
        assert ">spam<" in first_row, "the status before"


def test_bulk_actions():
    with admin_site() as s:
        slug = s.add_post(title="Bulk", body="Body.")
        ids = [insert_comment(s, slug, author="Person %d" % i, body="Bulk body %d" % i,
                              created=int(time.time()) - 100 + i) for i in range(6)]
        c = logged_in(s)
        token = csrf(c)
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "approve"),
                                              ("id", ids[0]), ("id", ids[1]),
                                              ("return", "/admin/")])
        assert res.status == 303, res.status
        assert [status_of(s, i) for i in ids[:3]] == ["approved", "approved", "pending"]
        page = public_page(s, slug)
        assert "Bulk body 0" in page and "Bulk body 1" in page and "Bulk body 2" not in page
        # "Apply to all on this page": every comment the page listed, none checked.
        queue = c.get("/admin/").text
        listed = [int(x) for x in re.findall(r'name="page_id" value="(\d+)"', queue)]
        assert listed == ids[2:], listed
        fields = [("csrf", token), ("action", "spam"), ("all", "1")]
        fields += [("page_id", i) for i in listed]
        # It asks first (a second page, no JavaScript), and changes nothing yet.
        res = c.post("/admin/comments/bulk", fields)
        assert res.status == 200 and "apply to all 4 comments on the page?" in res.text, res.text
        assert 'name="confirm" value="1"' in res.text
        assert [status_of(s, i) for i in ids[2:]] == ["pending"] * 4
        res = c.post("/admin/comments/bulk", fields + [("confirm", "1")])
        assert res.status == 303
        assert [status_of(s, i) for i in ids[2:]] == ["spam"] * 4
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "delete"),
                                              ("id", ids[2]), ("id", ids[3]), ("id", 99999)])
        assert res.status == 303
        assert status_of(s, ids[2]) == "trash" and status_of(s, ids[3]) == "trash"
        assert status_of(s, ids[4]) == "spam"
        res = c.post("/admin/comments/bulk", [("csrf", token), ("action", "explode"),
                                              ("id", ids[4])])
        assert res.status == 400 and status_of(s, ids[4]) == "spam"
        n = query(s, "SELECT count(*) FROM audit WHERE comment_id IS NOT NULL")[0][0]
        assert n == 2 + 4 + 2, n


def test_close_and_reopen_comments():
    with admin_site() as s:
        slug = s.add_post(title="Closable", body="Body.")
        c = logged_in(s)
        page = c.get("/admin/posts")
        assert page.status == 200 and "Closable" in page.text
        assert 'action="/admin/posts/%s/close"' % slug in page.text
        res = c.post("/admin/posts/%s/close" % slug, {"csrf": csrf(c), "return": "/admin/posts"})
        assert res.status == 303 and res.headers["location"] == "/admin/posts"
        assert query(s, "SELECT comments_open FROM posts")[0][0] == 0
        reader = s.client()
        res = reader.post("/posts/%s/comments" % slug, {"author": "A", "comment": "Hi"})
        assert res.status == 403, res.status
        assert 'action="/admin/posts/%s/open"' % slug in c.get("/admin/posts").text
        res = c.post("/admin/posts/%s/open" % slug, {"csrf": csrf(c)})
        assert res.status == 303
        assert query(s, "SELECT comments_open FROM posts")[0][0] == 1
        form = reader.form("/posts/%s" % slug)
        res = form.submit({"author": "Reader", "comment": "Open again"})
        assert res.status == 303, (res.status, res.text[:300])
        assert c.post("/admin/posts/no-such-post/close", {"csrf": csrf(c)}).status == 404
        actions = [r[0] for r in query(s, "SELECT action FROM audit ORDER BY id")]
        assert "close-comments" in actions and "open-comments" in actions, actions



def test_counts_exact_and_address_badge_bounded():
    """The menu's counts are exact past 10,000; a card counts its address's comments to 100."""
    with admin_site() as s:
        slug = s.add_post(title="Busy", body="Body.")
        pid, now = post_id(s, slug), int(time.time())
        conn = s.db()
        # 12,345 pending: the oldest 150 from one address, then 2 from another, then one each.
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12345)"
            " INSERT INTO comments (post_id, status, author, email, body_md, body_html,"
            " created_at, ip_hash) SELECT ?, 'pending', 'Reader ' || i, '', 'Hello ' || i,"
            " '<p>Hello ' || i || '</p>', ? + i,"
            " CASE WHEN i <= 150 THEN 'aa' WHEN i <= 152 THEN 'bb' ELSE printf('%08x', i) END"
            " FROM n", (pid, now - 86400))
        conn.commit()
        conn.close()
        c = logged_in(s)
        t = c.get("/admin/").text
        assert re.search(r'Queue <span class="count[^"]*">12,345</span>', t), "exact count"
        assert t.count("100+ comments from this address") == 25, "capped on page one"
        assert "10,000+" not in t
        t = c.get("/admin/?page=7").text
        assert t.count("100+ comments from this address") == 0
        assert t.count("2 comments from this address") == 2
        assert "Reader 151" in t and "Reader 152" in t



def test_queue_shows_while_a_writer_holds_the_database():
    """With no trash to purge, the queue takes no write lock: a long write elsewhere
    (an import, a backup's copy) does not make it wait or fail its purge."""
    with admin_site() as s:
        slug = s.add_post(title="Waiting", body="Body.")
        insert_comment(s, slug, author="Patient reader")
        c = logged_in(s)
        assert c.get("/admin/").status == 200
        writer = s.db()
        writer.execute("BEGIN IMMEDIATE")
        try:
            page = c.get("/admin/")
        finally:
            writer.rollback()
            writer.close()
        assert page.status == 200 and "Patient reader" in page.text, page.status
        with open(s.moderate.stderr_path, errors="replace") as f:
            log = f.read()
        assert "locked" not in log, log[-2000:]


run_tests(globals())

"""test_admin_rules.py: the rules page, and the rules and blocks acting on comments readers send."""

from admin_util import admin_site, csrf, insert_comment, logged_in, query, status_of
from harness import run_tests


def send_comment(s, slug, author="Reader", email="", url="", text="Hello there.", reader=None):
    """Leave a comment through the public form (as a new reader unless reader is
    given); returns the new comment's row."""
    reader = reader or s.client()
    form = reader.form("/posts/%s" % slug)
    res = form.submit({"author": author, "email": email, "url": url, "comment": text})
    assert res.status == 303, (res.status, res.text[:400])
    rows = query(s, "SELECT id, status, spam_reason FROM comments ORDER BY id DESC LIMIT 1")
    return rows[0]


def save_rules(c, auto=False, words="", links=""):
    fields = {"csrf": csrf(c), "blocked_words": words, "max_links": links}
    if auto:
        fields["auto_approve_known"] = "1"
    return c.post("/admin/rules", fields)


def settings(s):
    return dict(query(s, "SELECT key, value FROM settings WHERE key LIKE 'rule.%'"))


def test_rules_page():
    with admin_site() as s:
        c = logged_in(s)
        page = c.get("/admin/rules")
        assert page.status == 200
        for want in ('<label for="rule-auto">', '<label for="rule-words">',
                     '<label for="rule-links">', 'name="auto_approve_known"',
                     'name="blocked_words"', 'name="max_links"', "Nothing is blocked"):
            assert want in page.text, want
        assert "checked" not in page.text.split('id="rule-auto"')[1].split(">")[0]
        res = save_rules(c, auto=True, words="casino\r\n  cheap pills \r\n", links="2")
        assert res.status == 303 and res.headers["location"] == "/admin/rules?saved=1"
        got = settings(s)
        assert got["rule.auto_approve_known"] == "1", got
        assert got["rule.blocked_words"] == "casino\n  cheap pills \n", got
        assert got["rule.max_links"] == "2", got
        page = c.get("/admin/rules?saved=1")
        assert "The rules are saved" in page.text
        assert "casino\n  cheap pills" in page.text
        assert 'value="2"' in page.text
        assert "checked" in page.text.split('id="rule-auto"')[1].split(">")[0]
        # Bad values: 422 with the form refilled, nothing stored.
        for links in ("many", "-1", "100000"):
            res = save_rules(c, words="other", links=links)
            assert res.status == 422, (links, res.status)
            assert 'aria-invalid="true"' in res.text and "whole number" in res.text
            assert settings(s)["rule.blocked_words"] == "casino\n  cheap pills \n"
        # Empty means no limit.
        assert save_rules(c, links="").status == 303
        assert settings(s)["rule.max_links"] == ""
        assert settings(s)["rule.auto_approve_known"] == "0"
        actions = [a for (a,) in query(s, "SELECT action FROM audit WHERE action = 'rules'")]
        assert len(actions) == 2, actions


def test_rules_apply_to_new_comments():
    with admin_site() as s:
        slug = s.add_post(title="Ruled", body="Body.")
        c = logged_in(s)
        # Defaults: everything is held.
        regular = s.client()
        _, status, _ = send_comment(s, slug, email="known@example.org", text="First words.",
                                    reader=regular)
        assert status == "pending", status
        assert save_rules(c, auto=True, words="casino\nfree money", links="1").status == 303

        _, status, reason = send_comment(s, slug, text="Win at the CASINO today")
        assert status == "spam" and reason, (status, reason)
        _, status, _ = send_comment(s, slug, author="Free Money Bot", text="Hi")
        assert status == "spam", status
        _, status, _ = send_comment(s, slug, text="See https://a.example and http://b.example")
        assert status == "spam", status
        _, status, _ = send_comment(s, slug, text="Just one link: https://a.example")
        assert status == "pending", status

        # Auto-approval once this browser's comment was approved (never for a typed
        # email alone: test_harden_comments.py).
        _, status, _ = send_comment(s, slug, email="known@example.org", text="Second words.",
                                    reader=regular)
        assert status == "pending", status
        first = query(s, "SELECT id FROM comments WHERE body_md = 'First words.'")[0][0]
        assert c.post("/admin/comments/%d/approve" % first, {"csrf": csrf(c)}).status == 303
        _, status, _ = send_comment(s, slug, email="known@example.org", text="Third words.",
                                    reader=regular)
        assert status == "approved", status
        _, status, _ = send_comment(s, slug, email="known@example.org", text="Hello.")
        assert status == "pending", status
        # Off again: held.
        assert save_rules(c).status == 303
        _, status, _ = send_comment(s, slug, email="known@example.org", text="Fourth words.",
                                    reader=regular)
        assert status == "pending", status


def test_blocks():
    with admin_site() as s:
        slug = s.add_post(title="Blocked", body="Body.")
        c = logged_in(s)
        cid, status, _ = send_comment(s, slug, email="pest@example.org", text="Annoying.")
        assert status == "pending"
        queue = c.get("/admin/").text
        assert 'formaction="/admin/comments/%d/block-email"' % cid in queue
        # Blocking asks first (a second page), then blocks.
        res = c.post("/admin/comments/%d/block-email" % cid, {"csrf": csrf(c)})
        assert res.status == 200 and "Please confirm" in res.text, res.status
        assert query(s, "SELECT count(*) FROM blocks")[0][0] == 0
        res = c.post("/admin/comments/%d/block-email" % cid, {"csrf": csrf(c), "confirm": "1"})
        assert res.status == 303
        assert query(s, "SELECT kind, value FROM blocks") == [("email", "pest@example.org")]
        _, status, _ = send_comment(s, slug, email="PEST@example.org", text="Again.")
        assert status == "spam", status
        _, status, _ = send_comment(s, slug, email="fine@example.org", text="Fine.")
        assert status == "pending", status

        # Block the address (every test reader comes from 127.0.0.1).
        res = c.post("/admin/comments/%d/block-address" % cid, {"csrf": csrf(c), "confirm": "1"})
        assert res.status == 303
        rows = query(s, "SELECT kind, value FROM blocks WHERE kind = 'ip'")
        assert len(rows) == 1 and rows[0][1] == query(
            s, "SELECT ip_hash FROM comments WHERE id = ?", (cid,))[0][0]
        _, status, _ = send_comment(s, slug, email="fine@example.org", text="Fine again.")
        assert status == "spam", status
        page = c.get("/admin/rules")
        assert "pest@example.org" in page.text and "Address" in page.text
        # Unblocking puts things back.
        for (bid,) in query(s, "SELECT id FROM blocks"):
            assert c.post("/admin/blocks/%d/delete" % bid, {"csrf": csrf(c)}).status == 303
        assert query(s, "SELECT count(*) FROM blocks")[0][0] == 0
        _, status, _ = send_comment(s, slug, email="pest@example.org", text="Sorry.")
        assert status == "pending", status
        # An email typed on the rules page.
        assert c.post("/admin/blocks", {"csrf": csrf(c), "email": "typed@example.org"}).status == 303
        _, status, _ = send_comment(s, slug, email="typed@example.org", text="Hm.")
        assert status == "spam", status
        actions = [a for (a,) in query(s, "SELECT action FROM audit ORDER BY id")]
        for want in ("block-email", "block-address", "unblock"):
            assert want in actions, (want, actions)
        # Blocking a comment without an email changes nothing.
        nid = insert_comment(s, slug, email="")
        before = query(s, "SELECT count(*) FROM blocks")[0][0]
        assert c.post("/admin/comments/%d/block-email" % nid,
                      {"csrf": csrf(c), "confirm": "1"}).status == 303
        assert query(s, "SELECT count(*) FROM blocks")[0][0] == before
        assert status_of(s, nid) == "pending"


run_tests(globals())

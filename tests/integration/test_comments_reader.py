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
    form = t[t.index('id="comment-form"'):t.index("</form>")]
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


run_tests(globals())

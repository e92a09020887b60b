"""test_spam.py: the spam classifier through nginx: trained by the admin's decisions, it files new spam with its reason, lets honest comments wait, and learns from a rescue."""

import re

from admin_util import csrf, insert_comment, logged_in, query, status_of, admin_site
from harness import run_tests

HONEST = [
    "I agree with your point about the union meeting, it matched my week",
    "Thanks for writing this, it is what we saw on the ward last winter",
    "Could you say more about the training for peer workers in your team?",
    "We tried something similar in our town and the volunteers stayed",
    "The part about supervision made me think of my first year as a nurse",
]
SPAMMY = [
    "Cheap pills online, buy now at https://pills.shop.example/buy",
    "Best casino bonus https://casino.example/win [click](https://casino.example/go)",
    "SEO services to rank your site, visit https://seo.example/offer now",
    "Buy followers cheap https://followers.example/ best price, casino",
    "Free money casino, win big today https://casino.example/free",
]


def model(s):
    return query(s, "SELECT ham, spam FROM spam_model")[0]


def seed_and_train(s, slug, c, n=20):
    """n honest and n spam comments, decided through the admin's bulk form."""
    ham = [insert_comment(s, slug, author=("Sam", "Rivera", "Ana")[i % 3],
                          email="reader%d@example.org" % i,
                          body="%s (%d)" % (HONEST[i % 5], i)) for i in range(n)]
    spam = [insert_comment(s, slug, author="Cheap SEO Agency", email="sales@bulk.example",
                           url="https://seo.example/", body="%s (%d)" % (SPAMMY[i % 5], i))
            for i in range(n)]
    token = csrf(c)
    for action, ids in (("approve", ham), ("spam", spam)):
        res = c.post("/admin/comments/bulk",
                     [("csrf", token), ("action", action), ("return", "/admin/")] +
                     [("id", i) for i in ids])
        assert res.status == 303, (res.status, res.text[:300])
    return ham, spam


def test_train_file_explain_rescue():
    with admin_site() as s:
        slug = s.add_post(title="Peer work", body="Body.")
        c = logged_in(s)
        queue = c.get("/admin/").text
        assert "Spam classifier: still learning (0 of 20 approved and 0 of 20 spam" in queue

        # Nineteen of each is not enough: a spammy comment still waits.
        seed_and_train(s, slug, c, n=19)
        assert tuple(model(s)) == (19, 19)
        reader = s.client()
        res = reader.form("/posts/%s" % slug).submit({
            "author": "Cheap SEO Agency", "email": "win@bulk.example",
            "url": "https://seo.example/", "comment": "Casino bonus, buy now https://casino.example/now"})
        assert res.status == 303
        early = query(s, "SELECT id, status FROM comments ORDER BY id DESC LIMIT 1")[0]
        assert early[1] == "pending", early
        # The queue shows its probability already, and groups it as likely spam.
        queue = c.get("/admin/").text
        assert re.search(r"spam probability \d+%", queue), queue[:2000]
        assert "Likely spam" in queue
        assert queue.index("Likely spam") < queue.index('id="comment-%d"' % early[0])
        assert "still learning (19 of 20 approved and 19 of 20 spam" in queue
        c.post("/admin/comments/%d/delete" % early[0], {"csrf": csrf(c), "return": "/admin/"})

        # The twentieth of each: from now on it acts.
        seed_and_train(s, slug, c, n=1)
        assert tuple(model(s)) == (20, 20)
        assert "learned from 20 approved and 20 spam comments" in c.get("/admin/").text

        # A new spam through the form is filed as spam, with its reason...
        res = reader.form("/posts/%s" % slug).submit({
            "author": "Lucky Casino", "email": "deals@bulk.example", "url": "https://seo.example/",
            "comment": "Best casino bonus, buy cheap now https://casino.example/today"})
        assert res.status == 303
        sid, sstatus, reason = query(
            s, "SELECT id, status, spam_reason FROM comments ORDER BY id DESC LIMIT 1")[0]
        assert sstatus == "spam", (sstatus, reason)
        assert re.match(r"classifier: [\d.]+% spam; ", reason), reason
        assert "(20 spam, 0 approved)" in reason or " spam, 0 approved)" in reason, reason
        prob = query(s, "SELECT probability FROM comment_spam WHERE comment_id = ?", (sid,))[0][0]
        assert prob > 0.9
        # ... and its author still sees it as awaiting moderation; nobody else sees it.
        mine = reader.get("/posts/%s" % slug).text
        assert "Best casino bonus" in mine and "Your comment is awaiting moderation" in mine
        assert "Best casino bonus" not in s.client().get("/posts/%s" % slug).text

        # A new honest comment waits in the queue with its probability.
        honest = s.client()
        res = honest.form("/posts/%s" % slug).submit({
            "author": "Jo", "email": "jo@example.org", "url": "",
            "comment": "Thanks, the training for peer workers point rings true on our ward"})
        assert res.status == 303
        hid, hstatus = query(s, "SELECT id, status FROM comments ORDER BY id DESC LIMIT 1")[0]
        assert hstatus == "pending"
        queue = c.get("/admin/").text
        card = queue[queue.index('id="comment-%d"' % hid):]
        card = card[:card.index("</li>")]
        m = re.search(r"spam probability (\d+)%", card)
        assert m and int(m.group(1)) < 50, card
        assert "Likely spam" not in queue

        # The spam list says why it was filed and offers the one-click rescue.
        spam_list = c.get("/admin/comments?status=spam").text
        card = spam_list[spam_list.index('id="comment-%d"' % sid):]
        card = card[:card.index("</li>")]
        assert "Filed as spam</span> classifier:" in card
        assert 'formaction="/admin/comments/%d/approve"' % sid in card and "Not spam: approve" in card
        res = c.post("/admin/comments/%d/approve" % sid,
                     {"csrf": csrf(c), "return": "/admin/comments?status=spam"})
        assert res.status == 303
        assert status_of(s, sid) == "approved"
        # The rescue retrained it at once.
        assert tuple(model(s)) == (21, 20)
        assert query(s, "SELECT learned FROM comment_spam WHERE comment_id = ?", (sid,))[0][0] == "ham"
        # Changing that decision again un-learns it.
        res = c.post("/admin/comments/%d/spam" % sid, {"csrf": csrf(c), "return": "/admin/"})
        assert res.status == 303 and tuple(model(s)) == (20, 21)

        # The command line's decisions teach it too, and it reports what it learned.
        s.cli("comments", "spam", str(hid))
        assert tuple(model(s)) == (20, 22)
        s.cli("comments", "approve", str(hid))
        assert tuple(model(s)) == (21, 21)
        out = s.cli("spam", "stats").stdout
        assert "decisions learned: 21 approved (not spam), 21 spam" in out, out
        assert re.search(r"precision \d+\.\d%", out) and re.search(r"recall +\d+\.\d%", out), out
        bad = s.cli("spam", "nonsense", check=False)
        assert bad.returncode == 2 and "usage: parley spam stats" in bad.stderr


def test_erase_keeps_only_counts():
    with admin_site() as s:
        slug = s.add_post(title="Erase", body="Body.")
        c = logged_in(s)
        seed_and_train(s, slug, c, n=3)
        # The classifier's tables hold numbers only: no text of any comment.
        for table, cols in (("spam_tokens", "token, ham, spam, generation"),
                            ("spam_model", "ham, spam, generation, epoch, built"),
                            ("comment_spam", "comment_id, probability, form_seconds")):
            for row in query(s, "SELECT %s FROM %s" % (cols, table)):
                assert all(v is None or isinstance(v, (int, float)) for v in row), (table, row)
        before = query(s, "SELECT count(*) FROM spam_tokens WHERE spam > 0")[0][0]
        s.cli("comments", "erase", "--email", "sales@bulk.example")
        # The erased name's words left the counts; the comments stay examples.
        assert tuple(model(s)) == (3, 3)
        after = query(s, "SELECT count(*) FROM spam_tokens WHERE spam > 0")[0][0]
        assert after < before


if __name__ == "__main__":
    run_tests(globals())

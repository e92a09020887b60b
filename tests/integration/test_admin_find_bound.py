"""test_admin_find_bound.py: the admin's search by words looks only at the newest 500
comments holding them, says so when there were more, and keeps its other filters."""

import re

from admin_util import admin_site, logged_in, post_id
from harness import run_tests

CUT = "More than 500 comments hold these words: only the 500 received last were searched"


def add_comments(s, slug, n, body, first=1, status_every=0, ip_every=0):
    """n comments on slug, ids and dates rising: "BODY K" (K from first), pending, every
    status_every-th approved, every ip_every-th from the address "cd" * 32."""
    pid = post_id(s, slug)
    conn = s.db()
    conn.execute(
        """WITH RECURSIVE n(k) AS (SELECT ?1 UNION ALL SELECT k + 1 FROM n WHERE k < ?2)
        INSERT INTO comments (post_id, status, author, email, body_md, body_html, created_at,
                              ip_hash)
        SELECT ?3, CASE WHEN ?4 > 0 AND k % ?4 = 0 THEN 'approved' ELSE 'pending' END,
               'Reader ' || k, 'reader' || k || '@example.org', ?5 || ' ' || k,
               '<p>' || ?5 || ' ' || k || '</p>', 1700000000 + k,
               CASE WHEN ?6 > 0 AND k % ?6 = 0 THEN ?7 ELSE 'ab' END
        FROM n""", (first, first + n - 1, pid, status_every, body, ip_every, "cd" * 32))
    conn.commit()
    conn.close()


def shown(text):
    """The numbers of the comments on the page ("... K" in their text), in order."""
    return [int(k) for k in re.findall(r"<p>\w+ [\w ]*?(\d+)</p>", text)]


def every_page(c, path):
    """The numbers of every comment the search finds, page after page, and the first page."""
    first = c.get(path)
    assert first.status == 200, first.status
    found, res, page = shown(first.text), first, 1
    while 'rel="next"' in res.text:
        page += 1
        res = c.get("%s&page=%d" % (path, page))
        assert res.status == 200
        found += shown(res.text)
    return found, first.text


def test_more_matches_than_the_bound_says_so_and_shows_the_newest():
    with admin_site() as s:
        slug = s.add_post(title="Marigolds", body="Body.")
        other = s.add_post(title="Elsewhere", body="Body.")
        add_comments(s, slug, 400, "marigold note", status_every=3, ip_every=7)
        add_comments(s, other, 300, "marigold note", first=401, status_every=3, ip_every=7)
        c = logged_in(s)
        found, first = every_page(c, "/admin/comments?status=all&q=marigold")
        assert CUT in first, first[:3000]
        # The newest 500 (201 to 700), newest first, each once, 20 pages of 25.
        assert found == list(range(700, 200, -1)), found[:40]
        # The other filters apply within them.
        found, text = every_page(c, "/admin/comments?status=approved&q=marigold")
        assert CUT in text
        assert found == [k for k in range(700, 200, -1) if k % 3 == 0], found[:40]
        found, text = every_page(c, "/admin/comments?status=all&q=marigold&post=" + slug)
        assert CUT in text
        assert found == list(range(400, 200, -1)), found[:40]
        found, _ = every_page(c, "/admin/comments?status=all&q=marigold&address=" + "cd" * 32)
        assert found == [k for k in range(700, 200, -1) if k % 7 == 0], found[:40]
        found, _ = every_page(c, "/admin/comments?status=all&q=marigold&email=READER650"
                              "@example.org")
        assert found == [650], found
        # An older one is past the bound, and the page says why it is missing.
        res = c.get("/admin/comments?status=all&q=marigold&email=reader7@example.org")
        assert res.status == 200 and shown(res.text) == [] and CUT in res.text
        # Words fewer comments hold are searched in full, the cut not said.
        add_comments(s, other, 3, "zinnia note", first=701)
        found, text = every_page(c, "/admin/comments?status=all&q=zinnia")
        assert found == [703, 702, 701] and CUT not in text, found
        found, text = every_page(c, "/admin/comments?status=all&q=marigold+201")
        assert found == [201] and CUT not in text, found


def test_fewer_matches_are_complete_and_nothing_said():
    with admin_site() as s:
        slug = s.add_post(title="Asters", body="Body.")
        other = s.add_post(title="Elsewhere", body="Body.")
        add_comments(s, slug, 300, "aster note", status_every=2)
        add_comments(s, other, 200, "aster note", first=301, status_every=2)
        add_comments(s, other, 100, "other words", first=501)
        c = logged_in(s)
        found, first = every_page(c, "/admin/comments?status=all&q=aster")
        assert "comments hold these words" not in first
        assert found == list(range(500, 0, -1)), found[:40]
        found, text = every_page(c, "/admin/comments?status=pending&q=aster&post=" + other)
        assert "comments hold these words" not in text
        assert found == [k for k in range(500, 300, -1) if k % 2], found[:40]


if __name__ == "__main__":
    run_tests(globals())

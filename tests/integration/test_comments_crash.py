"""test_comments_crash.py: every acknowledged comment survives kill -9, and concurrent posters all get
through: none lost, none stored twice, the per-address limit held (the committer's shared transactions)."""

import re
import threading
import time

from harness import Site, run_tests

FAST = {"min_form_seconds": "0", "comments_per_minute": "10000"}


def acknowledged_id(res):
    if res is None or res.status != 303:
        return None
    m = re.search(r"#comment-(\d+)$", res.headers.get("location", ""))
    return int(m.group(1)) if m else None


def test_kill_9_loses_no_acknowledged_comment():
    with Site(conf=FAST, workers=2) as s:
        slug = s.add_post(title="Crash")
        threads, per_thread = 4, 10
        acked, lock = [], threading.Lock()
        started = threading.Event()
        failures = []

        def poster(n):
            """Post until per_thread comments are acknowledged (bounded in time):
            requests that meet the dead responder fail and are tried again."""
            c = s.client()
            form = None
            done, i = 0, 0
            deadline = time.monotonic() + 40
            while done < per_thread and time.monotonic() < deadline:
                i += 1
                try:
                    if form is None:
                        form = c.form("/posts/" + slug)
                        if form.page.status != 200:
                            form = None
                            time.sleep(0.05)
                            continue
                    res = form.submit({"author": "Poster %d" % n, "comment": "burst %d.%d" % (n, i)})
                except (OSError, AssertionError) as e:   # the responder is down for a moment
                    failures.append(repr(e))
                    form = None
                    time.sleep(0.05)
                    continue
                cid = acknowledged_id(res)
                if cid is None:
                    # It may have been stored before the kill: its token is spent.
                    form = None
                    time.sleep(0.05)
                    continue
                done += 1
                form = None                 # a form's token is good for one comment
                with lock:
                    acked.append(cid)
                    if len(acked) >= 8:
                        started.set()

        workers = [threading.Thread(target=poster, args=(n,)) for n in range(threads)]
        for w in workers:
            w.start()
        assert started.wait(60), "no comments acknowledged before the kill"
        with lock:
            before_kill = len(acked)
        s.restart_blog()                      # kill -9 mid-burst, then start again
        for w in workers:
            w.join(120)
        assert before_kill < threads * per_thread, "the burst was over before the kill"
        assert len(acked) > before_kill, "nothing acknowledged after the restart"
        assert not any(w.is_alive() for w in workers)
        # The restarted responder takes comments again.
        res = s.client().form("/posts/" + slug).submit({"author": "After", "comment": "still here"})
        assert acknowledged_id(res) is not None, res.status
        acked.append(acknowledged_id(res))

        conn = s.db()
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {r[0] for r in conn.execute("SELECT id FROM comments")}
            statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM comments")}
        finally:
            conn.close()
        missing = sorted(set(acked) - stored)
        assert not missing, "acknowledged but lost: %r" % missing
        assert len(acked) >= 9, (len(acked), failures[:3])
        assert statuses == {"pending"}, statuses


def test_concurrent_posters_all_get_through():
    with Site(conf=FAST, workers=4) as s:
        slug = s.add_post(title="Crowd")
        n = 16
        forms = [s.client().form("/posts/" + slug) for _ in range(n)]
        barrier = threading.Barrier(n)
        results = [None] * n

        def poster(i):
            barrier.wait(30)
            results[i] = forms[i].submit({"author": "Crowd %d" % i, "comment": "at once %d" % i})

        workers = [threading.Thread(target=poster, args=(i,)) for i in range(n)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        statuses = [r.status if r else None for r in results]
        assert statuses == [303] * n, statuses
        ids = {acknowledged_id(r) for r in results}
        conn = s.db()
        try:
            stored = {r[0] for r in conn.execute("SELECT id FROM comments")}
        finally:
            conn.close()
        assert len(ids) == n and ids <= stored, (ids, stored)


def at_once(n, fn):
    """fn(i) for i in range(n), each on its own thread, released together; their results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait(30)
        results[i] = fn(i)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not any(w.is_alive() for w in workers), "a poster hung"
    return results


def test_concurrent_replays_store_each_comment_once():
    with Site(conf=FAST, workers=4) as s:
        slug = s.add_post(title="Twice")
        n = 8
        forms = [s.client().form("/posts/" + slug) for _ in range(n)]
        # Each form is sent twice at the same moment (a double click): 16 posts, 8 comments.
        results = at_once(2 * n, lambda i: forms[i % n].submit(
            {"author": "Twin %d" % (i % n), "comment": "said once %d" % (i % n)}))
        statuses = [r.status for r in results]
        assert statuses == [303] * (2 * n), statuses
        ids = [acknowledged_id(r) for r in results]
        for i in range(n):
            assert ids[i] == ids[i + n], (i, ids)
        conn = s.db()
        try:
            rows = conn.execute("SELECT id, body_md FROM comments ORDER BY id").fetchall()
        finally:
            conn.close()
        assert sorted(ids[:n]) == [r[0] for r in rows], (ids, rows)
        assert sorted(r[1] for r in rows) == sorted("said once %d" % i for i in range(n)), rows


def test_concurrent_posters_from_one_address_meet_the_limit():
    with Site(conf={"min_form_seconds": "0", "comments_per_minute": "5"}, workers=4) as s:
        slug = s.add_post(title="Crowded address")
        n = 12
        forms = [s.client().form("/posts/" + slug) for _ in range(n)]
        results = at_once(n, lambda i: forms[i].submit(
            {"author": "Same %d" % i, "comment": "from one address %d" % i}))
        statuses = sorted(r.status for r in results)
        assert statuses == [303] * 5 + [429] * (n - 5), statuses
        for i, r in enumerate(results):
            if r.status == 429:
                # The refused reader gets their text back, and when to try again.
                assert "from one address %d" % i in r.text, r.text[:400]
                assert int(r.headers.get("retry-after", "0")) >= 1, r.header_list
        conn = s.db()
        try:
            stored = {r[0] for r in conn.execute("SELECT id FROM comments")}
        finally:
            conn.close()
        accepted = {acknowledged_id(r) for r in results if r.status == 303}
        assert len(stored) == 5 and accepted == stored, (accepted, stored)


run_tests(globals())

"""test_soak.py: mixed reads, comments and moderation for a while: no leak,
flat memory and descriptor counts.

Issue 9 "A soak".  Readers (pages, tags, search, feeds), a commenter and a
moderator (approve, reject, spam) run at once against parley-blog and
parley-moderate behind nginx.  The data stays steady: comments go to a fixed
set of posts, and a janitor moves all but the newest KEEP_PER_POST comments
of each post to the trash through the admin, ages the trash so the next
queue page purges it, so the pages and the database stop growing after the
warm-up.  Every few seconds each responder's resident memory and open
descriptors are read from /proc.  After a warm-up (the page cache filling to
page_cache_mb, SQLite's caches, the kept connections nginx opens) the figures
must stay flat: growth beyond the cache's own cap is a leak.  At the end
each responder is stopped with SIGTERM and, in the sanitizer build,
LeakSanitizer must find nothing.

SOAK_SECONDS sets the length (default 25: the suite's short run, under 30 s with start-up);
bench/soak runs it for much longer and prints the same figures.
SOAK_PAGE_CACHE_MB (default 2) is the responders' page_cache_mb: small, so
the cache is full within the warm-up and what grows after it is not the cache.
"""

import os
import random
import re
import signal
import threading
import time

from admin_util import admin_site, logged_in
from harness import crash_report, run_tests
from responder_util import proc_fds, proc_rss_kb

SECONDS = int(os.environ.get("SOAK_SECONDS", "25"))
PAGE_CACHE_MB = int(os.environ.get("SOAK_PAGE_CACHE_MB", "2"))
SAMPLE_EVERY = 2.0
KEEP_PER_POST = 4
JANITOR_EVERY = 2.0
# Keep ASan's quarantine small so freed memory is reused and RSS can be flat.
os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + \
    ":quarantine_size_mb=8:thread_local_quarantine_size_kb=256"


def sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def live_comments(s):
    """(comments not in the trash, comments in all, audit rows): the data's size."""
    conn = s.db()
    try:
        return tuple(conn.execute(q).fetchone()[0] for q in (
            "SELECT count(*) FROM comments WHERE status != 'trash'",
            "SELECT count(*) FROM comments", "SELECT count(*) FROM audit"))
    finally:
        conn.close()


def surplus(s):
    """Ids of every comment past the newest KEEP_PER_POST of its post, trash aside."""
    conn = s.db()
    try:
        return [r[0] for r in conn.execute(
            "SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY post_id ORDER BY id"
            " DESC) AS n FROM comments WHERE status != 'trash') WHERE n > ?",
            (KEEP_PER_POST,))]
    finally:
        conn.close()


def age_trash(s):
    """Make the trash look older than trash_days: the next queue page purges it."""
    conn = s.db()
    try:
        conn.execute("UPDATE comments SET trashed_at = 1 WHERE status = 'trash'")
        conn.commit()
    finally:
        conn.close()


def test_soak():
    with admin_site(conf={"comments_per_minute": "10000", "min_form_seconds": "0",
                          "page_cache_mb": str(PAGE_CACHE_MB)}) as s:
        slugs = [s.add_post(title="Soak post %d" % i, tags=["soak", "t%d" % (i % 3)],
                            body="Words for the search index, number %d.\n\n" % i * 20)
                 for i in range(6)]
        stop = threading.Event()
        errors, counts, lock = [], {"read": 0, "comment": 0, "moderate": 0}, threading.Lock()

        def note(kind, res, ok, what=""):
            with lock:
                counts[kind] += 1
                if res.status not in ok:
                    errors.append((kind, what, res.status))

        def reader(seed):
            rnd, c = random.Random(seed), s.client()
            paths = ["/", "/tags", "/tags/soak", "/feed.atom", "/sitemap.xml",
                     "/search?q=words", "/search?q=number+3", "/no-such-page"] + \
                    ["/posts/" + x for x in slugs] + ["/posts/%s/comments.atom" % x for x in slugs]
            while not stop.is_set():
                p = rnd.choice(paths)
                note("read", c.get(p), (200, 304) if p != "/no-such-page" else (404,), p)

        def commenter():
            rnd, n = random.Random(7), 0
            while not stop.is_set():
                c = s.client()
                slug = rnd.choice(slugs)
                form = c.form("/posts/" + slug)
                n += 1
                res = form.submit({"author": "Soak reader %d" % n, "email": "r%d@example.org" % n,
                                   "comment": "Comment %d with *some* Markdown and a "
                                              "[link](https://example.org/%d)." % (n, n)})
                note("comment", res, (303,))
                time.sleep(0.05)

        def moderator():
            admin = logged_in(s)
            rnd = random.Random(11)
            swept = time.monotonic()
            while not stop.is_set():
                page = admin.get("/admin/")
                note("moderate", page, (200,))
                m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
                ids = re.findall(r'/admin/comments/(\d+)/approve', page.text)
                if m and ids:
                    cid = rnd.choice(ids)
                    action = rnd.choice(["approve", "approve", "reject", "spam"])
                    res = admin.post("/admin/comments/%s/%s" % (cid, action), {"csrf": m.group(1)})
                    note("moderate", res, (303,))
                # The janitor: the trash takes what arrived since, and is purged.
                if m and time.monotonic() - swept >= JANITOR_EVERY:
                    swept = time.monotonic()
                    for cid in surplus(s):
                        res = admin.post("/admin/comments/%d/delete" % cid, {"csrf": m.group(1)})
                        note("moderate", res, (303,))
                    age_trash(s)
                time.sleep(0.1)

        pids = {"parley-blog": s.blog_pid, "parley-moderate": s.moderate_pid}
        sanitized_pids = {name: sanitized(pid) for name, pid in pids.items()}
        samples = {name: [] for name in pids}
        data = []
        threads = [threading.Thread(target=reader, args=(i,)) for i in range(3)]
        threads += [threading.Thread(target=commenter), threading.Thread(target=moderator)]
        start = time.monotonic()
        for t in threads:
            t.start()
        try:
            while time.monotonic() - start < SECONDS:
                time.sleep(SAMPLE_EVERY)
                for name, pid in pids.items():
                    samples[name].append((time.monotonic() - start, proc_rss_kb(pid), proc_fds(pid)))
                data.append((time.monotonic() - start,) + live_comments(s))
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        assert not errors, errors[:5]
        assert counts["read"] > 20 and counts["comment"] > 3 and counts["moderate"] > 3, counts

        print("soak: %ds, %d reads, %d comments, %d moderation requests, page_cache_mb %d" % (
            SECONDS, counts["read"], counts["comment"], counts["moderate"], PAGE_CACHE_MB))
        warm_data = [d for d in data if d[0] >= SECONDS / 3] or data[-1:]
        print("soak: data after warm-up %d live comments (%d rows, %d audit), at the end %d "
              "(%d rows, %d audit)" % (warm_data[0][1:] + data[-1][1:]))
        problems = []
        # Steady data: the live comments stay bounded (the janitor keeps KEEP_PER_POST
        # a post, plus what arrived since its last sweep), and the trash is purged.
        bound = len(slugs) * KEEP_PER_POST + 60
        if max(d[1] for d in warm_data) > bound or data[-1][2] > bound + 60:
            problems.append("the data grew: %r" % data[-5:])
        for name, pid in pids.items():
            rows = samples[name]
            warm = [r for r in rows if r[0] >= SECONDS / 3] or rows[-1:]
            base_rss, end_rss = warm[0][1], rows[-1][1]
            peak_rss = max(r[1] for r in warm)
            fds_warm = max(r[2] for r in rows if r[0] < SECONDS / 2 or r is rows[0])
            fds_late = max(r[2] for r in rows if r[0] >= SECONDS / 2)
            print("soak: %s RSS %d KB after warm-up, %d KB at the end, peak %d KB; "
                  "descriptors %d..%d (first half max %d, second half max %d)" % (
                      name, base_rss, end_rss, peak_rss, min(r[2] for r in rows),
                      max(r[2] for r in rows), fds_warm, fds_late))
            # Flat: growth after the warm-up within a few MB (more for ASan's
            # allocator) and a tenth of the size, plus the page cache's cap in
            # case it was not full yet; descriptors never climbing.
            slack = (24 if sanitized_pids[name] else 8) * 1024 + PAGE_CACHE_MB * 1024
            if end_rss - base_rss > max(slack, base_rss // 10):
                problems.append("%s grew from %d KB to %d KB" % (name, base_rss, end_rss))
            if fds_late > fds_warm + 2:
                problems.append("%s descriptors climbed: %r" % (name, rows))

        # Stop each responder, and let LeakSanitizer have its say at exit
        # (whatever the figures said: a long run reports both).
        for r in (s.blog, s.moderate):
            r.killed.append(r.proc.pid)     # stopped here, on purpose
            r.proc.send_signal(signal.SIGTERM)
            r.proc.wait(60)
            log = open(r.stderr_path, errors="replace").read()
            assert crash_report(log) is None, "%s: %s" % (r.name, crash_report(log))
            assert r.proc.returncode == 0, "%s exited %d:\n%s" % (
                r.name, r.proc.returncode, log[-3000:])
        leaks_checked = any(sanitized_pids.values()) and \
            "detect_leaks=0" not in os.environ.get("ASAN_OPTIONS", "")
        print("soak: LeakSanitizer found nothing at exit" if leaks_checked
              else "soak: no leak check at exit (not a sanitizer build, or detect_leaks=0)")
        assert not problems, problems


run_tests(globals())

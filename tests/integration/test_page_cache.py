"""test_page_cache.py: page_cache_mb bounds what the page cache holds, and a
hit sends the page as rendered, with a fresh token.

With page_cache_mb = 1 and log_level = debug, parley-blog logs the cache's
own accounting after each page it keeps ("page cache: kept N bytes, M of CAP
in use").  After 120 distinct post pages of about 20 KB each (some 2.5 MiB,
ten times what 1 MiB holds, and fewer pages than the cache has slots), the
bytes in use never pass 1 MiB, and more was kept than 1 MiB holds, so it is
the cap that evicted.  The cache's own figure, not the process's memory:
that moves with the allocator and the machine.
"""

import os
import re
import threading

from harness import Site, _chown_tree, run_tests

POSTS = 120
CAP = 1 << 20
LINE = re.compile(r"page cache: kept (\d+) bytes, (\d+) of (\d+) in use")
TOKEN = re.compile(rb'(name="token" value=")([^"]+)"')
# The like button's token is the page's own (kept with it), new when it is rendered again.
LIKE_TOKEN = re.compile(rb'(name="like_token" value=")([^"]+)"')


def write_posts(s, count, paragraphs):
    folder = os.path.join(s.tmp, "posts")
    os.makedirs(folder, exist_ok=True)
    para = " ".join("The beans climbed the fence in row %d." % i for i in range(12))
    for n in range(count):
        with open(os.path.join(folder, "p%03d.md" % n), "w") as f:
            f.write("---\ntitle: Garden note %d\nslug: note-%d\n---\n" % (n, n))
            f.write("\n\n".join(para for _ in range(paragraphs)) + "\n")
    _chown_tree(folder)
    s.cli("import", folder)


def token_and_rest(body, like=False):
    """The comment form's token, and the page without it (nor the like
    button's token, with like)."""
    m = TOKEN.search(body)
    assert m, body[:300]
    rest = TOKEN.sub(rb"\1-", body, count=1)
    return m.group(2), LIKE_TOKEN.sub(rb"\1-", rest) if like else rest


def test_cap_bounds_the_cache():
    with Site(conf={"page_cache_mb": "1", "log_level": "debug"}) as s:
        write_posts(s, POSTS, 40)
        c = s.client()
        for n in range(POSTS):
            res = c.get("/posts/note-%d" % n)
            assert res.status == 200, (n, res.status)
            assert len(res.body) > 15000, len(res.body)
        with open(s.blog.stderr_path, errors="replace") as f:
            found = [tuple(map(int, m.groups())) for m in LINE.finditer(f.read())]
        assert len(found) >= POSTS, (len(found), s.logs())
        assert all(cap == CAP for _, _, cap in found), found[:3]
        kept = sum(k for k, _, _ in found)
        assert kept > 2 * CAP, kept
        in_use = max(u for _, u, _ in found)
        assert in_use <= CAP, (in_use, found[-5:])
        # Still a cache: the page just fetched comes from it (no new line).
        before = len(found)
        assert c.get("/posts/note-%d" % (POSTS - 1)).status == 200
        with open(s.blog.stderr_path, errors="replace") as f:
            assert len(LINE.findall(f.read())) == before


def test_hit_sends_the_rendered_page_with_a_fresh_token():
    """The first GET renders the page; the next ones come from the cache,
    sent from its memory: each the same bytes but for a token of its own,
    Content-Length their count, and HEAD the same length without a body."""
    with Site() as s:
        write_posts(s, 1, 400)
        c = s.client()
        pages = [c.get("/posts/note-0") for _ in range(4)]
        assert all(p.status == 200 for p in pages), pages
        tokens, rests = zip(*(token_and_rest(p.body) for p in pages))
        assert len(pages[0].body) > 150000, len(pages[0].body)
        assert len(set(tokens)) == len(tokens), tokens
        assert len(set(rests)) == 1
        for p in pages:
            assert int(p.headers["content-length"]) == len(p.body), p.headers
        head = c.head("/posts/note-0")
        assert head.status == 200 and head.body == b"", head
        assert int(head.headers["content-length"]) == len(pages[1].body), head.headers


def test_hits_while_pages_are_pushed_out():
    """Readers of cached pages while other pages push them out of a 1 MiB
    cache, four workers at once: every answer whole and right, and no
    worker reads an entry after it is gone (the ASan build stops on that)."""
    with Site(conf={"page_cache_mb": "1"}, workers=4) as s:
        write_posts(s, 24, 160)
        want = {}
        for n in range(24):
            res = s.client().get("/posts/note-%d" % n)
            assert res.status == 200, res
            want[n] = token_and_rest(res.body, like=True)[1]
        errors = []

        def reader(k):
            c = s.client()
            for i in range(40):
                n = (k * 7 + i * (k + 1)) % 24
                res = c.get("/posts/note-%d" % n)
                if res.status != 200 or token_and_rest(res.body, like=True)[1] != want[n]:
                    errors.append((k, i, n, res.status, len(res.body)))

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:5]
        assert s.blog.proc.poll() is None, s.logs()


if __name__ == "__main__":
    run_tests(globals())

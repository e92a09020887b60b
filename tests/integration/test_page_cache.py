"""test_page_cache.py: page_cache_mb bounds what the page cache holds.

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

from harness import Site, _chown_tree, run_tests

POSTS = 120
CAP = 1 << 20
LINE = re.compile(r"page cache: kept (\d+) bytes, (\d+) of (\d+) in use")


def test_cap_bounds_the_cache():
    with Site(conf={"page_cache_mb": "1", "log_level": "debug"}) as s:
        folder = os.path.join(s.tmp, "posts")
        os.makedirs(folder)
        para = " ".join("The beans climbed the fence in row %d." % i for i in range(12))
        for n in range(POSTS):
            with open(os.path.join(folder, "p%03d.md" % n), "w") as f:
                f.write("---\ntitle: Garden note %d\nslug: note-%d\n---\n" % (n, n))
                f.write("\n\n".join(para for _ in range(40)) + "\n")
        _chown_tree(folder)
        s.cli("import", folder)
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


if __name__ == "__main__":
    run_tests(globals())

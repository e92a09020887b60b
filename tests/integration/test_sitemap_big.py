"""test_sitemap_big.py: past 50,000 URLs /sitemap.xml is a sitemap index.

A site of 50,001 posts is written straight through SQLite by bench/gen-site
(seconds, not the CLI's hours); the index and every file it lists must parse
as XML, hold the posts of 5,000 ids each (a file small enough for the page
cache), and list every published post exactly once and no draft.
"""

import os
import sqlite3
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET

from harness import Site, run_tests

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
POSTS = 50001
FILE_POSTS = 5000
DRAFTS = (7, 20000, 30001)


def gen(site, posts):
    subprocess.run([sys.executable, os.path.join(site.source_dir, "bench", "gen-site"),
                    "--posts", str(posts), "--comments", "0", "--likes", "0", site.db_path],
                   check=True, stdout=subprocess.DEVNULL)


def test_index_past_50000():
    with Site() as site:
        gen(site, POSTS)
        db = sqlite3.connect(site.db_path)
        db.execute("UPDATE posts SET draft = 1 WHERE id IN (%s)" % ",".join(map(str, DRAFTS)))
        db.commit()
        db.close()
        c = site.client()
        res = c.get("/sitemap.xml")
        assert res.status == 200, res.status
        root = ET.fromstring(res.body)
        assert root.tag == SITEMAP + "sitemapindex", root.tag
        files = [s.find(SITEMAP + "loc").text for s in root.findall(SITEMAP + "sitemap")]
        # The front page and tags, then one file for each 5,000 post ids.
        want = ["/sitemap.xml?page=%d" % k for k in range(1, 2 + (POSTS + FILE_POSTS - 1) // FILE_POSTS)]
        assert [f[len(site.base_url):] for f in files] == want, files
        seen, counts = [], []
        for loc in files:
            u = urllib.parse.urlsplit(loc)
            assert loc.startswith(site.base_url), loc
            part = c.get(u.path + "?" + u.query)
            assert part.status == 200, (loc, part.status)
            assert part.headers.get("content-type", "").startswith("application/xml"), loc
            urlset = ET.fromstring(part.body)
            assert urlset.tag == SITEMAP + "urlset", (loc, urlset.tag)
            locs = [x.find(SITEMAP + "loc").text for x in urlset.findall(SITEMAP + "url")]
            assert 0 < len(locs) <= FILE_POSTS, (loc, len(locs))
            counts.append(sum("/posts/" in x for x in locs))
            seen.extend(locs)
        # File k + 1 holds the published posts of ids ((k - 1) * 5,000, k * 5,000].
        want = [0] + [sum(1 for i in range(k * FILE_POSTS + 1, min(POSTS, (k + 1) * FILE_POSTS) + 1)
                          if i not in DRAFTS) for k in range(len(files) - 1)]
        assert counts == want, (counts, want)
        assert want[1] == FILE_POSTS - 1 and want[2] == FILE_POSTS and want[-1] == 1, want
        posts = [x for x in seen if "/posts/" in x]
        assert len(posts) == POSTS - len(DRAFTS), len(posts)
        assert len(set(posts)) == len(posts)
        for d in DRAFTS:
            assert site.base_url + "/posts/post-%d" % d not in posts, d
        assert site.base_url + "/posts/post-1" in posts
        assert site.base_url + "/posts/post-%d" % POSTS in posts
        assert seen.count(site.base_url + "/") == 1, "the front page once"
        assert site.base_url + "/tags/common" in seen
        # Numbers the index does not list are 404, not an empty file or a 500.
        for bad in ("0", "99", "x", "-1"):
            assert c.get("/sitemap.xml?page=" + bad).status == 404, bad


def test_plain_below_50000():
    with Site() as site:
        gen(site, 49000)
        c = site.client()
        root = ET.fromstring(c.get("/sitemap.xml").body)
        assert root.tag == SITEMAP + "urlset", root.tag
        locs = [x.find(SITEMAP + "loc").text for x in root.findall(SITEMAP + "url")]
        assert len(locs) == 49000 + 3, len(locs)   # the front page and the two tags
        assert c.get("/sitemap.xml?page=1").status == 404


if __name__ == "__main__":
    run_tests(globals())

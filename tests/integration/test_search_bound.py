"""test_search_bound.py: a search ranks only the newest 100 matches, and says so.

Sites written straight through SQLite by bench/gen-site: every post holds
"garden", one in 200 "zephyr".
"""

import os
import re
import subprocess
import sys

from harness import Site, run_tests

CUT = "showing the best of the newest 100 matches"


def gen(site, posts, rare_every):
    subprocess.run([sys.executable, os.path.join(site.source_dir, "bench", "gen-site"),
                    "--posts", str(posts), "--comments", "0", "--likes", "0",
                    "--rare-every", str(rare_every),
                    site.db_path], check=True, stdout=subprocess.DEVNULL)


def result_slugs(text):
    return re.findall(r'<h3 class="result-title"><a href="[^"]*/posts/([^"]+)"', text)


def test_common_word_is_cut_and_says_so():
    with Site() as site:
        gen(site, 1200, 200)
        c = site.client()
        res = c.get("/search?q=garden")
        assert res.status == 200, res.status
        assert CUT in res.text, res.text[:3000]
        slugs = result_slugs(res.text)
        assert len(slugs) > 0, res.text[:3000]
        # Ranked among the newest 100 only: posts 1101..1200, ten pages of ten.
        assert all(int(s.split("-")[1]) > 1100 for s in slugs), slugs
        assert c.get("/search?q=garden&page=10").status == 200
        assert c.get("/search?q=garden&page=11").status == 404
        # A rare word is not cut, and every match is found.
        res = c.get("/search?q=zephyr")
        assert res.status == 200
        assert CUT not in res.text
        found = set(result_slugs(res.text))
        page = 2
        while 'rel="next"' in res.text:
            res = c.get("/search?q=zephyr&page=%d" % page)
            found |= set(result_slugs(res.text))
            page += 1
        assert found == {"post-%d" % i for i in range(1, 1201) if i % 200 == 1}, found


def test_small_site_not_cut_and_ranked():
    with Site() as site:
        site.add_post("Garden plans", "Nothing about the subject here.", slug="plans")
        site.add_post("Other", "We dug the garden on Sunday.", slug="other")
        c = site.client()
        res = c.get("/search?q=garden")
        assert CUT not in res.text
        # The title match ranks first (title weighted ten times the body).
        assert result_slugs(res.text)[:2] == ["plans", "other"], result_slugs(res.text)


if __name__ == "__main__":
    run_tests(globals())

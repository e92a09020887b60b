#!/usr/bin/python3
# check_feeds.py: read the Atom feeds and the sitemap with parsers that are not parley's.
#
# Usage: check_feeds.py BASE_URL site.atom comments.atom sitemap.xml
# Prints one line per problem and exits 1 if there is any, 77 when
# python3-feedparser is missing, 0 otherwise.

import sys
import xml.etree.ElementTree as ET

try:
    import feedparser
except ImportError:
    print("python3-feedparser is not installed")
    sys.exit(77)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def check_feed(name, path, base_url, min_entries):
    problems = []
    with open(path, "rb") as f:
        data = f.read()
    d = feedparser.parse(data)
    if d.bozo:
        problems.append("%s: feedparser bozo: %s" % (name, d.bozo_exception))
    if d.version != "atom10":
        problems.append("%s: feedparser reads it as %r, not Atom 1.0" % (name, d.version))
    if not d.feed.get("title"):
        problems.append("%s: the feed has no title" % name)
    if not d.feed.get("id"):
        problems.append("%s: the feed has no id" % name)
    if not d.feed.get("updated"):
        problems.append("%s: the feed has no updated" % name)
    if len(d.entries) < min_entries:
        problems.append("%s: %d entries, expected at least %d"
                % (name, len(d.entries), min_entries))
    for i, e in enumerate(d.entries):
        what = "%s entry %d (%s)" % (name, i + 1, e.get("title", "no title"))
        for key in ("id", "title", "updated", "link"):
            if not e.get(key):
                problems.append("%s: no %s" % (what, key))
        if e.get("link") and not e.link.startswith(base_url):
            problems.append("%s: link %s is not under %s" % (what, e.link, base_url))
        if not e.get("content") and not e.get("summary"):
            problems.append("%s: no content" % what)
    return problems


def check_sitemap(path, base_url, slugs):
    problems = []
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return ["sitemap: not well-formed: %s" % e]
    if root.tag != SITEMAP_NS + "urlset":
        problems.append("sitemap: root element is %s, not a sitemaps.org urlset" % root.tag)
    locs = [u.findtext(SITEMAP_NS + "loc") or "" for u in root.findall(SITEMAP_NS + "url")]
    for loc in locs:
        if not loc.startswith(base_url):
            problems.append("sitemap: <loc>%s</loc> is not under %s" % (loc, base_url))
    for slug in slugs:
        if not any(loc.rstrip("/").endswith("/posts/" + slug) for loc in locs):
            problems.append("sitemap: no <loc> for the post %s" % slug)
    return problems


def main():
    if len(sys.argv) < 5:
        print("usage: check_feeds.py BASE_URL site.atom comments.atom sitemap.xml [SLUG...]")
        return 2
    base_url, site_feed, comment_feed, sitemap = sys.argv[1:5]
    slugs = sys.argv[5:]
    problems = []
    problems += check_feed("feed.atom", site_feed, base_url, 1)
    problems += check_feed("comments.atom", comment_feed, base_url, 1)
    problems += check_sitemap(sitemap, base_url, slugs)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

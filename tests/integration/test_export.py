"""test_export.py: `parley export`, `import-json`, `comments export --email` and `import-disqus`."""

import json
import os
import stat

from harness import Site, run_tests
from wxr_fixtures import item, wp_comment, write, wxr


def seeded(s):
    """A site with a bit of everything an export holds."""
    s.cli("import-wordpress", os.path.join(s.sample_dir, "wordpress.xml"))
    s.add_post(title="Caf\u00e9 notes \u2014 \u65e5\u672c", slug="cafe-notes", tags=["Tea", "\u00c9cole"],
               body="Some *text* with a [link](https://example.org/).", comments="closed")
    s.add_post(title="Not yet", slug="not-yet", draft=True, body="Draft body.")
    s.cli("import-wordpress", write(s, "more.xml", wxr([item(
        900, "more", "<p>more</p>", wp_comment(901, "Trash Person", "gone", "trash",
                                               email="Trash@Example.org")
        + wp_comment(902, "Trash Person", "again", "0", email="trash@example.org", parent=901))])))
    db = s.db()
    db.execute("INSERT INTO likes (post_id, ip_hash, created_at) "
               "SELECT id, 'abc123', 1700000000 FROM posts WHERE slug = 'cafe-notes'")
    db.execute("INSERT INTO settings (key, value) VALUES ('rule.max_links', '3')")
    db.execute("INSERT INTO blocks (kind, value, created_at) VALUES ('email', 'trash@example.org', 1)")
    db.execute("INSERT INTO subscribers (email, created_at, confirmed_at) "
               "VALUES ('trash@example.org', 1700000000, 1700000100), ('new@example.org', 1700000200, NULL)")
    db.execute("INSERT INTO subscriptions (subscriber_id, kind, post_id, created_at) "
               "SELECT u.id, 'comments', p.id, 1700000300 FROM subscribers u, posts p "
               "WHERE u.email = 'trash@example.org' AND p.slug = 'more'")
    db.execute("INSERT INTO subscriptions (subscriber_id, kind, post_id, created_at) "
               "SELECT id, 'posts', NULL, 1700000400 FROM subscribers")
    db.commit()
    db.close()
    s.cli("user", "add", "alice", input="a long enough passphrase\n")


def test_round_trip_is_identical():
    with Site() as s:
        seeded(s)
        first = os.path.join(s.tmp, "first.json")
        s.cli("export", first)
        assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
        with open(first, "rb") as f:
            data = f.read()
        doc = json.loads(data)
        assert doc["format"] == "parley-export" and doc["version"] == 1
        for section in ("tags", "posts", "comments", "post_origins", "comment_origins", "comment_spam",
                        "rules", "blocks", "subscribers", "likes"):
            assert section in doc, section
        assert len(doc["posts"]) == 5 and len(doc["comments"]) == 12, (len(doc["posts"]), len(doc["comments"]))
        post = [p for p in doc["posts"] if p["slug"] == "cafe-notes"][0]
        assert post["title"] == "Caf\u00e9 notes \u2014 \u65e5\u672c" and post["comments"] == "closed"
        assert post["tags"] == ["ecole", "tea"] and post["body"].startswith("Some *text*")
        statuses = {c["status"] for c in doc["comments"]}
        assert statuses == {"approved", "pending", "spam", "trash"}, statuses
        assert any(c["parent"] for c in doc["comments"])
        subs = {u["email"]: u for u in doc["subscribers"]}
        assert subs["new@example.org"]["confirmed"] is None
        assert subs["trash@example.org"]["follows"] == [
            {"kind": "comments", "post": "more", "date": "2023-11-14T22:18:20Z"},
            {"kind": "posts", "post": None, "date": "2023-11-14T22:20:00Z"}], subs
        # Never secrets, sessions or password hashes.
        db = s.db()
        secret = db.execute("SELECT value FROM settings WHERE key = 'secret'").fetchone()[0]
        pwhash = db.execute("SELECT pwhash FROM users").fetchone()[0]
        db.close()
        text = data.decode("utf-8")
        assert secret not in text and pwhash not in text and "$argon2" not in text
        assert "alice" not in text and '"secret"' not in text

        with Site() as t:
            res = t.cli("import-json", write(t, "in.json", data))
            assert "posts: 5" in res.stdout and "comments: 12" in res.stdout, res.stdout
            second = os.path.join(t.tmp, "second.json")
            t.cli("export", second)
            with open(second, "rb") as f:
                again = f.read()
            assert sorted(again.splitlines()) == sorted(data.splitlines())
            assert again == data
            # The site works from the imported database.
            page = t.client().get("/posts/good-handover-note")
            assert page.status == 200 and "payable in biscuits" in page.text
            assert t.client().get("/2024/02/good-handover-note/").status == 301
            assert "1 reader" in t.client().get("/posts/cafe-notes").text
            # Into a database that is not empty: refused.
            res = t.cli("import-json", write(t, "in.json", data), check=False)
            assert res.returncode == 1 and "empty" in res.stderr, res.stderr


def test_bad_json_imports_nothing():
    with Site() as s:
        seeded(s)
        path = os.path.join(s.tmp, "good.json")
        s.cli("export", path)
        with open(path) as f:
            good = f.read()
        doc = json.loads(good)
        missing_title = json.loads(good)
        del missing_title["posts"][1]["title"]
        missing_section = json.loads(good)
        del missing_section["likes"]
        newer = json.loads(good)
        newer["version"] = 2
        bad_date = json.loads(good)
        bad_date["comments"][0]["date"] = "yesterday"
        orphan = json.loads(good)
        orphan["comments"][0]["post"] = "no-such-post"
        cases = {
            "malformed.json": good[:len(good) // 2],
            "empty.json": "",
            "array.json": "[]",
            "other.json": '{"format": "something-else", "version": 1}',
            "newer.json": json.dumps(newer),
            "title.json": json.dumps(missing_title),
            "section.json": json.dumps(missing_section),
            "date.json": json.dumps(bad_date),
            "orphan.json": json.dumps(orphan),
            "dup.json": good.replace('"version":1', '"version":1,"version":1', 1),
        }
        with Site() as t:
            for name, text in cases.items():
                res = t.cli("import-json", write(t, name, text), check=False)
                assert res.returncode == 1, (name, res.returncode, res.stdout, res.stderr)
                lines = res.stderr.strip().split("\n")
                assert len(lines) == 1 and lines[0].startswith("parley:"), (name, res.stderr)
                db = t.db()
                assert db.execute("SELECT count(*) FROM posts").fetchone()[0] == 0, name
                assert db.execute("SELECT count(*) FROM tags").fetchone()[0] == 0, name
                db.close()
            err = t.cli("import-json", write(t, "n.json", cases["newer.json"]), check=False).stderr
            assert "version 2" in err, err
            err = t.cli("import-json", write(t, "t.json", cases["title.json"]), check=False).stderr
            assert "posts[1] has no field 'title'" in err, err
        assert doc  # the good export itself imports (test_round_trip_is_identical)


def test_commenter_data_on_request():
    with Site() as s:
        seeded(s)
        res = s.cli("comments", "export", "--email", "TRASH@example.org")
        doc = json.loads(res.stdout)
        assert [c["body"] for c in doc["comments"]] == ["gone", "again"], doc["comments"]
        assert {c["email"].lower() for c in doc["comments"]} == {"trash@example.org"}
        assert len(doc["subscriptions"]) == 2, doc
        none = json.loads(s.cli("comments", "export", "--email", "nobody@example.org").stdout)
        assert none["comments"] == [] and none["subscriptions"] == []
        assert s.cli("comments", "export", check=False).returncode == 2


DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<category dsq:id="1"><forum>oldblog</forum><title>General</title></category>
<thread dsq:id="10"><id>41 https://nightshift.example.org/?p=41</id><forum>oldblog</forum>
 <link>https://nightshift.example.org/2024/02/good-handover-note/</link><title>Handover</title></thread>
<thread dsq:id="11"><id>cafe</id><link>https://blog.example.org/posts/cafe-notes</link><title>Cafe</title></thread>
<thread dsq:id="12"><id>gone</id><link>https://elsewhere.example/never-here/</link><title>Gone</title></thread>
<post dsq:id="100"><message><![CDATA[<p>Reply before its parent &amp; fine</p>]]></message>
 <createdAt>2023-05-02T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
 <author><email>zed@example.org</email><name>Zed</name></author><ipAddress>198.51.100.9</ipAddress>
 <thread dsq:id="10"/><parent dsq:id="101"/></post>
<post dsq:id="101"><message><![CDATA[<p>The parent</p>]]></message>
 <createdAt>2023-05-01T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
 <author><email>yan@example.org</email><name>Y\u00e1n</name></author><ipAddress>198.51.100.10</ipAddress>
 <thread dsq:id="10"/></post>
<post dsq:id="102"><message><![CDATA[Buy now]]></message><createdAt>2023-05-03T10:00:00Z</createdAt>
 <isDeleted>false</isDeleted><isSpam>true</isSpam><author><name>Spammer</name></author><thread dsq:id="11"/></post>
<post dsq:id="103"><message><![CDATA[Removed]]></message><createdAt>2023-05-04T10:00:00Z</createdAt>
 <isDeleted>true</isDeleted><isSpam>false</isSpam><author><name>Del</name></author><thread dsq:id="11"/></post>
<post dsq:id="104"><message><![CDATA[Lost]]></message><createdAt>2023-05-04T10:00:00Z</createdAt>
 <author><name>Lost</name></author><thread dsq:id="12"/></post>
</disqus>
"""


def test_disqus_import():
    with Site() as s:
        seeded(s)
        path = write(s, "disqus.xml", DISQUS)
        res = s.cli("import-disqus", path)
        assert "threads: 2 matched to posts, 1 without a post here" in res.stdout, res.stdout
        assert "comments: 4 new, 0 updated (2 approved, 1 spam, 1 trash)" in res.stdout, res.stdout
        assert "comments on threads without a post: 1" in res.stdout, res.stdout
        db = s.db()
        rows = {r[0]: r[1:] for r in db.execute(
            "SELECT c.author, c.status, p.slug, c.parent_id, c.created_at FROM comments c "
            "JOIN posts p ON p.id = c.post_id WHERE c.id IN "
            "(SELECT comment_id FROM comment_origins WHERE source = 'disqus')")}
        assert rows["Zed"][:2] == ("approved", "good-handover-note"), rows
        parent = db.execute("SELECT id FROM comments WHERE author = 'Y\u00e1n'").fetchone()[0]
        assert rows["Zed"][2] == parent, rows
        assert rows["Spammer"][:2] == ("spam", "cafe-notes") and rows["Del"][0] == "trash"
        assert rows["Y\u00e1n"][3] == 1682935200
        assert "198.51.100" not in "\n".join(db.iterdump())
        db.close()
        assert "Reply before its parent &amp; fine" in s.client().get("/posts/good-handover-note").text
        res = s.cli("import-disqus", path)
        assert "comments: 0 new, 4 updated" in res.stdout, res.stdout
        # Bad files: one line, exit 1, nothing imported.
        before = s.db().execute("SELECT count(*) FROM comments").fetchone()[0]
        for name, text in {"wxr.xml": wxr([item(1, "x", "y")]), "trunc.xml": DISQUS[:-200],
                           "html.xml": "<html/>", "empty.xml": ""}.items():
            res = s.cli("import-disqus", write(s, name, text), check=False)
            assert res.returncode == 1 and len(res.stderr.strip().split("\n")) == 1, (name, res.stderr)
            assert "nothing imported" in res.stderr, (name, res.stderr)
        assert s.db().execute("SELECT count(*) FROM comments").fetchone()[0] == before


def test_disqus_bad_input_imports_nothing():
    """Each bad file on a site where the good one would import comments: one line, exit 1,
    no comment at all (one transaction: the posts before the damage are undone too)."""
    from test_cli import Tmp, post_file
    with Tmp() as t:
        t.init()
        for slug in ("good-handover-note", "cafe-notes"):
            t.ok("post", "add", t.write(slug + ".md", post_file("P", slug=slug)))
        secret = t.write("secret.txt", "TOPSECRET-XXE")
        root = '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        body = DISQUS.split(root, 1)[1]
        laughs = ('<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY lol "lol">'
                  + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10)
                            for i in range(1, 10)) + ']>' + root
                  + body.replace("<title>Cafe</title>", "<title>&lol9;</title>"))
        xxe = ('<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY x SYSTEM "file://%s">]>' % secret
               + root + body.replace("Buy now", "&x;"))
        cases = {
            # The good threads and the first posts come before the damage.
            "truncated.xml": (DISQUS[:DISQUS.index('<post dsq:id="103">') + 40], "truncated"),
            "mismatch.xml": (DISQUS.replace("</disqus>", "<post></disqus>"), "line"),
            "laughs.xml": (laughs, "DTD"),
            "xxe.xml": (xxe, "DTD"),
            "wxr.xml": (wxr([item(1, "x", "y")]), "not a Disqus export"),
            "other-ns.xml": (DISQUS.replace('xmlns="http://disqus.com"', 'xmlns="http://example.org/"'),
                             "not a Disqus export"),
            "html.xml": ("<html><body>hi</body></html>", "not a Disqus export"),
            "text.xml": ("just words", "line"),
            "binary.xml": (b"\x00\x01\x02<disqus>", "line"),
            "empty.xml": ("", "the file is empty"),
            "cut-in-a-tag.xml": (DISQUS[:DISQUS.index("Buy now")], "truncated"),
            "extra.xml": (DISQUS + "<disqus/>", "Extra content"),
        }
        for name, (text, why) in cases.items():
            res = t.run("import-disqus", t.write(name, text))
            assert res.returncode == 1, (name, res.returncode, res.stdout, res.stderr)
            lines = res.stderr.strip().split("\n")
            assert len(lines) == 1 and lines[0].startswith("parley: "), (name, res.stderr)
            assert "nothing imported" in lines[0] and why in lines[0], (name, why, lines[0])
            assert t.query("SELECT count(*) FROM comments") == [(0,)], name
            assert t.query("SELECT count(*) FROM comment_origins") == [(0,)], name
        assert "TOPSECRET" not in "\n".join(__import__("sqlite3").connect(t.db).iterdump())
        # The good file itself imports on this database: the cases above failed for their damage.
        res = t.ok("import-disqus", t.write("good.xml", DISQUS))
        assert "comments: 4 new" in res.stdout, res.stdout


run_tests(globals())

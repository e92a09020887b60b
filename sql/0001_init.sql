-- 0001_init.sql: the first schema: posts, tags, search, comments, users,
-- sessions, moderation rules, audit log and the bookkeeping the engine needs.

-- Site-wide values made once: the signing secret (32 random bytes from
-- libsodium, hex), moderation rules ('rule.*').
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- One row whose generation moves on every change a public page can show:
-- the ETag of every page derives from it, so a 304 costs one lookup.
CREATE TABLE site_state (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	generation  INTEGER NOT NULL,
	modified_at INTEGER NOT NULL
);
INSERT INTO site_state VALUES (1, 1, CAST(strftime('%s', 'now') AS INTEGER));

CREATE TABLE posts (
	id             INTEGER PRIMARY KEY,
	slug           TEXT NOT NULL UNIQUE,
	title          TEXT NOT NULL,
	author         TEXT NOT NULL DEFAULT '',
	published_at   INTEGER NOT NULL,            -- unix seconds, UTC
	updated_at     INTEGER NOT NULL,
	draft          INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
	comments_open  INTEGER NOT NULL DEFAULT 1 CHECK (comments_open IN (0, 1)),
	body_md        TEXT NOT NULL,               -- as written
	body_html      TEXT NOT NULL,               -- rendered once, when written
	body_text      TEXT NOT NULL,               -- plain text, for search and summaries
	comment_count  INTEGER NOT NULL DEFAULT 0   -- approved comments, kept by triggers
);
-- Keyset pagination of the index: (published_at, id) below the last one shown.
CREATE INDEX posts_published ON posts (draft, published_at DESC, id DESC);

CREATE TABLE tags (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	slug TEXT NOT NULL UNIQUE
);

CREATE TABLE post_tags (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	PRIMARY KEY (post_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX post_tags_tag ON post_tags (tag_id, post_id);

-- Full-text search over published and draft posts alike (queries filter
-- drafts out); external content, so the text is stored once.
CREATE VIRTUAL TABLE posts_fts USING fts5 (
	title, body_text,
	content = 'posts', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
	INSERT INTO posts_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
	INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
		VALUES ('delete', old.id, old.title, old.body_text);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, body_text ON posts BEGIN
	INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
		VALUES ('delete', old.id, old.title, old.body_text);
	INSERT INTO posts_fts (rowid, title, body_text) VALUES (new.id, new.title, new.body_text);
END;

CREATE TABLE comments (
	id          INTEGER PRIMARY KEY,
	post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	parent_id   INTEGER REFERENCES comments (id) ON DELETE SET NULL,
	status      TEXT NOT NULL DEFAULT 'pending'
	            CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
	author      TEXT NOT NULL,
	email       TEXT NOT NULL DEFAULT '',       -- never shown publicly
	url         TEXT NOT NULL DEFAULT '',
	body_md     TEXT NOT NULL,
	body_html   TEXT NOT NULL,                  -- cmark, safe mode, rendered once
	created_at  INTEGER NOT NULL,
	ip_hash     TEXT NOT NULL DEFAULT '',       -- keyed BLAKE2b of the address, hex; never the address
	spam_reason TEXT NOT NULL DEFAULT ''        -- why the engine filed it as spam
);
CREATE INDEX comments_post ON comments (post_id, status, created_at, id);
CREATE INDEX comments_status ON comments (status, created_at, id);
CREATE INDEX comments_ip ON comments (ip_hash, created_at);
CREATE INDEX comments_email ON comments (email) WHERE email <> '';
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- posts.comment_count follows the approved comments.
CREATE TRIGGER comments_count_insert AFTER INSERT ON comments
WHEN new.status = 'approved' BEGIN
	UPDATE posts SET comment_count = comment_count + 1 WHERE id = new.post_id;
END;
CREATE TRIGGER comments_count_delete AFTER DELETE ON comments
WHEN old.status = 'approved' BEGIN
	UPDATE posts SET comment_count = comment_count - 1 WHERE id = old.post_id;
END;
CREATE TRIGGER comments_count_update AFTER UPDATE OF status ON comments
WHEN (old.status = 'approved') <> (new.status = 'approved') BEGIN
	UPDATE posts SET comment_count = comment_count +
		(CASE WHEN new.status = 'approved' THEN 1 ELSE -1 END)
		WHERE id = new.post_id;
END;

-- Every change a reader can see moves the generation.
CREATE TRIGGER gen_posts_insert AFTER INSERT ON posts BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_posts_update AFTER UPDATE ON posts BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_posts_delete AFTER DELETE ON posts BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_comments_insert AFTER INSERT ON comments BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_comments_update AFTER UPDATE ON comments BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_comments_delete AFTER DELETE ON comments BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_post_tags_insert AFTER INSERT ON post_tags BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_post_tags_delete AFTER DELETE ON post_tags BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;

CREATE TABLE users (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	pwhash     TEXT NOT NULL,                   -- crypto_pwhash_str (Argon2id)
	created_at INTEGER NOT NULL
);

-- Admin sessions: the cookie holds 32 random bytes; only their BLAKE2b
-- hash is stored here.
CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,            -- hex
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,                   -- per-session form secret, hex
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	ip_hash    TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Who did what to which comment, and when.
CREATE TABLE audit (
	id         INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,
	user_name  TEXT NOT NULL,                   -- kept if the user is deleted
	action     TEXT NOT NULL,
	comment_id INTEGER,
	detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at DESC, id DESC);

-- Events counted for rate limits: comment posts per address, login
-- failures per user and per address.  Old rows are pruned as they age out.
CREATE TABLE rate_events (
	bucket TEXT NOT NULL,                       -- e.g. 'comment:' || ip_hash
	at     INTEGER NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events (bucket, at);

-- Addresses (ip hash) and emails whose comments go straight to spam.
CREATE TABLE blocks (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL CHECK (kind IN ('ip', 'email')),
	value      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (kind, value)
);

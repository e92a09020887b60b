-- 0002_comments_trash.sql: comments may be in 'trash' (delete moves them
-- there; restore brings back the status they had), the site's author
-- answers readers (by_author), edits are dated, the audit log keeps the
-- status before each action, and admins search comments (FTS5).

-- SQLite cannot change a CHECK constraint in place: the comments table is
-- rebuilt with 'trash' allowed (db_migrate runs with foreign keys off and
-- checks them before committing), then its indexes and triggers come back.
-- A later migration that rebuilds comments again must recreate every
-- trigger on it (tests/unit/test_migrations.c checks that none is lost).
CREATE TABLE comments_new (
	id           INTEGER PRIMARY KEY,
	post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	parent_id    INTEGER REFERENCES comments_new (id) ON DELETE SET NULL,
	status       TEXT NOT NULL DEFAULT 'pending'
	             CHECK (status IN ('pending', 'approved', 'rejected', 'spam', 'trash')),
	author       TEXT NOT NULL,
	email        TEXT NOT NULL DEFAULT '',       -- never shown publicly
	url          TEXT NOT NULL DEFAULT '',
	body_md      TEXT NOT NULL,
	body_html    TEXT NOT NULL,                  -- cmark, safe mode, rendered once
	created_at   INTEGER NOT NULL,
	ip_hash      TEXT NOT NULL DEFAULT '',       -- keyed BLAKE2b of the address, hex; never the address
	spam_reason  TEXT NOT NULL DEFAULT '',       -- why the engine filed it as spam
	by_author    INTEGER NOT NULL DEFAULT 0 CHECK (by_author IN (0, 1)), -- the site's author answered
	edited_at    INTEGER,                        -- last edit, NULL when never edited
	trashed_from TEXT                            -- status before trash, NULL unless in trash
	             CHECK (trashed_from IS NULL OR trashed_from IN ('pending', 'approved', 'rejected', 'spam')),
	trashed_at   INTEGER                         -- when it went to trash (purged after trash_days)
);
INSERT INTO comments_new (id, post_id, parent_id, status, author, email, url, body_md,
	body_html, created_at, ip_hash, spam_reason)
	SELECT id, post_id, parent_id, status, author, email, url, body_md, body_html,
	created_at, ip_hash, spam_reason FROM comments;
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;

CREATE INDEX comments_post ON comments (post_id, status, created_at, id);
CREATE INDEX comments_status ON comments (status, created_at, id);
CREATE INDEX comments_ip ON comments (ip_hash, created_at);
CREATE INDEX comments_email ON comments (email) WHERE email <> '';
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_trashed ON comments (trashed_at) WHERE status = 'trash';

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

-- Admins find comments by words of the text or the name.  External
-- content: the text is stored once, in comments.
CREATE VIRTUAL TABLE comments_fts USING fts5 (
	author, body_md,
	content = 'comments', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO comments_fts (comments_fts) VALUES ('rebuild');
CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
	INSERT INTO comments_fts (rowid, author, body_md) VALUES (new.id, new.author, new.body_md);
END;
CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
	INSERT INTO comments_fts (comments_fts, rowid, author, body_md)
		VALUES ('delete', old.id, old.author, old.body_md);
END;
CREATE TRIGGER comments_fts_update AFTER UPDATE OF author, body_md ON comments BEGIN
	INSERT INTO comments_fts (comments_fts, rowid, author, body_md)
		VALUES ('delete', old.id, old.author, old.body_md);
	INSERT INTO comments_fts (rowid, author, body_md) VALUES (new.id, new.author, new.body_md);
END;

-- The status a comment had before each action, so the log says what Undo restores.
ALTER TABLE audit ADD COLUMN status_before TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_comment ON audit (comment_id) WHERE comment_id IS NOT NULL;

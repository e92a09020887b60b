-- 0004_mail.sql: mail: readers' subscriptions, the events that cause mail
-- (written in the same transaction as the change), and the outgoing queue.

-- One row per address that asked for mail.  An address gets nothing but
-- one confirmation mail until its owner confirms through the mailed link.
CREATE TABLE subscribers (
	id              INTEGER PRIMARY KEY,
	email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
	created_at      INTEGER NOT NULL,
	confirmed_at    INTEGER,                    -- NULL until confirmed
	confirm_sent_at INTEGER                     -- the last confirmation mail (its rate limit)
);

-- What a subscriber follows: the comments of one post, or new posts.
CREATE TABLE subscriptions (
	id            INTEGER PRIMARY KEY,
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	kind          TEXT NOT NULL CHECK (kind IN ('comments', 'posts')),
	post_id       INTEGER REFERENCES posts (id) ON DELETE CASCADE,
	created_at    INTEGER NOT NULL,
	CHECK ((kind = 'comments') = (post_id IS NOT NULL))
);
CREATE UNIQUE INDEX subscriptions_one ON subscriptions (subscriber_id, kind, coalesce(post_id, 0));
CREATE INDEX subscriptions_post ON subscriptions (post_id) WHERE post_id IS NOT NULL;

-- Things that happened and may cause mail.  The mail worker turns each into
-- messages (or nothing) and marks it done.  A comment's publication and a
-- post's are told once, whatever path led there.
CREATE TABLE mail_events (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL
	              CHECK (kind IN ('pending', 'approved', 'published', 'post', 'confirm')),
	comment_id    INTEGER REFERENCES comments (id) ON DELETE CASCADE,
	post_id       INTEGER REFERENCES posts (id) ON DELETE CASCADE,
	subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
	created_at    INTEGER NOT NULL,
	done          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_events_todo ON mail_events (id) WHERE done = 0;
CREATE UNIQUE INDEX mail_events_comment_once ON mail_events (comment_id)
	WHERE kind IN ('approved', 'published');
CREATE UNIQUE INDEX mail_events_post_once ON mail_events (post_id) WHERE kind = 'post';

-- Every way a held comment becomes approved (the admin's pages, a moderator
-- mail's link, the command line) passes through this trigger.
CREATE TRIGGER mail_comment_approved AFTER UPDATE OF status ON comments
WHEN new.status = 'approved' AND old.status IN ('pending', 'spam', 'rejected') BEGIN
	INSERT OR IGNORE INTO mail_events (kind, comment_id, created_at)
		VALUES ('approved', new.id, CAST(strftime('%s', 'now') AS INTEGER));
END;

-- Outgoing messages, one recipient each.  A digest collects comments
-- (mail_digest_items) with message NULL until it is due.
CREATE TABLE mail_queue (
	id         INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,                   -- moderate, digest, confirm, comment, approved, post
	rcpt       TEXT NOT NULL COLLATE NOCASE,
	subject    TEXT NOT NULL,
	message    TEXT,
	state      TEXT NOT NULL DEFAULT 'queued'
	           CHECK (state IN ('queued', 'sent', 'failed', 'dropped')),
	tries      INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	next_at    INTEGER NOT NULL,                -- queued: when due; otherwise when it ended
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_queue_due ON mail_queue (next_at) WHERE state = 'queued';
CREATE INDEX mail_queue_rcpt ON mail_queue (rcpt, created_at);

CREATE TABLE mail_digest_items (
	mail_id    INTEGER NOT NULL REFERENCES mail_queue (id) ON DELETE CASCADE,
	comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	PRIMARY KEY (mail_id, comment_id)
) WITHOUT ROWID;

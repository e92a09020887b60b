-- 0005_spam.sql: the spam classifier's token counts, and each comment's standing with it.
-- No table here holds a reader's text: features are kept as 64-bit hashes.

-- Per feature (a hash of its name), how many learned comments of each class
-- held it.  generation is the model's generation when the row last changed,
-- so a responder's copy in memory reads only what changed since.
CREATE TABLE spam_tokens (
	token      INTEGER PRIMARY KEY,
	ham        INTEGER NOT NULL DEFAULT 0 CHECK (ham >= 0),
	spam       INTEGER NOT NULL DEFAULT 0 CHECK (spam >= 0),
	generation INTEGER NOT NULL
);
CREATE INDEX spam_tokens_generation ON spam_tokens (generation);

-- One row: the learned comments of each class; generation moves with every
-- change, epoch when the counts are rebuilt (copies then reload whole);
-- built is 0 until `parley init` has learned the decisions made before.
CREATE TABLE spam_model (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	ham        INTEGER NOT NULL DEFAULT 0 CHECK (ham >= 0),
	spam       INTEGER NOT NULL DEFAULT 0 CHECK (spam >= 0),
	generation INTEGER NOT NULL DEFAULT 0,
	epoch      INTEGER NOT NULL DEFAULT 0,
	built      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO spam_model (id) VALUES (1);

-- A comment's standing with the classifier: its probability at intake
-- (NULL when the classifier held back), the seconds from form to post
-- (NULL when unknown), and the person's decision it learned ('ham' for an
-- approval, 'spam'; NULL when it is no example).
CREATE TABLE comment_spam (
	comment_id   INTEGER PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
	probability  REAL CHECK (probability BETWEEN 0 AND 1),
	form_seconds INTEGER,
	learned      TEXT CHECK (learned IN ('ham', 'spam'))
);

-- Decisions made before the classifier: approvals (not the site author's
-- own answers), and spam a person marked (the engine's own filings carry a
-- reason; WordPress's spam was a decision).  `parley init` then counts them.
INSERT INTO comment_spam (comment_id, learned)
	SELECT id, CASE status WHEN 'approved' THEN 'ham' ELSE 'spam' END FROM comments
	WHERE (status = 'approved' AND by_author = 0)
	   OR (status = 'spam' AND spam_reason IN ('', 'marked as spam in WordPress'));

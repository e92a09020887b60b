-- 0007_form_tokens.sql: a comment form's token is good for one comment.
-- Intake records each token it takes (a hash of it, never the token) with
-- a hash of the name and text it carried: the same form sent again answers
-- with the comment already stored, another text under it is spam.  Rows
-- older than a token's lifetime are pruned (such a token is expired anyway).
CREATE TABLE form_tokens (
	token_key  TEXT PRIMARY KEY,                -- hex BLAKE2b of the token
	text_key   TEXT NOT NULL,                   -- hex BLAKE2b of author NUL comment
	comment_id INTEGER NOT NULL,                -- the comment it brought (may be gone since)
	used_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX form_tokens_used ON form_tokens (used_at);

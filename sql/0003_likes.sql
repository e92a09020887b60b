-- 0003_likes.sql: readers' likes of posts ("N readers like this"): one row per
-- like, with the keyed hash of the address it came from (for the per-address
-- cap, never the address), and the count kept on the post by triggers.
CREATE TABLE likes (
	id         INTEGER PRIMARY KEY,
	post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	ip_hash    TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
CREATE INDEX likes_post_ip ON likes (post_id, ip_hash);

ALTER TABLE posts ADD COLUMN like_count INTEGER NOT NULL DEFAULT 0;

-- The count moves the post's row, and so the site generation (gen_posts_update).
CREATE TRIGGER likes_count_insert AFTER INSERT ON likes BEGIN
	UPDATE posts SET like_count = like_count + 1 WHERE id = new.post_id;
END;
CREATE TRIGGER likes_count_delete AFTER DELETE ON likes BEGIN
	UPDATE posts SET like_count = like_count - 1 WHERE id = old.post_id;
END;

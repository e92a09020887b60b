-- 0008_visible_generation.sql: only what a reader can see moves the site
-- generation, and so the pages' ETags and the page cache.  A flood of
-- comments filed pending or spam changes no page anyone else sees, so it
-- must not make every reader's cached page stale.
--
-- Who sees a comment: everyone when it is approved; the browser that wrote
-- it (by its signed cookie, whose value is part of that browser's ETag)
-- when it is pending or spam, both shown "awaiting moderation"; nobody
-- when it is rejected or in the trash.  So the generation moves when a
-- comment comes into or leaves either view, or when what a view shows of
-- it changes; a comment that nobody sees, or a column nobody sees (email,
-- address hash, spam reason, trash dates), moves nothing.  The posts and
-- post_tags triggers of 0001 stay: approved-comment and like counts live
-- on the post's row.
--
-- A later migration that rebuilds the comments table must recreate these
-- three triggers as they are here.

DROP TRIGGER gen_comments_insert;
DROP TRIGGER gen_comments_update;
DROP TRIGGER gen_comments_delete;

CREATE TRIGGER gen_comments_insert AFTER INSERT ON comments
WHEN new.status = 'approved' BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_comments_update AFTER UPDATE ON comments
WHEN (old.status = 'approved') <> (new.status = 'approved')
  OR (old.status IN ('approved', 'pending', 'spam')) <>
     (new.status IN ('approved', 'pending', 'spam'))
  OR (new.status IN ('approved', 'pending', 'spam') AND (
	old.post_id IS NOT new.post_id OR old.parent_id IS NOT new.parent_id OR
	old.author IS NOT new.author OR old.url IS NOT new.url OR
	old.body_html IS NOT new.body_html OR old.created_at IS NOT new.created_at OR
	old.by_author IS NOT new.by_author OR old.edited_at IS NOT new.edited_at))
BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;
CREATE TRIGGER gen_comments_delete AFTER DELETE ON comments
WHEN old.status IN ('approved', 'pending', 'spam') BEGIN
	UPDATE site_state SET generation = generation + 1,
		modified_at = CAST(strftime('%s', 'now') AS INTEGER);
END;

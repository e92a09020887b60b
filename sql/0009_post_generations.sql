-- 0009_post_generations.sql: a post's page has a generation of its own.
-- The post page (and its comments feed) shows only that post, its tags,
-- likes and comments: approving a comment on one post, or an edit of it,
-- no longer changes the ETag of every other post's page nor evicts those
-- from the page cache.  The site generation (site_state) still moves with
-- every post change, so the pages that list posts (index, tags, feeds,
-- search, sitemap) follow; approved-comment and like counts live on the
-- post's row, so they move it too.
--
-- Keyed by slug, and a row is never deleted: a slug's generation only
-- grows, so a post deleted and made again under the same slug cannot bring
-- back a cached page of the old one.  A post without a row (written
-- straight into the database, as bench/gen-site does) is validated by the
-- site generation until its first change makes the row.
--
-- A later migration that rebuilds the comments table must recreate the
-- gen_comments_* triggers as they are here (they replace 0008's).
CREATE TABLE post_generations (
	slug        TEXT PRIMARY KEY,
	generation  INTEGER NOT NULL,
	modified_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO post_generations (slug, generation, modified_at)
	SELECT slug, 1, CAST(strftime('%s', 'now') AS INTEGER) FROM posts;

-- Inserting a slug here moves its generation (or starts it at 1): the one
-- place the triggers below say how.
CREATE VIEW post_generation_moves AS SELECT slug FROM post_generations;
CREATE TRIGGER post_generation_move INSTEAD OF INSERT ON post_generation_moves BEGIN
	INSERT INTO post_generations (slug, generation, modified_at)
		VALUES (new.slug, 1, CAST(strftime('%s', 'now') AS INTEGER))
		ON CONFLICT (slug) DO UPDATE SET generation = generation + 1,
		modified_at = excluded.modified_at;
END;

CREATE TRIGGER post_gen_posts_insert AFTER INSERT ON posts BEGIN
	INSERT INTO post_generation_moves (slug) VALUES (new.slug);
END;
CREATE TRIGGER post_gen_posts_update AFTER UPDATE ON posts BEGIN
	INSERT INTO post_generation_moves (slug) VALUES (new.slug);
END;
CREATE TRIGGER post_gen_posts_rename AFTER UPDATE OF slug ON posts
WHEN old.slug <> new.slug BEGIN
	INSERT INTO post_generation_moves (slug) VALUES (old.slug);
END;
CREATE TRIGGER post_gen_posts_delete AFTER DELETE ON posts BEGIN
	INSERT INTO post_generation_moves (slug) VALUES (old.slug);
END;
CREATE TRIGGER post_gen_tags_insert AFTER INSERT ON post_tags BEGIN
	INSERT INTO post_generation_moves (slug)
		SELECT slug FROM posts WHERE id = new.post_id;
END;
CREATE TRIGGER post_gen_tags_delete AFTER DELETE ON post_tags BEGIN
	INSERT INTO post_generation_moves (slug)
		SELECT slug FROM posts WHERE id = old.post_id;
END;
-- A tag's name is shown on every post that carries it.
CREATE TRIGGER post_gen_tag_rename AFTER UPDATE OF name ON tags
WHEN old.name IS NOT new.name BEGIN
	INSERT INTO post_generation_moves (slug)
		SELECT p.slug FROM post_tags pt JOIN posts p ON p.id = pt.post_id
		WHERE pt.tag_id = new.id;
END;

-- What a reader sees of comments (0008's rules, unchanged) is on their
-- post's page alone: it moves that post's generation, not the site's.
DROP TRIGGER gen_comments_insert;
DROP TRIGGER gen_comments_update;
DROP TRIGGER gen_comments_delete;

CREATE TRIGGER gen_comments_insert AFTER INSERT ON comments
WHEN new.status = 'approved' BEGIN
	INSERT INTO post_generation_moves (slug)
		SELECT slug FROM posts WHERE id = new.post_id;
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
	INSERT INTO post_generation_moves (slug)
		SELECT slug FROM posts WHERE id IN (old.post_id, new.post_id);
END;
CREATE TRIGGER gen_comments_delete AFTER DELETE ON comments
WHEN old.status IN ('approved', 'pending', 'spam') BEGIN
	INSERT INTO post_generation_moves (slug)
		SELECT slug FROM posts WHERE id = old.post_id;
END;

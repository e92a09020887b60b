-- 0006_imports.sql: where imported posts and comments came from, so a
-- second import updates instead of duplicating and old WordPress links
-- answer 301.

-- Where an imported post lived: its id and permalink at the source.  The
-- public site answers the old addresses (/YYYY/MM/DD/SLUG/, /?p=ID) with a
-- 301 to the post.
CREATE TABLE post_origins (
	source    TEXT NOT NULL,                    -- 'wordpress'
	old_id    INTEGER NOT NULL,                 -- the WordPress post id (?p=ID)
	post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	old_path  TEXT NOT NULL DEFAULT '',         -- permalink path below the old site: '/2024/05/01/slug/'
	old_slug  TEXT NOT NULL DEFAULT '',         -- its post_name there (the new slug may differ)
	old_date  TEXT NOT NULL DEFAULT '',         -- 'YYYY-MM-DD' of its date there
	PRIMARY KEY (source, old_id)
) WITHOUT ROWID;
CREATE INDEX post_origins_path ON post_origins (old_path);
CREATE INDEX post_origins_slug ON post_origins (old_slug, old_date);
CREATE INDEX post_origins_post ON post_origins (post_id);

-- Comments brought in by an import, by their id at the source.
CREATE TABLE comment_origins (
	source     TEXT NOT NULL,                   -- 'wordpress' or 'disqus'
	old_id     TEXT NOT NULL,
	comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	PRIMARY KEY (source, old_id)
) WITHOUT ROWID;
CREATE INDEX comment_origins_comment ON comment_origins (comment_id);

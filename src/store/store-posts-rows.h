/* store-posts-rows.h: the post row format the store's post, tag and search files share (not for other layers). */
#ifndef PARLEY_STORE_POSTS_ROWS_H
#define PARLEY_STORE_POSTS_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "arena.h"
#include "db.h"
#include "posts.h"

/*
 * The columns every post query selects, in the order post_read() expects.
 * Lists take the first twelve; single posts add body_md.
 */
#define POST_COLUMNS \
	"p.id, p.slug, p.title, p.author, p.published_at, p.updated_at, p.draft, " \
	"p.comments_open, p.comment_count, p.like_count, p.body_html, p.body_text"
/* The same shape without the bodies, for `parley post list`. */
#define POST_COLUMNS_BRIEF \
	"p.id, p.slug, p.title, p.author, p.published_at, p.updated_at, p.draft, " \
	"p.comments_open, p.comment_count, p.like_count, '', ''"

enum post_column {
	COL_ID, COL_SLUG, COL_TITLE, COL_AUTHOR, COL_PUBLISHED, COL_UPDATED, COL_DRAFT,
	COL_COMMENTS_OPEN, COL_COMMENT_COUNT, COL_LIKE_COUNT, COL_BODY_HTML, COL_BODY_TEXT,
	COL_BODY_MD, COL__MAX
};

/* A text column copied into the arena ("" for NULL). */
const char *posts_col_dup(struct arena *a, sqlite3_stmt *st, int col);

/*
 * Step a bound POST_COLUMNS list query into out (items in the arena), with
 * their tags.  At most limit rows are kept (0 for no limit); a row beyond
 * the limit sets has_more.  When snippet_col >= 0 that column is the FTS5
 * snippet.  Resets st.  STORE_OK or STORE_ERR.
 */
int posts_read_list(struct db *db, struct arena *a, sqlite3_stmt *st, size_t limit,
		    int snippet_col, struct post_list *out);

/* One integer from a statement without parameters. */
int posts_single_int(struct db *db, const char *sql, int64_t *out);

/* store-tags.c */

/*
 * Attach their tags to n posts with one query.  Posts keep tags = NULL and
 * ntags = 0 when they have none.  STORE_OK or STORE_ERR.
 */
int tags_load(struct db *db, struct arena *a, struct post *items, size_t n);
/*
 * The POST_COLUMNS query of one tag's published posts, newest first, the
 * first offset skipped, at most limit rows; bound, for posts_read_list.
 * NULL on error.
 */
sqlite3_stmt *tags_page_stmt(struct db *db, const char *tag_slug, int64_t offset, int limit);
/* Replace the tags of post id with names (trimmed; empty slugs skipped). */
int tags_save(struct db *db, int64_t id, const char *const *names, size_t n);
/* Remove tags no post carries any more. */
int tags_prune(struct db *db);

#endif

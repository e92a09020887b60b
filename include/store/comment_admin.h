/* comment_admin.h: what the author's desk does to comments beyond a status: trash and restore, edits, finding, context. */
#ifndef PARLEY_COMMENT_ADMIN_H
#define PARLEY_COMMENT_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "comments.h"
#include "db.h"

/* Longest words filter the admin's search takes, in bytes. */
#define COMMENT_FIND_WORDS_MAX 200

/*
 * Move a comment to trash, remembering its status for comments_restore.
 * *before (may be NULL) receives that status.  STORE_OK, STORE_NOTFOUND
 * (no such comment, or it is in trash already) or STORE_ERR.
 */
int comments_trash(struct db *db, int64_t id, time_t now, enum comment_status *before);

/*
 * Bring a comment back from trash with the status it had; *restored (may
 * be NULL) receives it.  STORE_NOTFOUND when it is not in trash.
 */
int comments_restore(struct db *db, int64_t id, enum comment_status *restored);

/* Delete for good every comment in trash since before; *count receives how many. */
int comments_purge_trash(struct db *db, time_t before, int *count);

/*
 * Replace a comment's name, website and text (body_html: the caller's
 * rendering of body_md) and date the edit.  STORE_OK, STORE_NOTFOUND or
 * STORE_ERR.
 */
int comments_edit(struct db *db, int64_t id, const char *author, const char *url,
		  const char *body_md, struct html body_html, time_t now);

/* What /admin/comments filters by; NULL or "" (status -1) for any. */
struct comment_filter {
	int status;             /* enum comment_status, -1 for any */
	const char *words;      /* words of the text or the name (all of them), plain words */
	const char *email;      /* exact, ignoring case */
	const char *post_slug;
	const char *ip_hash;
	int64_t exclude_id;     /* leave this comment out (the one being viewed), 0 for none */
};

/* A search by words looks at most at this many of its matches, the newest. */
#define COMMENT_FIND_MAX 500

/*
 * Comments matching f, newest first, with post_slug, post_title and
 * group_size, page page (1-based) of per_page.  Words are matched as plain
 * words (quoted for FTS5, so its syntax has no effect); a filter with only
 * punctuation matches nothing.  With words, only the COMMENT_FIND_MAX
 * newest comments holding them (by id: the order they were stored) are
 * looked at, whatever else f asks, and out->cut says when more hold them:
 * the work is bounded however common the words.  STORE_OK or STORE_ERR.
 */
int comments_find(struct db *db, struct arena *a, const struct comment_filter *f, int page,
		  int per_page, struct comment_list *out);

/* Every reply to parent_id, any status, oldest first.  STORE_OK or STORE_ERR. */
int comments_replies(struct db *db, struct arena *a, int64_t parent_id,
		     struct comment_list *out);

/* How many comments wait on one post. */
struct post_pending {
	int64_t post_id;
	int64_t pending;
};

struct post_pending_list {
	struct post_pending *items;
	size_t len;
};

/* Pending comments per post, posts with none left out.  STORE_OK or STORE_ERR. */
int comments_pending_per_post(struct db *db, struct arena *a, struct post_pending_list *out);

/*
 * FTS5 query text for plain words: each word double-quoted (quotes
 * doubled), joined by spaces (all must match); at most 16 words.  "" when
 * s holds no word.  In a.
 */
const char *comments_fts_query(struct arena *a, const char *s);

#endif

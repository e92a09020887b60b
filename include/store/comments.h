/* comments.h: reader comments in the database: intake, threads, moderation. */
#ifndef PARLEY_COMMENTS_H
#define PARLEY_COMMENTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "html.h"

enum comment_status {
	COMMENT_PENDING,
	COMMENT_APPROVED,
	COMMENT_REJECTED,
	COMMENT_SPAM,
	COMMENT_TRASH,          /* deleted by an admin: restorable until trash_days pass */
	COMMENT_STATUS__MAX
};

/* "pending", "approved", "rejected", "spam", "trash"; and back (-1 when unknown). */
const char *comment_status_name(enum comment_status s);
int comment_status_parse(const char *name);

struct comment {
	int64_t id;
	int64_t post_id;
	int64_t parent_id;      /* 0 when not a reply */
	enum comment_status status;
	const char *author;
	const char *email;      /* never shown publicly */
	const char *url;        /* "" or http(s) */
	const char *body_md;
	struct html body_html;  /* rendered at intake: markdown_html, MARKDOWN_COMMENT */
	time_t created_at;
	const char *ip_hash;    /* hex, "" when unknown */
	const char *spam_reason;
	const char *post_slug;  /* filled by moderation queries */
	const char *post_title;
	int group_size;         /* moderation: comments sharing ip_hash, at most
	                           COMMENT_GROUP_MAX + 1 (more than the bound) */
	int by_author;          /* the site's author wrote it (an admin's reply) */
	time_t edited_at;       /* last edit, 0 when never edited */
	const char *trashed_from; /* in trash: the status it had, else "" */
};

struct comment_list {
	struct comment *items;
	size_t len;
	int has_more;
	int cut;                /* comments_find: more matches than it searched */
};

/*
 * Store a new comment in c (id ignored; filled on success).  The caller
 * renders body_html from body_md (STORE_ERR when it did not).
 * parent_id 0 stores NULL.  Runs in the caller's transaction when one is
 * open.  STORE_OK or STORE_ERR.
 */
int comments_insert(struct db *db, struct comment *c);

/*
 * A commenter's edit at edited_at: new author, url and body (body_html
 * rendered again by the caller, as for comments_insert), the status and spam_reason the
 * rules gave it.  The spam classifier forgets what it learned from the
 * old text.  Runs in the caller's transaction when one is open.  STORE_OK,
 * STORE_NOTFOUND or STORE_ERR.
 */
int comments_update_text(struct db *db, int64_t id, const char *author, const char *url,
			 const char *body_md, struct html body_html, enum comment_status status,
			 const char *spam_reason, time_t edited_at);

/*
 * One comment by id, any status, with post_slug and post_title; strings in
 * a.  STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
int comments_get(struct db *db, struct arena *a, int64_t id, struct comment *out);

/*
 * The comments of one post with the given status, oldest first (created_at,
 * id), in a.  STORE_OK or STORE_ERR.
 */
int comments_for_post(struct db *db, struct arena *a, int64_t post_id,
		      enum comment_status status, struct comment_list *out);

/* How far a comment's group_size counts the comments from its address. */
#define COMMENT_GROUP_MAX 100

/*
 * Comments across posts for moderation and `parley comments list`, with
 * post_slug, post_title and group_size (comments sharing the ip_hash).
 * status is an enum comment_status, or -1 for every status.  Oldest first
 * unless newest_first.  page is 1-based; per_page 0 means every row (page
 * ignored).  has_more says another page follows.  STORE_OK or STORE_ERR.
 */
int comments_by_status(struct db *db, struct arena *a, int status, int newest_first,
		       int page, int per_page, struct comment_list *out);

/*
 * How many comments have status (-1: all), no more than limit (0: no
 * limit).  The counts are kept by triggers (sql/0012_comment_counts.sql),
 * so this costs the same at any size.  STORE_OK or STORE_ERR.
 */
int comments_count(struct db *db, int status, int64_t limit, int64_t *count);

/*
 * Moderation of one comment: STORE_OK, STORE_NOTFOUND or STORE_ERR.  The
 * approved-comment counts on posts and the site generation follow by
 * trigger.  Deleting a comment leaves its replies in place (parent_id
 * becomes NULL, so they show at the top level).
 */
int comments_set_status(struct db *db, int64_t id, enum comment_status status);
int comments_delete(struct db *db, int64_t id);

/*
 * Used comment-form tokens (a token is good for one comment), by their key
 * and the key of the name and text they carried (comment_form.h).
 * comments_token_use: STORE_NOTFOUND when token_key was never used;
 * STORE_OK with *comment_id the comment it brought when text_key is the
 * same again (a resubmission); STORE_CONFLICT when it brought other text;
 * STORE_ERR.  comments_token_record marks token_key used by comment_id at
 * now and forgets records from before forget_before (their tokens have
 * expired).  Both run in the caller's transaction.
 */
int comments_token_use(struct db *db, const char *token_key, const char *text_key,
		       int64_t *comment_id);
int comments_token_record(struct db *db, const char *token_key, const char *text_key,
			  int64_t comment_id, time_t now, time_t forget_before);

/*
 * Is a new comment from this ip_hash or email to go straight to spam (the
 * blocks table)?  1 blocked, 0 not, STORE_ERR.  Empty values never match.
 */
int comments_blocked(struct db *db, const char *ip_hash, const char *email);
/* Add a block ("ip" with an ip_hash, or "email").  STORE_OK or STORE_ERR. */
int comments_block_add(struct db *db, const char *kind, const char *value, time_t now);

/*
 * Threads.  comments_thread orders the comments of one post (as
 * comments_for_post returns them) for display: each top-level comment
 * followed by its replies, depth first, oldest first at every level.  A
 * comment whose parent is not in the list shows at the top level.  Depths
 * count from 0; replies deeper than max_depth - 1 are shown at depth
 * max_depth - 1, under the nearest ancestor at that depth.  out receives
 * list->len entries in the arena.
 */
struct comment_thread_entry {
	const struct comment *comment;
	int depth;
};

void comments_thread(struct arena *a, const struct comment_list *list, int max_depth,
		     struct comment_thread_entry **out);

#endif

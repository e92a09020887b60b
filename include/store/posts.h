/* posts.h: posts and tags in the database: written by the command line, read by pages. */
#ifndef PARLEY_POSTS_H
#define PARLEY_POSTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "html.h"

struct tag {
	const char *name;       /* as written: "Peer work" */
	const char *slug;       /* "peer-work" */
	int count;              /* published posts with it (where a query fills it) */
};

/* A post as pages and commands see it; strings live in the caller's arena. */
struct post {
	int64_t id;
	const char *slug;
	const char *title;
	const char *author;     /* "" when none */
	time_t published_at;
	time_t updated_at;
	int draft;
	int comments_open;      /* the post's own flag (comments_open_days is applied by pages) */
	const char *body_md;    /* NULL in lists, which do not load it */
	struct html body_html;  /* rendered when the post was saved */
	const char *body_text;  /* plain text; lists load it for summaries */
	int comment_count;      /* approved comments */
	int like_count;         /* readers' likes */
	struct tag *tags;
	size_t ntags;
	const char *snippet;    /* search results only: FTS5 snippet, plain text with each
	                         * match between POSTS_SNIPPET_OPEN and POSTS_SNIPPET_CLOSE */
};

/* Snippet markers: control bytes a post's text cannot hold (utf8_valid_text). */
#define POSTS_SNIPPET_OPEN '\x01'
#define POSTS_SNIPPET_CLOSE '\x02'

struct post_list {
	struct post *items;
	size_t len;
	int has_more;           /* another page follows */
	int cut;                /* a search ranked only the newest SEARCH_RANK_MAX matches */
};

/* A search ranks at most this many matches, the newest: its work is bounded. */
#define SEARCH_RANK_MAX 100

/* What a post file or an import gives: front matter and body. */
struct post_input {
	const char *slug;       /* required: derived from the title by the caller if absent */
	const char *title;
	const char *author;
	time_t published_at;    /* 0: now for a new post, unchanged on update */
	time_t updated_at;      /* 0: see posts_save */
	int draft;
	int comments_open;
	const char *body_md;
	struct html body_html;  /* body_md rendered by the caller (markdown_html) */
	const char *body_text;  /* and as plain text (markdown_text), for search and summaries */
	const char *const *tags;  /* tag names as written */
	size_t ntags;
};

/*
 * Insert or update (by slug) a post with its tags.  One transaction.
 * *created says which happened.  STORE_OK, or STORE_ERR (also when
 * body_html or body_text is missing).
 */
int posts_save(struct db *db, const struct post_input *in, int64_t *id, int *created);
/* Delete by slug: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int posts_delete(struct db *db, const char *slug);
/* Open or close comments on a post: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int posts_set_comments_open(struct db *db, const char *slug, int open);

/*
 * One post by slug, with body and tags.  Drafts only when include_drafts.
 * STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
int posts_get(struct db *db, struct arena *a, const char *slug, int include_drafts,
	      struct post *out);
/* Same by id (any status). */
int posts_get_by_id(struct db *db, struct arena *a, int64_t id, struct post *out);

/*
 * Page page (1-based) of published posts, newest first, per_page a page,
 * with tags and body_html.  tag_slug limits to one tag (NULL for all).
 * Keyset pagination over the (draft, published_at, id) index, or for a tag
 * the (tag_id, draft, published_at, post_id) one.
 */
int posts_page(struct db *db, struct arena *a, const char *tag_slug, int page,
	       int per_page, struct post_list *out);
/*
 * A tag by slug (its name for headings, its count of published posts) when
 * some published post has it: STORE_OK, or STORE_NOTFOUND also for a tag
 * only drafts use (its name is not public).
 */
int posts_tag(struct db *db, struct arena *a, const char *tag_slug, struct tag *out);
/* Every tag some published post uses, with its count of them, by name. */
int posts_tags_all(struct db *db, struct arena *a, struct tag **out, size_t *len);

/*
 * Full-text search of published posts, best match first (parley_rank: bm25,
 * title weighted), with a snippet each.  words is what the reader typed: it is
 * turned into a safe FTS5 query (each word a quoted term), never passed raw.
 * Only the newest SEARCH_RANK_MAX matches are ranked; out->cut says when
 * there were more.
 */
int posts_search(struct db *db, struct arena *a, const char *words, int page,
		 int per_page, struct post_list *out);
/*
 * Adds parley_rank(posts_fts), the search's ranking (FTS5 auxiliary
 * function: bm25's formula without its count of every matching post), to a
 * connection.  STORE_OK or STORE_ERR.
 */
int search_sql_functions(sqlite3 *handle);

/* Every post, drafts too, newest first, without bodies (for `parley post list`). */
int posts_all(struct db *db, struct arena *a, struct post_list *out);
/* Published posts newest first, at most limit, with body_html (feeds, sitemap). */
int posts_latest(struct db *db, struct arena *a, int limit, struct post_list *out);

/* A published post as a sitemap lists it. */
struct post_stamp {
	const char *slug;
	int64_t modified;       /* the later of published_at and updated_at */
};
/*
 * The highest id of a published post (0 for none) in *max_id, and, only when
 * count is not NULL, how many posts are published (a count kept by triggers).
 */
int posts_published_extent(struct db *db, int64_t *max_id, int64_t *count);
/* Rows of the tags table (tags only drafts use too): a bound on tags in use. */
int posts_tag_rows(struct db *db, int64_t *n);
/*
 * Published posts with lo < id <= hi, by id, at most limit, into *out (in the
 * arena); a walk of the primary key, so any range costs what its rows cost.
 */
int posts_stamps(struct db *db, struct arena *a, int64_t lo, int64_t hi, size_t limit,
		 struct post_stamp **out, size_t *len);

#endif

/* imports.h: where imported posts and comments came from: a second import updates them, old links find them. */
#ifndef PARLEY_IMPORTS_H
#define PARLEY_IMPORTS_H

#include <stdint.h>

#include "arena.h"
#include "comments.h"
#include "db.h"

/* Where a post or comment was imported from (post_origins.source, comment_origins.source). */
#define IMPORT_WORDPRESS "wordpress"
#define IMPORT_DISQUS "disqus"

/*
 * The post imported from (source, old_id): its id and current slug (in a).
 * STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
int imports_post_lookup(struct db *db, struct arena *a, const char *source, int64_t old_id,
			int64_t *post_id, const char **slug);
/*
 * Record (or move) where post_id came from: its id at the source, its
 * permalink's path there ("/2024/05/01/slug/"), its slug and date
 * ("YYYY-MM-DD") there.  STORE_OK or STORE_ERR.
 */
int imports_post_remember(struct db *db, const char *source, int64_t old_id, int64_t post_id,
			  const char *old_path, const char *old_slug, const char *old_date);
/*
 * Who holds slug: 0 nobody, 1 a post no import brought, 2 a post an import
 * brought; STORE_ERR.
 */
int imports_slug_owner(struct db *db, const char *slug);

/* The comment imported as (source, old_id): STORE_OK with *comment_id, STORE_NOTFOUND, STORE_ERR. */
int imports_comment_lookup(struct db *db, const char *source, const char *old_id,
			   int64_t *comment_id);
/*
 * Store a comment brought by an import: update the one imported before as
 * (source, old_id), or insert it, as id prefer_id when that id is free (a
 * WordPress comment keeps its number, so old "#comment-N" anchors still
 * land on it), and remember its origin.  The caller renders body_html
 * (STORE_ERR when it did not).  c->id is set; *created says which happened.
 * STORE_OK or STORE_ERR.
 */
int imports_comment_save(struct db *db, const char *source, const char *old_id,
			 int64_t prefer_id, struct comment *c, int *created);

/* Make comment_id a reply to parent_id (an import's late-found parent).  STORE_OK or STORE_ERR. */
int imports_comment_set_parent(struct db *db, int64_t comment_id, int64_t parent_id);

/*
 * Old addresses, for the public site's 301s: the slug of the published
 * post whose old permalink path was path; whose slug there was old_slug and
 * whose date there begins with date_prefix ("2024-05" or "2024-05-01");
 * whose WordPress id was old_id.  Strings in a.  STORE_OK, STORE_NOTFOUND
 * or STORE_ERR.
 */
int imports_find_by_path(struct db *db, struct arena *a, const char *path, const char **slug);
int imports_find_by_slug(struct db *db, struct arena *a, const char *old_slug,
			 const char *date_prefix, const char **slug);
int imports_find_by_id(struct db *db, struct arena *a, int64_t old_id, const char **slug);
/*
 * The approved comment imported from WordPress as old_id: its id now and
 * its post's slug.  STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
int imports_find_comment(struct db *db, struct arena *a, int64_t old_id, int64_t *comment_id,
			 const char **slug);

/* A comment imported from WordPress under another number than it had there. */
struct import_renumbered {
	int64_t comment_id;
	int64_t old_id;
};
/*
 * The comments of a post whose WordPress number was taken here, with that
 * number, when no comment of the post has it: the post's page answers the
 * old #comment-N anchors (which reach it through a 301 that keeps the
 * fragment) with an element of that id.  *out in a.  STORE_OK or STORE_ERR.
 */
int imports_renumbered(struct db *db, struct arena *a, int64_t post_id,
		       struct import_renumbered **out, size_t *n);

#endif

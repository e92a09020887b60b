/* site-like.c: readers' likes of a post (POST /posts/SLUG/like) and the Like form on its page. */
#include "site.h"

#include <inttypes.h>

#include "comment_form.h"
#include "config.h"
#include "likes.h"
#include "log.h"
#include "posts.h"
#include "ratelimit.h"
#include "render.h"

/* The cookie listing the posts this browser liked (see comment_form.h). */
#define LIKES_COOKIE "parley_likes"
#define LIKES_MAX_AGE (365L * 24 * 3600)
/* Likes one address hash may give one post: a household, not a flood. */
#define LIKES_PER_ADDRESS 10

/* Has this browser (by its signed cookie) liked post_id? */
static int
liked(struct req *r, int64_t post_id, int64_t ids[COMMENT_MINE_MAX], size_t *n)
{
	size_t i;

	*n = like_ids_parse(r->db->secret, req_cookie(r, LIKES_COOKIE), ids);
	for (i = 0; i < *n; i++)
		if (ids[i] == post_id)
			return 1;
	return 0;
}

const char *
site_like_etag_extra(struct req *r)
{
	const char *v = req_cookie(r, LIKES_COOKIE);
	int64_t ids[COMMENT_MINE_MAX];

	return v != NULL && like_ids_parse(r->db->secret, v, ids) > 0 ? v : "";
}

const char *
site_like_label(struct req *r, int count)
{
	if (count <= 0)
		return NULL;
	return count == 1 ? "1 reader likes this" :
	    arena_printf(r->arena, "%d readers like this", count);
}

void
site_post_likes(struct req *r, const struct post *p, struct mu_map *ctx)
{
	struct mu_map *m = mu_map_new(r->arena);
	int64_t ids[COMMENT_MINE_MAX];
	size_t n;

	mu_set_str(m, "action", arena_printf(r->arena, "%s/posts/%s/like", r->cfg->mount,
					     p->slug));
	mu_set_str(m, "token", like_token_make(r->arena, r->db->secret, p->id, r->now));
	mu_set_str(m, "label", site_like_label(r, p->like_count));
	mu_set_bool(m, "liked", liked(r, p->id, ids, &n));
	mu_set_map(ctx, "like", m);
}

/*
 * POST /posts/SLUG/like.  404 for a missing post; 403 for a missing,
 * forged, stale or other post's token; 413/415 for a body that is not a
 * small form.  A browser that liked the post already, or an address hash
 * at its cap, changes nothing.  Otherwise the like is committed.  Each of
 * these answers 303 to the post's like form; 503 when the database fails.
 */
int
site_like_post(struct site_req *site)
{
	struct req *r = site->r;
	char ip_hash[RATELIMIT_HASH_HEX];
	int64_t ids[COMMENT_MINE_MAX];
	struct post p;
	size_t n;
	int rc;

	if ((rc = site_load_post(r, &p)) != STORE_OK)
		return rc;
	if ((rc = req_read_form(r, 4096)) != 0)
		return rc;
	if (like_token_check(r->db->secret, req_form(r, "like_token"), p.id, r->now) !=
	    COMMENT_TOKEN_OK) {
		struct mu_map *ctx = site_context(r, "Your like was not counted");
		mu_set_int(ctx, "status", 403);
		mu_set_str(ctx, "message", "The page you pressed Like on was too old, or the "
			   "form did not come from this site. Open the post again and press Like there.");
		mu_set_str(ctx, "back_href", arena_printf(r->arena, "%s/posts/%s#like",
							  r->cfg->mount, p.slug));
		mu_set_str(ctx, "back_title", p.title);
		return site_render(r, "error", ctx, 403);
	}
	if (!liked(r, p.id, ids, &n)) {
		ratelimit_address_hash(r->db, r->remote_addr, ip_hash);
		rc = likes_add(r->db, p.id, ip_hash, r->now, LIKES_PER_ADDRESS);
		if (rc == STORE_ERR) {
			resp_header(r, "Retry-After", "5");
			return 503;
		}
		if (rc == LIKES_ADDED)
			resp_cookie(r, LIKES_COOKIE,
				    like_ids_make(r->arena, r->db->secret, ids, n, p.id),
				    *r->cfg->mount ? r->cfg->mount : "/", LIKES_MAX_AGE, 1, "Lax");
	}
	return resp_redirect(r, 303, arena_printf(r->arena, "/posts/%s#like", p.slug));
}

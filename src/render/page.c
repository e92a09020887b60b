/* page.c: the plumbing every program's pages share: a template into a body, the pager's links. */
#include "render.h"

#include "log.h"
#include "mustache.h"

int
render_page(const struct mu_set *tpl, const char *name, struct mu_map *ctx, struct buf *out)
{
	struct mu_value root = { .type = MU_MAP, .u.map = ctx };

	buf_reset(out);
	if (mu_render(tpl, name, &root, out) != 0) {
		log_error("template %s is missing", name);
		buf_reset(out);
		return -1;
	}
	return 0;
}

void
render_pager(struct arena *a, struct mu_map *ctx, const char *first, const char *prefix,
	     int page, int has_more, int max)
{
	if (page == 2)
		mu_set_str(ctx, "newer_url", first);
	else if (page > 2)
		mu_set_str(ctx, "newer_url", arena_printf(a, "%s%d", prefix, page - 1));
	if (has_more && page < max)
		mu_set_str(ctx, "older_url", arena_printf(a, "%s%d", prefix, page + 1));
	mu_set_int(ctx, "page", page);
	mu_set_bool(ctx, "paged", page > 1 || has_more);
}

/* store-comment-thread.c: a post's comments in thread order for display (no SQL: the list comes from comments_for_post). */
#include "comments.h"

#include <stdlib.h>

/* An id and its index in the list, sorted by id to find parents. */
struct id_index {
	int64_t id;
	size_t at;
};

static int
id_index_cmp(const void *a, const void *b)
{
	const struct id_index *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void
comments_thread(struct arena *a, const struct comment_list *list, int max_depth,
		struct comment_thread_entry **out)
{
	size_t n = list->len, i, k, filled = 0, top;
	struct id_index *ids, key, *hit;
	size_t *parent, *child_start, *child_fill, *children, *stack;
	int *depth;
	const size_t none = (size_t)-1;

	*out = arena_alloc(a, (n ? n : 1) * sizeof(**out));
	if (n == 0)
		return;
	if (max_depth < 1)
		max_depth = 1;
	ids = arena_alloc(a, n * sizeof(*ids));
	parent = arena_alloc(a, n * sizeof(*parent));
	child_start = arena_zalloc(a, (n + 1) * sizeof(*child_start));
	child_fill = arena_alloc(a, n * sizeof(*child_fill));
	children = arena_alloc(a, n * sizeof(*children));
	stack = arena_alloc(a, n * sizeof(*stack));
	depth = arena_alloc(a, n * sizeof(*depth));
	for (i = 0; i < n; i++) {
		ids[i].id = list->items[i].id;
		ids[i].at = i;
		depth[i] = -1;
	}
	qsort(ids, n, sizeof(*ids), id_index_cmp);
	for (i = 0; i < n; i++) {
		parent[i] = none;
		key.id = list->items[i].parent_id;
		if (key.id <= 0 || key.id == list->items[i].id)
			continue;
		if ((hit = bsearch(&key, ids, n, sizeof(*ids), id_index_cmp)) == NULL)
			continue;
		parent[i] = hit->at;
		child_start[hit->at + 1]++;
	}
	/* Each comment's children, in list order (oldest first). */
	for (i = 0; i < n; i++)
		child_start[i + 1] += child_start[i];
	for (i = 0; i < n; i++)
		child_fill[i] = child_start[i];
	for (i = 0; i < n; i++)
		if (parent[i] != none)
			children[child_fill[parent[i]]++] = i;
	/*
	 * Depth first from each top-level comment in list order; then, in a
	 * second pass, from any comment still unreached (only a cycle of
	 * parents, possible in imported data, leaves one), as if top-level.
	 * Every comment is pushed at most once: only its one parent pushes it.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if (depth[i] >= 0 || (pass == 0 && parent[i] != none))
				continue;
			depth[i] = 0;
			top = 0;
			stack[top++] = i;
			while (top > 0) {
				size_t at = stack[--top];

				(*out)[filled].comment = &list->items[at];
				(*out)[filled].depth = depth[at];
				filled++;
				/* Push in reverse so the oldest reply comes out first. */
				for (k = child_start[at + 1]; k-- > child_start[at];) {
					size_t c = children[k];
					if (depth[c] >= 0)
						continue;
					depth[c] = depth[at] + 1 < max_depth ? depth[at] + 1 :
					    max_depth - 1;
					stack[top++] = c;
				}
			}
		}
	}
}

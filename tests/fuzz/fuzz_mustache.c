/* fuzz_mustache.c: libFuzzer target: any template text compiles or fails cleanly, renders, and never lets plain data out raw. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mu_set *set = mu_set_new();
	struct arena a;
	struct mu_map *root, *item;
	struct mu_list *list;
	struct buf out = BUF_INIT;
	char err[256];

	arena_init(&a);
	root = mu_map_new(&a);
	mu_set_str(root, "x", "<b>&\"'");
	mu_set_bool(root, "t", 1);
	list = mu_list_new(&a);
	item = mu_list_push_map(list);
	mu_set_str(item, "x", "1");
	mu_set_list(root, "list", list);
	mu_set_map(root, "self", root);
	if (mu_set_add(set, "t", (const char *)data, size, err, sizeof(err)) == 0 &&
	    mu_set_add(set, "p", "{{> t}}", 7, err, sizeof(err)) == 0)
		mu_render(set, "t", &(struct mu_value){ .type = MU_MAP, .u.map = root }, &out);
	/* Plain data is escaped by every tag: a '<' can only come from the template. */
	if (out.len > 0 && memchr(data, '<', size) == NULL && memchr(out.data, '<', out.len) != NULL)
		abort();
	buf_free(&out);
	arena_free(&a);
	mu_set_free(set);
	return 0;
}

/* fuzz_cookie.c: libFuzzer target for the Cookie header parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Names and values never hold the separator, names are trimmed and
 * non-empty, and at most 64 cookies are kept whatever the header holds.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kv_list l;
	char *s;
	size_t i;

	arena_init(&a);
	s = arena_strndup(&a, (const char *)data, size);
	http_parse_cookies(&a, s, &l);
	if (l.len > 64)
		abort();
	for (i = 0; i < l.len; i++) {
		const char *name = l.items[i].name, *value = l.items[i].value;
		size_t nlen = strlen(name);
		if (nlen == 0 || strchr(name, ';') != NULL || strchr(value, ';') != NULL ||
		    name[0] == ' ' || name[0] == '\t' || name[nlen - 1] == ' ' ||
		    name[nlen - 1] == '\t' || strchr(name, '=') != NULL)
			abort();
		if (kv_get(&l, name) == NULL)
			abort();
	}
	arena_free(&a);
	return 0;
}

/* fuzz_form.c: libFuzzer target for the wire parsers: form bodies, query strings, cookies. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kv_list l;
	char *s;
	size_t i, n;

	arena_init(&a);
	http_parse_urlencoded(&a, (const char *)data, size, '&', &l, 1000);
	for (i = 0; i < l.len; i++)
		n = strlen(l.items[i].name) + l.items[i].value_len;
	s = arena_strndup(&a, (const char *)data, size);
	http_parse_cookies(&a, s, &l);
	(void)http_percent_decode(&a, (const char *)data, size, &n);
	arena_free(&a);
	return 0;
}

/* fuzz_form.c: libFuzzer target for form bodies (application/x-www-form-urlencoded). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Every pair kept has a non-empty name without NUL, a value whose length
 * counts its NULs, and no more pairs than asked for; the whole-string
 * decoder never writes more than it read.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct kv_list l;
	size_t i, n;
	char *d;

	arena_init(&a);
	http_parse_urlencoded(&a, (const char *)data, size, '&', &l, 256);
	if (l.len > 256)
		abort();
	for (i = 0; i < l.len; i++) {
		if (l.items[i].name == NULL || *l.items[i].name == '\0' ||
		    l.items[i].value == NULL || strlen(l.items[i].value) > l.items[i].value_len ||
		    l.items[i].value_len > size || l.items[i].value[l.items[i].value_len] != '\0')
			abort();
	}
	if ((d = http_percent_decode(&a, (const char *)data, size, &n)) != NULL &&
	    (n > size || d[n] != '\0'))
		abort();
	arena_free(&a);
	return 0;
}

/* fuzz_query.c: libFuzzer target for query strings, through the request parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
search(struct req *r)
{
	const char *q = req_query(r, "q"), *page = req_query(r, "page");
	size_t i;

	/* At most 32 pairs, each named, each value a string of its stated length. */
	if (r->query.len > 32)
		abort();
	for (i = 0; i < r->query.len; i++)
		if (*r->query.items[i].name == '\0' ||
		    strlen(r->query.items[i].value) > r->query.items[i].value_len)
			abort();
	if (strchr(r->query_string, '\0') != r->query_string + strlen(r->query_string))
		abort();
	(void)q;
	(void)page;
	return 200;
}

static const struct route search_route = { HTTP_GET, "/search" };

static const struct route *
route_at(size_t i)
{
	return i == 0 ? &search_route : NULL;
}

static void
respond(struct req *r, long route, int status)
{
	r->status = route == 0 ? search(r) : status;
}

static const struct app app = { .name = "fuzz", .route = route_at, .respond = respond };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct arena a;
	struct buf headers = BUF_INIT, body = BUF_INIT;
	struct req r;
	char *env[3];

	if (memchr(data, '\0', size) != NULL)
		return 0;   /* a CGI variable holds no NUL */
	memset(&cfg, 0, sizeof(cfg));
	cfg.mount = "";
	arena_init(&a);
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	r.cfg = &cfg;
	r.headers = &headers;
	r.body = &body;
	env[0] = arena_printf(&a, "REQUEST_URI=/search?%.*s", (int)size, (const char *)data);
	env[1] = "REQUEST_METHOD=GET";
	env[2] = NULL;
	r.env = env;
	http_dispatch(&app, &r);
	if (r.status != 200 && r.status != 414 && r.status != 400 && r.status != 404)
		abort();
	buf_free(&headers);
	buf_free(&body);
	arena_free(&a);
	return 0;
}

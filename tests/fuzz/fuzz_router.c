/* fuzz_router.c: libFuzzer target: any method, URI and mount reach a route or a clean status. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "config.h"
#include "http.h"
#include "site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The real route tables of both programs, with every handler replaced by
 * this check: the path starts with '/', holds no NUL, and every "*"
 * parameter is one non-empty segment.
 */
static int
check_route(struct req *r)
{
	size_t i;

	if (r->path == NULL || r->path[0] != '/')
		abort();
	if (r->nparams > sizeof(r->params) / sizeof(r->params[0]))
		abort();
	for (i = 0; i < r->nparams; i++)
		if (r->params[i] == NULL || r->params[i][0] == '\0' ||
		    strchr(r->params[i], '/') != NULL)
			abort();
	return 200;
}

/* Every route the real program would run answers through check_route instead. */
static void
respond_check(struct req *r, long route, int status)
{
	r->status = route >= 0 ? check_route(r) : status;
}

static struct app apps[2];

static void
setup(void)
{
	const struct app *real[2] = { &site_app, &admin_app };
	size_t k;

	for (k = 0; k < 2; k++) {
		apps[k].name = "fuzz";
		apps[k].route = real[k]->route;
		apps[k].respond = respond_check;
	}
}

/* Input: a flags byte, then METHOD '\n' URI '\n' CONTENT_LENGTH. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct config cfg;
	struct arena a;
	struct buf headers = BUF_INIT, body = BUF_INIT;
	struct req r;
	char *env[4], *fields[3] = { "", "", "" }, *s, *nl;
	int i, which;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1 || memchr(data, '\0', size) != NULL)
		return 0;   /* a CGI variable holds no NUL */
	arena_init(&a);
	s = arena_strndup(&a, (const char *)data + 1, size - 1);
	for (i = 0; i < 3 && s != NULL; i++) {
		fields[i] = s;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl++ = '\0';
		s = nl;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.mount = data[0] & 1 ? "/blog" : "";
	which = data[0] >> 1 & 1;
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	r.cfg = &cfg;
	r.headers = &headers;
	r.body = &body;
	env[0] = arena_printf(&a, "REQUEST_METHOD=%s", fields[0]);
	env[1] = arena_printf(&a, "REQUEST_URI=%s", fields[1]);
	env[2] = arena_printf(&a, "CONTENT_LENGTH=%s", fields[2]);
	env[3] = NULL;
	r.env = env;
	http_dispatch(&apps[which], &r);
	switch (r.status) {
	case 200: case 400: case 404: case 414:
		break;
	case 405:
		if (headers.data == NULL || strstr(headers.data, "Allow: ") == NULL)
			abort();
		break;
	default:
		abort();
	}
	buf_free(&headers);
	buf_free(&body);
	arena_free(&a);
	return 0;
}

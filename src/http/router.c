/* router.c: from CGI variables to a handler and back: parsing, routing, error pages. */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#define MAX_URI 4096
#define MAX_QUERY_PAIRS 32
#define MAX_FORM_PAIRS 256

int
req_read_form(struct req *r, size_t limit)
{
	const char *ctype = req_env(r, "CONTENT_TYPE");
	char *body, drain[4096];
	size_t got = 0, n;

	if (r->body_state == 1)
		return 0;
	if (r->body_state == -1)
		return 413;
	if (r->body_state == -2)
		return 400;
	if (r->content_length > limit) {
		r->body_state = -1;
		return 413;
	}
	if (r->content_length > 0 && (ctype == NULL ||
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0 ||
	    (ctype[33] != '\0' && ctype[33] != ';')))
		return 415;
	body = arena_alloc(r->arena, r->content_length + 1);
	while (got < r->content_length && r->input != NULL &&
	    (n = r->input->read(r->input->ctx, body + got, r->content_length - got)) > 0)
		got += n;
	/* A body cut short (the client stalled past its deadline) is never acted on. */
	if (got < r->content_length) {
		r->body_state = -2;
		return 400;
	}
	/* A client that sends more than it announced is cut off here. */
	if (r->input != NULL && r->input->read(r->input->ctx, drain, sizeof(drain)) > 0) {
		r->body_state = -1;
		return 413;
	}
	body[got] = '\0';
	http_parse_urlencoded(r->arena, body, got, '&', &r->form, MAX_FORM_PAIRS);
	r->body_state = 1;
	return 0;
}

/*
 * Match path against pattern, segment by segment; "*" takes one non-empty
 * segment into params.  Trailing slashes must match exactly.
 */
static int
route_match(const char *pattern, const char *path, struct req *r)
{
	size_t np = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '*') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);
			if (len == 0 || np == sizeof(r->params) / sizeof(r->params[0]))
				return 0;
			r->params[np++] = arena_strndup(r->arena, path, len);
			path += len;
			pattern++;
		} else if (*pattern++ != *path++)
			return 0;
	}
	if (*pattern != '\0' || *path != '\0')
		return 0;
	r->nparams = np;
	return 1;
}

static enum http_method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* Fill the request's input fields from its CGI variables.  0 or an error status. */
static int
parse_request(struct req *r)
{
	const char *uri = req_env(r, "REQUEST_URI"), *q, *m, *cl, *mount = r->cfg->mount;
	size_t pathlen, mlen = strlen(mount);
	char *path;

	m = req_env(r, "REQUEST_METHOD");
	r->method_name = m ? m : "GET";
	r->method = method_of(r->method_name);
	r->remote_addr = req_env(r, "REMOTE_ADDR");
	if (r->remote_addr == NULL)
		r->remote_addr = "";
	http_parse_cookies(r->arena, req_env(r, "HTTP_COOKIE"), &r->cookies);
	if ((cl = req_env(r, "CONTENT_LENGTH")) != NULL && *cl != '\0') {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*end != '\0' || cl[0] == '-')
			return 400;
		r->content_length = n > (unsigned long long)SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)n;
	}
	if (uri == NULL || *uri == '\0') {
		/* Plain CGI without REQUEST_URI: rebuild it from its parts. */
		const char *sn = req_env(r, "SCRIPT_NAME"), *pi = req_env(r, "PATH_INFO");
		uri = arena_printf(r->arena, "%s%s", sn ? sn : "", pi ? pi : "/");
		if ((q = req_env(r, "QUERY_STRING")) != NULL && *q != '\0')
			uri = arena_printf(r->arena, "%s?%s", uri, q);
	}
	if (strlen(uri) > MAX_URI)
		return 414;
	q = strchr(uri, '?');
	pathlen = q ? (size_t)(q - uri) : strlen(uri);
	r->query_string = q ? q + 1 : "";
	http_parse_urlencoded(r->arena, r->query_string, strlen(r->query_string), '&',
			      &r->query, MAX_QUERY_PAIRS);
	if ((path = http_percent_decode(r->arena, uri, pathlen, &pathlen)) == NULL ||
	    strlen(path) != pathlen)
		return 400;
	if (strncmp(path, mount, mlen) != 0 || (path[mlen] != '/' && path[mlen] != '\0'))
		return 404;
	path += mlen;
	r->path = *path ? path : "/";
	return 0;
}

void
http_dispatch(const struct app *app, struct req *r)
{
	const struct route *rt;
	long found = -1;
	unsigned allow = 0;
	size_t i;
	int status;

	r->status = 200;
	status = parse_request(r);
	if (status == 0) {
		for (i = 0; (rt = app->route(i)) != NULL; i++) {
			if (!route_match(rt->pattern, r->path, r))
				continue;
			allow |= rt->methods;
			if (rt->methods & r->method ||
			    (r->method == HTTP_HEAD && rt->methods & HTTP_GET)) {
				found = (long)i;
				break;
			}
		}
		if (found < 0)
			status = allow ? 405 : 404;
	}
	if (status == 405) {
		resp_header(r, "Allow", allow & HTTP_POST ? (allow & HTTP_GET ?
			    "GET, HEAD, POST" : "POST") : "GET, HEAD");
	}
	app->respond(r, found, status);
}

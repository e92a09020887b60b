/* response.c: building the buffered response: headers, cookies, redirects, validators. */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"

int
resp_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return -1;
	buf_puts(r->headers, name);
	buf_append(r->headers, ": ", 2);
	buf_puts(r->headers, value);
	buf_append(r->headers, "\r\n", 2);
	return 0;
}

void
resp_body_release(struct req *r)
{
	void (*release)(void *) = r->release;

	r->npieces = 0;
	r->release = NULL;
	if (release != NULL)
		release(r->release_ctx);
	r->release_ctx = NULL;
}

int
resp_body_refer(struct req *r, const struct resp_piece *pieces, size_t n,
		void (*release)(void *ctx), void *ctx)
{
	if (n > RESP_PIECES)
		return -1;
	resp_body_release(r);
	buf_reset(r->body);
	memcpy(r->pieces, pieces, n * sizeof(*pieces));
	r->npieces = n;
	r->release = release;
	r->release_ctx = ctx;
	return 0;
}

size_t
resp_body_len(const struct req *r)
{
	size_t i, len = r->body->len;

	for (i = 0; i < r->npieces; i++)
		len += r->pieces[i].len;
	return len;
}

void
resp_body_hold(struct req *r)
{
	size_t i;

	if (r->npieces == 0 && r->release == NULL)
		return;
	for (i = 0; i < r->npieces; i++)
		buf_append(r->body, r->pieces[i].data, r->pieces[i].len);
	resp_body_release(r);
}

void
resp_cookie(struct req *r, const char *name, const char *value, const char *path,
	    long max_age, int http_only, const char *same_site)
{
	char *line;

	line = arena_printf(r->arena, "%s=%s; Path=%s%s%s%s%s", name, value,
			    *path ? path : "/", http_only ? "; HttpOnly" : "",
			    r->cfg->secure ? "; Secure" : "",
			    same_site ? "; SameSite=" : "", same_site ? same_site : "");
	if (max_age >= 0)
		line = arena_printf(r->arena, "%s; Max-Age=%ld", line, max_age);
	resp_header(r, "Set-Cookie", line);
}

int
resp_redirect(struct req *r, int status, const char *path)
{
	/* A relative reference keeps the redirect on whatever host the client used. */
	resp_header(r, "Location", arena_printf(r->arena, "%s%s", r->cfg->mount, path));
	r->status = status;
	return status;
}

const char *
http_date(struct arena *a, time_t t)
{
	/* A page's Last-Modified is the same on every hit: each thread keeps its last. */
	static _Thread_local time_t last = -1;
	static _Thread_local char last_text[40];
	struct tm tm;

	if (t != last) {
		gmtime_r(&t, &tm);
		strftime(last_text, sizeof(last_text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last = t;
	}
	return arena_strdup(a, last_text);
}

/*
 * Does the If-None-Match list hold tag (weak comparison, RFC 9110 13.1.2)?
 * "*" is not honoured: validators are checked before the page's resource is
 * looked up, so "*" would turn a 404 into a 304.  Answering in full is
 * always allowed.
 */
static int
etag_matches(const char *header, const char *tag)
{
	size_t n = strlen(tag);
	const char *p = header;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (strncmp(p, tag, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' ' || p[n] == '\t'))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

int
resp_validators(struct req *r, const char *etag, time_t last_modified)
{
	size_t n = strlen(etag);
	char *quoted = arena_alloc(r->arena, n + 3);
	const char *inm = req_env(r, "HTTP_IF_NONE_MATCH");

	quoted[0] = '"';
	memcpy(quoted + 1, etag, n);
	quoted[n + 1] = '"';
	quoted[n + 2] = '\0';

	resp_header(r, "ETag", quoted);
	if (last_modified > 0)
		resp_header(r, "Last-Modified", http_date(r->arena, last_modified));
	return inm != NULL && etag_matches(inm, quoted);
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

const struct http_error_text *
http_error_text(const struct http_error_text *table, int status)
{
	size_t i;

	for (; table->statuses[0] != 0; table++)
		for (i = 0; i < sizeof(table->statuses) / sizeof(table->statuses[0]) &&
		     table->statuses[i] != 0; i++)
			if (table->statuses[i] == status)
				return table;
	return table;
}

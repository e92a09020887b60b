/* request.c: parsing of wire input: query strings, form bodies, cookies, percent escapes. */
#include "http.h"

#include <string.h>
#include <strings.h>

#include "config.h"

#define MAX_PAIRS 256

const char *
req_env(const struct req *r, const char *name)
{
	size_t n = strlen(name);
	char **e;

	if (r->env == NULL)
		return NULL;
	/* The first byte before strncmp: a request looks up several of some thirty variables. */
	for (e = r->env; *e != NULL; e++)
		if (**e == *name && strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *
kv_get(const struct kv_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return l->items[i].value;
	return NULL;
}

int
req_same_origin(const struct req *r)
{
	const char *site = req_env(r, "HTTP_SEC_FETCH_SITE");
	const char *origin = req_env(r, "HTTP_ORIGIN");

	if (site != NULL && (strcmp(site, "cross-site") == 0 || strcmp(site, "same-site") == 0))
		return 0;
	if (origin != NULL && strcmp(origin, r->cfg->origin) != 0)
		return 0;
	return 1;
}

const char *
req_query(const struct req *r, const char *name)
{
	return kv_get(&r->query, name);
}

const char *
req_cookie(const struct req *r, const char *name)
{
	return kv_get(&r->cookies, name);
}

const char *
req_form(const struct req *r, const char *name)
{
	return kv_get(&r->form, name);
}

const char *
req_form_value(const struct req *r, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < r->form.len; i++)
		if (strcmp(r->form.items[i].name, name) == 0) {
			*len = r->form.items[i].value_len;
			return r->form.items[i].value;
		}
	*len = 0;
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX and, when plus_space, '+' as a space.  NULL on a bad escape. */
static char *
decode(struct arena *a, const char *s, size_t len, int plus_space, size_t *outlen)
{
	char *out = arena_alloc(a, len + 1), *o = out;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= len || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return NULL;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space)
			*o++ = ' ';
		else
			*o++ = s[i];
	}
	*o = '\0';
	if (outlen != NULL)
		*outlen = (size_t)(o - out);
	return out;
}

char *
http_percent_decode(struct arena *a, const char *s, size_t len, size_t *outlen)
{
	return decode(a, s, len, 0, outlen);
}

void
http_parse_urlencoded(struct arena *a, const char *s, size_t len, char sep,
		      struct kv_list *out, size_t max_pairs)
{
	const char *p = s, *end = s + len;
	size_t cap = 0;

	out->items = NULL;
	out->len = 0;
	if (max_pairs > MAX_PAIRS)
		max_pairs = MAX_PAIRS;
	while (p < end && out->len < max_pairs) {
		const char *amp = memchr(p, sep, (size_t)(end - p));
		const char *pair_end = amp ? amp : end, *eq;
		char *name, *value;
		size_t vlen;

		eq = memchr(p, '=', (size_t)(pair_end - p));
		if (pair_end > p) {
			const char *name_end = eq ? eq : pair_end;
			name = decode(a, p, (size_t)(name_end - p), 1, NULL);
			value = eq ? decode(a, eq + 1, (size_t)(pair_end - eq - 1), 1, &vlen)
				   : decode(a, "", 0, 1, &vlen);
			/* A pair with a broken escape is dropped, not guessed at. */
			if (name != NULL && value != NULL && *name != '\0') {
				if (out->len == cap)
					out->items = arena_grow(a, out->items, out->len, &cap,
								sizeof(*out->items));
				out->items[out->len].name = name;
				out->items[out->len].value = value;
				out->items[out->len].value_len = vlen;
				out->len++;
			}
		}
		p = pair_end + 1;
	}
}

void
http_parse_cookies(struct arena *a, const char *s, struct kv_list *out)
{
	size_t cap = 0;

	out->items = NULL;
	out->len = 0;
	while (s != NULL && *s != '\0' && out->len < 64) {
		const char *end = strchr(s, ';'), *eq, *ns, *ne, *vs, *ve;

		if (end == NULL)
			end = s + strlen(s);
		eq = memchr(s, '=', (size_t)(end - s));
		if (eq != NULL) {
			for (ns = s; ns < eq && (*ns == ' ' || *ns == '\t'); ns++)
				;
			for (ne = eq; ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'); ne--)
				;
			for (vs = eq + 1; vs < end && (*vs == ' ' || *vs == '\t'); vs++)
				;
			for (ve = end; ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
				;
			if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
				vs++;
				ve--;
			}
			if (ne > ns) {
				if (out->len == cap)
					out->items = arena_grow(a, out->items, out->len, &cap,
								sizeof(*out->items));
				out->items[out->len].name = arena_strndup(a, ns, (size_t)(ne - ns));
				out->items[out->len].value = arena_strndup(a, vs, (size_t)(ve - vs));
				out->items[out->len].value_len = (size_t)(ve - vs);
				out->len++;
			}
		}
		s = *end ? end + 1 : end;
	}
}

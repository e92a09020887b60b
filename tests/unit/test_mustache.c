/* test_mustache.c: unit tests of the Mustache engine, then the official spec's cases. */
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "mustache.h"

/*
 * A small JSON reader for the spec files: the whole document becomes a tree
 * in an arena.  Numbers keep the text the spec expects from interpolation
 * ("%.15g": 1.210 is "1.21", 85 is "85").
 */
enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	int boolean;
	char *str;		/* STRING: decoded bytes; NUMBER: its text */
	size_t len;
	struct json **items;	/* ARRAY, OBJECT: the values */
	char **keys;		/* OBJECT: the keys, NUL-terminated */
	size_t n;
};

struct json_parser {
	struct arena *arena;
	const char *p;
	const char *end;
	const char *err;	/* first error, NULL while all is well */
};

static struct json *json_value(struct json_parser *jp, int depth);

static void
json_ws(struct json_parser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
	    *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static struct json *
json_fail(struct json_parser *jp, const char *what)
{
	if (jp->err == NULL)
		jp->err = what;
	return NULL;
}

static int
json_hex4(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
json_utf8(struct buf *b, unsigned int cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		buf_append(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* Decode the string at jp->p (on its opening quote) into the arena. */
static char *
json_string(struct json_parser *jp, size_t *len)
{
	struct buf b = BUF_INIT;
	unsigned int cp, lo;
	char c, *s;

	jp->p++;
	buf_reserve(&b, 0);
	for (;;) {
		if (jp->p >= jp->end)
			goto fail;
		c = *jp->p++;
		if (c == '"')
			break;
		if (c != '\\') {
			buf_append(&b, &c, 1);
			continue;
		}
		if (jp->p >= jp->end)
			goto fail;
		switch ((c = *jp->p++)) {
		case 'n': buf_putc(&b, '\n'); break;
		case 'r': buf_putc(&b, '\r'); break;
		case 't': buf_putc(&b, '\t'); break;
		case 'b': buf_putc(&b, '\b'); break;
		case 'f': buf_putc(&b, '\f'); break;
		case '"': case '\\': case '/': buf_putc(&b, c); break;
		case 'u':
			if (jp->end - jp->p < 4 || json_hex4(jp->p, &cp) == -1)
				goto fail;
			jp->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && jp->end - jp->p >= 6 &&
			    jp->p[0] == '\\' && jp->p[1] == 'u' &&
			    json_hex4(jp->p + 2, &lo) == 0 &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				jp->p += 6;
			}
			json_utf8(&b, cp);
			break;
		default:
			goto fail;
		}
	}
	s = arena_strndup(jp->arena, b.data, b.len);
	*len = b.len;
	buf_free(&b);
	return s;
fail:
	buf_free(&b);
	json_fail(jp, "bad string");
	return NULL;
}

/* Append v (and key, for objects) to j's arrays, doubling them in the arena. */
static void
json_push(struct json_parser *jp, struct json *j, size_t *cap, char *key,
	  struct json *v)
{
	if (j->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct json **items = arena_alloc(jp->arena, ncap * sizeof(*items));
		char **keys = arena_alloc(jp->arena, ncap * sizeof(*keys));

		if (j->n > 0) {
			memcpy(items, j->items, j->n * sizeof(*items));
			memcpy(keys, j->keys, j->n * sizeof(*keys));
		}
		j->items = items;
		j->keys = keys;
		*cap = ncap;
	}
	j->keys[j->n] = key;
	j->items[j->n++] = v;
}

static struct json *
json_container(struct json_parser *jp, struct json *j, int depth)
{
	char close = j->type == JSON_ARRAY ? ']' : '}';
	size_t cap = 0, klen;
	char *key = NULL;
	struct json *v;

	jp->p++;
	json_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return j;
	}
	for (;;) {
		json_ws(jp);
		if (j->type == JSON_OBJECT) {
			if (jp->p >= jp->end || *jp->p != '"' ||
			    (key = json_string(jp, &klen)) == NULL)
				return json_fail(jp, "bad object key");
			json_ws(jp);
			if (jp->p >= jp->end || *jp->p++ != ':')
				return json_fail(jp, "missing ':'");
		}
		if ((v = json_value(jp, depth + 1)) == NULL)
			return NULL;
		json_push(jp, j, &cap, key, v);
		json_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			return j;
		}
		return json_fail(jp, "missing ',' or end of container");
	}
}

static struct json *
json_value(struct json_parser *jp, int depth)
{
	struct json *j;
	char *num, *endp;
	const char *s;
	double d;

	if (depth > 64)
		return json_fail(jp, "nested too deep");
	json_ws(jp);
	if (jp->p >= jp->end)
		return json_fail(jp, "unexpected end");
	j = arena_zalloc(jp->arena, sizeof(*j));
	switch (*jp->p) {
	case '{':
		j->type = JSON_OBJECT;
		return json_container(jp, j, depth);
	case '[':
		j->type = JSON_ARRAY;
		return json_container(jp, j, depth);
	case '"':
		j->type = JSON_STRING;
		return (j->str = json_string(jp, &j->len)) == NULL ? NULL : j;
	case 't':
	case 'f':
	case 'n':
		s = *jp->p == 't' ? "true" : *jp->p == 'f' ? "false" : "null";
		if ((size_t)(jp->end - jp->p) < strlen(s) ||
		    memcmp(jp->p, s, strlen(s)) != 0)
			return json_fail(jp, "bad literal");
		jp->p += strlen(s);
		j->type = *s == 'n' ? JSON_NULL : JSON_BOOL;
		j->boolean = *s == 't';
		return j;
	default:
		for (s = jp->p; s < jp->end && strchr("+-0123456789.eE", *s) &&
		    *s != '\0'; s++)
			continue;
		num = arena_strndup(jp->arena, jp->p, (size_t)(s - jp->p));
		d = strtod(num, &endp);
		if (s == jp->p || *endp != '\0')
			return json_fail(jp, "bad number");
		jp->p = s;
		j->type = JSON_NUMBER;
		j->str = arena_printf(jp->arena, "%.15g", d);
		j->len = strlen(j->str);
		return j;
	}
}

/* Parse len bytes of JSON into a tree in a.  Returns it, or NULL with *err set. */
static struct json *
json_parse(struct arena *a, const char *s, size_t len, const char **err)
{
	struct json_parser jp = { a, s, s + len, NULL };
	struct json *j;

	j = json_value(&jp, 0);
	json_ws(&jp);
	if (j != NULL && jp.p != jp.end)
		j = json_fail(&jp, "trailing bytes");
	*err = jp.err;
	return j;
}

static const struct json *
json_get(const struct json *j, const char *key)
{
	size_t i;

	if (j == NULL || j->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (strcmp(j->keys[i], key) == 0)
			return j->items[i];
	return NULL;
}

/* The template data the spec describes by j, built in a. */
static struct mu_value
json_to_mu(struct arena *a, const struct json *j)
{
	struct mu_list *l;
	struct mu_map *m;
	size_t i;

	switch (j->type) {
	case JSON_BOOL:
		return mu_bool(j->boolean);
	case JSON_NUMBER:
	case JSON_STRING:
		return mu_strn(j->str, j->len);
	case JSON_ARRAY:
		l = mu_list_new(a);
		for (i = 0; i < j->n; i++)
			mu_list_push(l, json_to_mu(a, j->items[i]));
		return mu_list_value(l);
	case JSON_OBJECT:
		m = mu_map_new(a);
		for (i = 0; i < j->n; i++)
			mu_set(m, j->keys[i], json_to_mu(a, j->items[i]));
		return mu_map_value(m);
	default:
		return mu_null();
	}
}

/* Read a whole file into a heap buffer the caller frees, or NULL. */
static char *
file_read(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	return buf_detach(&b, len);
}

static int
file_write(const char *path, const char *s)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	rc = fputs(s, f) == EOF ? -1 : 0;
	if (fclose(f) == EOF)
		rc = -1;
	return rc;
}

/* Print s with C escapes, so that whitespace differences show. */
static void
print_quoted(const char *label, const char *s, size_t len)
{
	size_t i;

	fprintf(stderr, "  %-9s \"", label);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c < 0x20)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs("\"\n", stderr);
}

/* Compile src as "t" in a fresh set of these flags, render it with root: the output (caller frees). */
static char *
render_flags(int flags, const char *src, const struct mu_value *root, int *rc)
{
	struct mu_set *set = mu_set_new_flags(flags);
	struct buf out = BUF_INIT;
	char err[256];

	if (mu_set_add(set, "t", src, strlen(src), err, sizeof(err)) == -1) {
		fprintf(stderr, "compile failed: %s\n", err);
		mu_set_free(set);
		*rc = -1;
		return NULL;
	}
	*rc = mu_render(set, "t", root, &out);
	mu_set_free(set);
	/* Terminates out even when nothing was rendered. */
	buf_append(&out, "", 0);
	return buf_detach(&out, NULL);
}

/* The same in a set as parley's programs make it (mu_set_new). */
static char *
render_one(const char *src, const struct mu_value *root, int *rc)
{
	return render_flags(0, src, root, rc);
}

static void
test_escaping(void)
{
	static const struct {
		const char *in;
		const char *escaped;
	} cases[] = {
		{ "&", "&amp;" },
		{ "<", "&lt;" },
		{ ">", "&gt;" },
		{ "\"", "&quot;" },
		{ "'", "&#39;" },
		{ "<a href=\"x\" title='y'>&amp;</a>",
		  "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;"
		  "&amp;amp;&lt;/a&gt;" },
		{ "plain text, caf\xc3\xa9", "plain text, caf\xc3\xa9" },
		{ "", "" },
		{ "&&&", "&amp;&amp;&amp;" },
		{ "x<", "x&lt;" },
		{ ">x", "&gt;x" },
	};
	struct arena a;
	struct mu_map *m;
	struct mu_value root;
	char *got;
	size_t i;
	int rc;

	arena_init(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = mu_map_new(&a);
		mu_set_str(m, "x", cases[i].in);
		root = mu_map_value(m);
		got = render_one("{{x}}", &root, &rc);
		CHECK(rc == 0);
		CHECK_STR(got, cases[i].escaped);
		free(got);
		/* A plain string is escaped by the raw tags too... */
		got = render_one("{{{x}}}|{{&x}}", &root, &rc);
		CHECK(rc == 0);
		CHECK_STR(got, arena_printf(&a, "%s|%s", cases[i].escaped, cases[i].escaped));
		free(got);
		/* ...unless the set follows the spec (MU_RAW_STRINGS). */
		got = render_flags(MU_RAW_STRINGS, "{{{x}}}|{{&x}}", &root, &rc);
		CHECK(rc == 0);
		CHECK_STR(got, arena_printf(&a, "%s|%s", cases[i].in, cases[i].in));
		free(got);
	}
	arena_free(&a);
}

/*
 * Trust travels with the value: HTML parley made (MU_HTML) is inserted as
 * it is by every tag, a plain string is escaped by every tag, and a dotted
 * name or a section reaches the same values with the same result.
 */
static void
test_trust(void)
{
	static const char *const tags[] = {
		"{{v}}", "{{{v}}}", "{{&v}}", "{{ v }}", "{{{ v }}}", "{{& v }}",
		"{{#m}}{{v}}{{/m}}", "{{#m}}{{{v}}}{{/m}}", "{{m.v}}", "{{{m.v}}}",
		"{{#l}}{{.}}{{/l}}", "{{#l}}{{{.}}}{{/l}}", "{{#l}}{{&.}}{{/l}}",
		"{{=<% %>=}}<%v%>", "{{=<% %>=}}<%{v}%>", "{{=<% %>=}}<%&v%>",
	};
	static const char script[] = "<script>alert('x')</script>";
	static const char escaped[] = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;";
	static const char html[] = "<p>Made <em>here</em> &amp; safe</p>";
	struct arena a;
	struct mu_map *text, *trusted;
	struct mu_value root;
	char *got;
	size_t i;
	int rc;

	arena_init(&a);
	text = mu_map_new(&a);
	mu_set_str(text, "v", script);
	mu_set_map(text, "m", text);
	mu_set_list(text, "l", mu_list_new(&a));
	mu_list_push(mu_map_get(text, "l")->u.list, mu_str(script));
	trusted = mu_map_new(&a);
	mu_set_html(trusted, "v", html_trust(html));
	mu_set_map(trusted, "m", trusted);
	mu_set_list(trusted, "l", mu_list_new(&a));
	mu_list_push(mu_map_get(trusted, "l")->u.list, mu_html(html_trust(html)));
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		root = mu_map_value(text);
		got = render_one(tags[i], &root, &rc);
		CHECK(rc == 0);
		CHECK_STR(got, escaped);
		free(got);
		root = mu_map_value(trusted);
		got = render_one(tags[i], &root, &rc);
		CHECK(rc == 0);
		CHECK_STR(got, html);
		free(got);
		/* The spec's set changes nothing for HTML values. */
		got = render_flags(MU_RAW_STRINGS, tags[i], &root, &rc);
		CHECK_STR(got, html);
		free(got);
	}
	arena_free(&a);
}

static void
test_syntax_errors(void)
{
	static const struct {
		const char *src;
		const char *message;	/* expected start of err */
	} cases[] = {
		{ "a\n{{#s}}\nb\n", "t:2: unclosed section {{#s}}" },
		{ "{{^s}}", "t:1: unclosed section {{^s}}" },
		{ "{{#a}}\n{{/b}}",
		  "t:2: closing tag {{/b}} does not match {{#a}}" },
		{ "x\n\n{{y", "t:3: unclosed tag" },
		{ "{{{y}}", "t:1: unclosed tag" },
		{ "ok\n{{/a}}", "t:2: closing tag {{/a}} without an open section" },
		{ "{{}}", "t:1: empty tag" },
		{ "{{ }}", "t:1: empty tag" },
		{ "{{=<%>=}}", "t:1: bad delimiter tag" },
		{ "{{=<% %> x=}}", "t:1: bad delimiter tag" },
		{ "\n{{a b}}", "t:2: space in name" },
		{ "{{a..b}}", "t:1: bad name" },
		{ "{{=<% %>=}}\n<%x}}", "t:2: unclosed tag" },
	};
	struct mu_set *set = mu_set_new();
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(mu_set_add(set, "t", cases[i].src, strlen(cases[i].src),
		    err, sizeof(err)) == -1);
		if (strncmp(err, cases[i].message, strlen(cases[i].message)) != 0)
			CHECK_STR(err, cases[i].message);
		CHECK(strchr(err, '\n') == NULL);
		CHECK(!mu_set_has(set, "t"));
		/* No message buffer at all must be safe too. */
		CHECK(mu_set_add(set, "t", cases[i].src, strlen(cases[i].src),
		    NULL, 0) == -1);
	}
	/* A message longer than the buffer is cut, never overflowed. */
	CHECK(mu_set_add(set, "t", "{{/abcdefgh}}", 13, err, 8) == -1);
	CHECK_STR(err, "t:1: cl");
	mu_set_free(set);
}

static void
test_data_model(void)
{
	struct arena a;
	struct mu_map *m, *child;
	struct mu_list *l;
	struct mu_value root;
	const struct mu_value *v;
	char key[32], *keys[200], *got;
	size_t i;
	int rc;

	arena_init(&a);
	m = mu_map_new(&a);
	mu_set_str(m, "a", "first");
	mu_set_str(m, "a", "second");
	CHECK((v = mu_map_get(m, "a")) != NULL && v->type == MU_STR &&
	    v->u.str.len == 6 && memcmp(v->u.str.s, "second", 6) == 0);
	CHECK(mu_map_get(m, "b") == NULL);
	mu_set_str(m, "n", NULL);
	CHECK((v = mu_map_get(m, "n")) != NULL && v->type == MU_NULL);
	mu_set_int(m, "i", -42);
	CHECK((v = mu_map_get(m, "i")) != NULL && v->type == MU_STR &&
	    strcmp(v->u.str.s, "-42") == 0);
	mu_set_strn(m, "s", "abcdef", 3);
	mu_set_bool(m, "t", 1);
	mu_set_bool(m, "f", 0);
	mu_set_str(m, "empty", "");
	l = mu_list_new(&a);
	for (i = 0; i < 3; i++)
		mu_set_int(mu_list_push_map(l), "k", (long long)i);
	mu_set_list(m, "list", l);
	CHECK(mu_list_len(l) == 3);
	child = mu_map_new(&a);
	mu_set_str(child, "a", "inner");
	mu_set_map(m, "child", child);
	mu_set_map(m, "nomap", NULL);
	mu_set_list(m, "nolist", NULL);
	CHECK((v = mu_map_get(m, "nomap")) != NULL && v->type == MU_NULL);

	/* Many keys: every one is found after the arrays have grown. */
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "key%zu", i);
		keys[i] = arena_strdup(&a, key);
		mu_set_int(m, keys[i], (long long)i);
	}
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "%zu", i);
		CHECK((v = mu_map_get(m, keys[i])) != NULL &&
		    strcmp(v->u.str.s, key) == 0);
	}

	root = mu_map_value(m);
	got = render_one("{{a}} {{s}} {{i}} [{{n}}] {{t}} {{f}} [{{list}}]"
	    "{{#list}}<{{k}}{{a}}>{{/list}}"
	    "{{#child}}{{a}}/{{s}}{{/child}}"
	    "{{#empty}}E{{.}}E{{/empty}}{{^nomap}}!{{/nomap}}"
	    "{{^nolist}}?{{/nolist}}{{#f}}no{{/f}}{{^t}}no{{/t}}", &root, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, "second abc -42 [] true false []"
	    "<0second><1second><2second>inner/abcEE!?");
	free(got);

	/* A missing root renders every name as a miss. */
	got = render_one("[{{x}}{{#x}}y{{/x}}{{^x}}z{{/x}}]", NULL, &rc);
	CHECK(rc == 0);
	CHECK_STR(got, "[z]");
	free(got);
	arena_free(&a);
}

static void
test_partials(void)
{
	static const struct {
		const char *name;
		const char *src;
	} templates[] = {
		{ "page", "<ul>\n  {{> item }}\n</ul>\n" },
		{ "item", "<li>\n  {{>body}}\n</li>\n" },
		{ "body", "x\n\n{{v}}\n{{#v}}\n  in\n{{/v}}\n" },
		{ "loop", "x{{>loop}}" },
		{ "ping", "<{{>pong}}" },
		{ "pong", ">{{>ping}}" },
	};
	struct mu_set *set = mu_set_new();
	struct buf out = BUF_INIT;
	struct arena a;
	struct mu_map *m;
	struct mu_value root;
	char err[256];
	size_t i;

	arena_init(&a);
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
		CHECK(mu_set_add(set, templates[i].name, templates[i].src,
		    strlen(templates[i].src), err, sizeof(err)) == 0);
	CHECK(mu_set_has(set, "page"));
	CHECK(!mu_set_has(set, "nope"));
	CHECK(mu_render(set, "nope", NULL, &out) == -1);

	/* Nested standalone partials add up their indents, data is not indented. */
	m = mu_map_new(&a);
	mu_set_str(m, "v", "1\n2");
	root = mu_map_value(m);
	CHECK(mu_render(set, "page", &root, &out) == 0);
	CHECK_STR(out.data,
	    "<ul>\n  <li>\n    x\n\n    1\n2\n      in\n  </li>\n</ul>\n");

	/* Runaway recursion stops at the cap and reports it. */
	buf_reset(&out);
	CHECK(mu_render(set, "loop", &root, &out) == -1);
	CHECK(out.len == 65);
	buf_reset(&out);
	CHECK(mu_render(set, "ping", &root, &out) == -1);
	CHECK(out.len == 65);

	/* Replacing a template takes effect for later renders. */
	CHECK(mu_set_add(set, "loop", "done", 4, err, sizeof(err)) == 0);
	buf_reset(&out);
	CHECK(mu_render(set, "loop", &root, &out) == 0);
	CHECK_STR(out.data, "done");
	buf_free(&out);
	mu_set_free(set);
	arena_free(&a);
}

static void
test_load_dir(void)
{
	static const struct {
		const char *file;
		const char *src;
	} files[] = {
		{ "page.mustache", "<h1>{{title}}</h1>\n{{> item}}\n" },
		{ "item.mustache", "<p>{{body}}</p>\n" },
		{ "notes.txt", "{{#broken" },
		{ ".hidden.mustache", "{{#broken" },
	};
	char dir[] = "/tmp/parley-mustache-XXXXXX", path[512], err[512];
	struct mu_set *set = mu_set_new();
	struct buf out = BUF_INIT;
	struct arena a;
	struct mu_map *m;
	struct mu_value root;
	size_t i;

	arena_init(&a);
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		mu_set_free(set);
		return;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].file);
		CHECK(file_write(path, files[i].src) == 0);
	}
	snprintf(path, sizeof(path), "%s/sub.mustache", dir);
	CHECK(mkdir(path, 0700) == 0);

	CHECK(mu_set_load_dir(set, dir, err, sizeof(err)) == 2);
	CHECK(mu_set_has(set, "page") && mu_set_has(set, "item"));
	CHECK(!mu_set_has(set, "sub") && !mu_set_has(set, ".hidden"));
	m = mu_map_new(&a);
	mu_set_str(m, "title", "Hi & bye");
	mu_set_str(m, "body", "<b>");
	root = mu_map_value(m);
	CHECK(mu_render(set, "page", &root, &out) == 0);
	CHECK_STR(out.data, "<h1>Hi &amp; bye</h1>\n<p>&lt;b&gt;</p>\n");

	/* A syntax error names the file and the line. */
	snprintf(path, sizeof(path), "%s/bad.mustache", dir);
	CHECK(file_write(path, "ok\n{{#x}}\n") == 0);
	CHECK(mu_set_load_dir(set, dir, err, sizeof(err)) == -1);
	snprintf(path, sizeof(path), "%s/bad.mustache:2: unclosed section", dir);
	CHECK_CONTAINS(err, path);
	snprintf(path, sizeof(path), "%s/bad.mustache", dir);
	CHECK(unlink(path) == 0);

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].file);
		CHECK(unlink(path) == 0);
	}
	snprintf(path, sizeof(path), "%s/sub.mustache", dir);
	CHECK(rmdir(path) == 0);
	CHECK(rmdir(dir) == 0);

	/* A missing folder is an error with a message. */
	CHECK(mu_set_load_dir(set, dir, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, dir);

	buf_free(&out);
	mu_set_free(set);
	arena_free(&a);
}

/* The next number of a xorshift generator: deterministic test input. */
static uint64_t
test_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/*
 * Compile and render thousands of random templates made of tag fragments:
 * nothing may crash or read out of bounds (the sanitizer build checks), a
 * failed compile always explains itself and a compiled one renders.
 */
static void
test_garbage(void)
{
	static const char *pieces[] = {
		"{{", "}}", "{", "}", "{{#a}}", "{{/a}}", "{{^b}}", "{{/b}}",
		"{{#ab}}", "{{/ab}}", "{{.}}", "{{{a}}}", "{{&a}}", "{{ a.b }}",
		"{{> w}}", "{{>x}}", "{{=| |=}}", "|a|", "|#b|", "|/b|",
		"|=<< >>=|",
		"<<a>>", "{{!x}}", "{{=", "=}}", " ", "  ", "\n", "\r\n", "\t",
		"a", ".", "#", "/", "^", ">", "&", "=", "!",
	};
	struct mu_set *set = mu_set_new();
	struct buf out = BUF_INIT, src = BUF_INIT;
	struct arena a;
	struct mu_map *m, *child;
	struct mu_list *l;
	struct mu_value root;
	uint64_t state = 0x9e3779b97f4a7c15ull;
	char err[256];
	size_t n, i;
	int iter, bad = 0, compiled = 0;

	arena_init(&a);
	m = mu_map_new(&a);
	mu_set_str(m, "a", "<A>");
	mu_set_bool(m, "b", 1);
	l = mu_list_new(&a);
	child = mu_list_push_map(l);
	mu_set_str(child, "a", "x");
	mu_list_push(l, mu_str("y"));
	mu_set_list(m, "ab", l);
	root = mu_map_value(m);
	/* "t" is the random template; when it calls "w", which calls "t",
	 * rendering runs into the recursion cap and fails by design. */
	CHECK(mu_set_add(set, "w", "[{{>t}}]", 8, err, sizeof(err)) == 0);
	for (iter = 0; iter < 20000; iter++) {
		buf_reset(&src);
		n = test_random(&state) % 24;
		for (i = 0; i < n; i++)
			buf_puts(&src, pieces[test_random(&state) %
			    (sizeof(pieces) / sizeof(pieces[0]))]);
		err[0] = '\0';
		if (mu_set_add(set, "t", src.data, src.len, err,
		    sizeof(err)) == -1) {
			if (strncmp(err, "t:", 2) != 0) {
				fprintf(stderr, "no message for \"%s\"\n",
				    src.data);
				bad++;
			}
			continue;
		}
		compiled++;
		buf_reset(&out);
		if (mu_render(set, "t", &root, &out) == -1 &&
		    strstr(src.data, "> w") == NULL) {
			fprintf(stderr, "render failed for \"%s\"\n", src.data);
			bad++;
		}
	}
	CHECK(bad == 0);
	CHECK(compiled > 1000);
	buf_free(&src);
	buf_free(&out);
	mu_set_free(set);
	arena_free(&a);
}

/*
 * Run every case of one spec file.  Returns the number of cases that
 * passed in *passed and the number run in *run; a file that cannot be read
 * or parsed is a failure.
 */
static void
spec_file(const char *dir, const char *file, int *passed, int *run)
{
	const struct json *tests, *t, *name, *data, *tpl, *want, *partials;
	const char *jerr;
	char path[1024], err[512], *text;
	struct json *doc;
	struct mu_value root;
	struct mu_set *set;
	struct buf out = BUF_INIT;
	struct arena a;
	size_t len, i, k;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	arena_init(&a);
	if ((text = file_read(path, &len)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		CHECK(!"spec file readable");
		return;
	}
	doc = json_parse(&a, text, len, &jerr);
	if (doc == NULL || (tests = json_get(doc, "tests")) == NULL ||
	    tests->type != JSON_ARRAY) {
		fprintf(stderr, "%s: %s\n", path, jerr ? jerr : "no tests");
		CHECK(!"spec file parses");
		goto out;
	}
	for (i = 0; i < tests->n; i++) {
		t = tests->items[i];
		name = json_get(t, "name");
		data = json_get(t, "data");
		tpl = json_get(t, "template");
		want = json_get(t, "expected");
		partials = json_get(t, "partials");
		if (name == NULL || data == NULL || tpl == NULL || want == NULL ||
		    tpl->type != JSON_STRING || want->type != JSON_STRING) {
			fprintf(stderr, "%s: case %zu malformed\n", file, i);
			CHECK(!"spec case well formed");
			continue;
		}

		/* The spec's {{{x}}} inserts plain data as it is: its own set. */
		set = mu_set_new_flags(MU_RAW_STRINGS);
		ok = 1;
		err[0] = '\0';
		for (k = 0; partials != NULL && k < partials->n; k++)
			if (mu_set_add(set, partials->keys[k],
			    partials->items[k]->str, partials->items[k]->len,
			    err, sizeof(err)) == -1)
				ok = 0;
		if (ok && mu_set_add(set, "spec test", tpl->str, tpl->len, err,
		    sizeof(err)) == -1)
			ok = 0;
		buf_reset(&out);
		root = json_to_mu(&a, data);
		if (ok && mu_render(set, "spec test", &root, &out) == -1)
			ok = 0;
		if (ok && (out.len != want->len || (out.len > 0 &&
		    memcmp(out.data, want->str, out.len) != 0)))
			ok = 0;
		(*run)++;
		check_count++;
		if (ok)
			(*passed)++;
		else {
			check_failures++;
			fprintf(stderr, "%s: FAILED: %s\n", file, name->str);
			print_quoted("template:", tpl->str, tpl->len);
			print_quoted("expected:", want->str, want->len);
			print_quoted("got:", out.data, out.len);
			if (err[0] != '\0')
				fprintf(stderr, "  error:    %s\n", err);
		}
		mu_set_free(set);
	}
out:
	buf_free(&out);
	free(text);
	arena_free(&a);
}

/* Slots: the engine's own markers, found wherever a template puts them, never forged by data. */
static void
test_slots(void)
{
	struct arena a;
	struct mu_set *set = mu_set_new();
	struct mu_map *m;
	struct mu_value root;
	struct buf out = BUF_INIT;
	char err[128];
	const char *name;
	size_t at, len, name_len, first_end;
	static const char forged[] = "\0slot0000000000000000:x\0";

	arena_init(&a);
	CHECK(mu_set_add(set, "t", "<i value=\"{{v}}\" name=\"t\">{{{v}}}|{{f}}", 39, err,
			 sizeof(err)) == 0);
	m = mu_map_new(&a);
	mu_set_slot(m, "v", "form-token:7");
	mu_set(m, "f", mu_strn(forged, sizeof(forged) - 1));
	root = mu_map_value(m);
	CHECK(mu_render(set, "t", &root, &out) == 0);
	CHECK(mu_slot_find(out.data, out.len, &at, &len, &name, &name_len) == 1);
	CHECK(at == strlen("<i value=\""));
	CHECK(name_len == 12 && memcmp(name, "form-token:7", 12) == 0);
	first_end = at + len;
	CHECK(memcmp(out.data + first_end, "\" name=\"t\">", 11) == 0);
	CHECK(mu_slot_find(out.data + first_end, out.len - first_end, &at, &len, &name,
			   &name_len) == 1);
	/* The data that looks like a marker is not one: after the second, none. */
	first_end += at + len;
	CHECK(mu_slot_find(out.data + first_end, out.len - first_end, &at, &len, &name,
			   &name_len) == 0);
	/* A name too long for a slot renders as nothing. */
	CHECK(mu_slot("0123456789012345678901234567890123456789012345678901234567890123456789")
	      .type == MU_NULL);
	buf_free(&out);
	mu_set_free(set);
	arena_free(&a);
}

int
main(void)
{
	static const char *files[] = {
		"interpolation.json", "sections.json", "inverted.json",
		"comments.json", "partials.json", "delimiters.json",
	};
	const char *dir = getenv("PARLEY_SPEC_DIR");
	struct stat st;
	int passed = 0, run = 0;
	size_t i;

	test_escaping();
	test_trust();
	test_syntax_errors();
	test_data_model();
	test_partials();
	test_load_dir();
	test_garbage();
	test_slots();

	if (dir == NULL || *dir == '\0' || stat(dir, &st) == -1 ||
	    !S_ISDIR(st.st_mode)) {
		if (check_failures > 0)
			return check_summary();
		printf("test_mustache: skipped: the Mustache spec folder "
		    "(PARLEY_SPEC_DIR=%s) is missing\n", dir ? dir : "unset");
		return 77;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		spec_file(dir, files[i], &passed, &run);
	printf("mustache spec: %d of %d cases passed\n", passed, run);
	return check_summary();
}

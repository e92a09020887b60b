/* mustache.c: Mustache templates compiled once to node arrays, rendered by walking them. */
#include "mustache.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"
#include "render.h"

#define MU_DELIM_MAX	16	/* longest delimiter set by {{=a b=}} */
#define MU_NEST_MAX	128	/* deepest section nesting within one template */
#define MU_PARTIAL_MAX	64	/* deepest chain of partials while rendering */
#define MU_SUFFIX	".mustache"

/*
 * Data model.  Maps and lists live in the caller's arena and grow by
 * doubling (the old array stays in the arena until it is reset).  Keys are
 * not copied, like string values.  Each entry carries the key's length and
 * hash so a lookup rejects almost every other key with one comparison.
 */
struct mu_entry {
	const char *key;
	size_t len;
	uint32_t hash;
	struct mu_value value;
};

struct mu_map {
	struct arena *arena;
	struct mu_entry *entries;
	size_t len;
	size_t cap;
};

struct mu_list {
	struct arena *arena;
	struct mu_value *items;
	size_t len;
	size_t cap;
};

/*
 * Compiled form.  A template is a flat array of nodes.  A section's body is
 * the nodes after it up to its end index, so rendering a section is a call
 * on a sub-range and skipping it is a jump.  Names and text point into the
 * template's own copy of its source.
 */
enum mu_node_type {
	MU_NODE_TEXT,		/* literal bytes */
	MU_NODE_ESCAPED,	/* {{name}} */
	MU_NODE_RAW,		/* {{{name}}} and {{&name}} */
	MU_NODE_SECTION,	/* {{#name}} ... {{/name}} */
	MU_NODE_INVERTED,	/* {{^name}} ... {{/name}} */
	MU_NODE_PARTIAL,	/* {{>name}} */
};

/* One part of a dotted name. */
struct mu_key {
	const char *s;
	size_t len;
	uint32_t hash;
};

struct mu_node {
	enum mu_node_type type;
	int line_start;		/* begins a template line (gets partial indent) */
	const char *text;	/* TEXT: the bytes; others: the tag's name */
	size_t len;
	size_t key;		/* first part of the name in the template's keys */
	size_t nkeys;		/* parts in the name; 0 for "." */
	size_t end;		/* SECTION, INVERTED: first node after the body */
	uint32_t hash;		/* PARTIAL: hash of the name */
	int standalone;		/* PARTIAL: alone on its line */
	const char *indent;	/* PARTIAL: whitespace before a standalone tag */
	size_t indentlen;
};

struct mu_template {
	char *name;
	size_t namelen;
	uint32_t hash;
	char *src;
	size_t srclen;
	struct mu_node *nodes;
	size_t nnodes;
	size_t capnodes;
	struct mu_key *keys;
	size_t nkeys;
	size_t capkeys;
};

struct mu_set {
	struct mu_template **templates;
	size_t len;
	size_t cap;
};

/* FNV-1a, for map keys and template names. */
static uint32_t
mu_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Grow a heap array of elements of size sz to hold one more; aborts on OOM. */
static void *
mu_grow(void *p, size_t *cap, size_t len, size_t sz)
{
	size_t ncap;

	if (len < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / sz)
		die("mustache: array too large");
	if ((p = realloc(p, ncap * sz)) == NULL)
		die("out of memory");
	*cap = ncap;
	return p;
}

/* Data model. */

struct mu_value
mu_null(void)
{
	struct mu_value v;

	memset(&v, 0, sizeof(v));
	v.type = MU_NULL;
	return v;
}

struct mu_value
mu_bool(int b)
{
	struct mu_value v = mu_null();

	v.type = MU_BOOL;
	v.u.boolean = b != 0;
	return v;
}

struct mu_value
mu_strn(const char *s, size_t len)
{
	struct mu_value v = mu_null();

	if (s == NULL)
		return v;
	v.type = MU_STR;
	v.u.str.s = s;
	v.u.str.len = len;
	return v;
}

struct mu_value
mu_str(const char *s)
{
	return s == NULL ? mu_null() : mu_strn(s, strlen(s));
}

struct mu_value
mu_html(struct html h)
{
	struct mu_value v = mu_str(h.s);

	if (v.type == MU_STR)
		v.type = MU_HTML;
	return v;
}

struct mu_value
mu_map_value(struct mu_map *m)
{
	struct mu_value v = mu_null();

	if (m == NULL)
		return v;
	v.type = MU_MAP;
	v.u.map = m;
	return v;
}

struct mu_value
mu_list_value(struct mu_list *l)
{
	struct mu_value v = mu_null();

	if (l == NULL)
		return v;
	v.type = MU_LIST;
	v.u.list = l;
	return v;
}

struct mu_map *
mu_map_new(struct arena *a)
{
	struct mu_map *m = arena_zalloc(a, sizeof(*m));

	m->arena = a;
	return m;
}

/* The entry for key in m, or NULL. */
static struct mu_entry *
mu_map_find(const struct mu_map *m, const char *key, size_t len, uint32_t hash)
{
	size_t i;

	if (m == NULL)
		return NULL;
	for (i = 0; i < m->len; i++) {
		struct mu_entry *e = &m->entries[i];

		if (e->hash == hash && e->len == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

void
mu_set(struct mu_map *m, const char *key, struct mu_value v)
{
	size_t len = strlen(key);
	uint32_t hash = mu_hash(key, len);
	struct mu_entry *e;

	if ((e = mu_map_find(m, key, len, hash)) != NULL) {
		e->value = v;
		return;
	}
	if (m->len == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;

		e = arena_alloc(m->arena, ncap * sizeof(*e));
		if (m->len > 0)
			memcpy(e, m->entries, m->len * sizeof(*e));
		m->entries = e;
		m->cap = ncap;
	}
	e = &m->entries[m->len++];
	e->key = key;
	e->len = len;
	e->hash = hash;
	e->value = v;
}

void
mu_set_str(struct mu_map *m, const char *key, const char *s)
{
	mu_set(m, key, mu_str(s));
}

/*
 * A slot's marker: NUL, "slot", 16 random hex digits made once per process,
 * ':', the name, NUL.  Only the engine writes it (see mustache.h).
 */
#define MU_SLOT_KEY_LEN 21
static char mu_slot_key[MU_SLOT_KEY_LEN + 1];
static pthread_once_t mu_slot_once = PTHREAD_ONCE_INIT;

static void
mu_slot_key_make(void)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[8];
	size_t got = 0;
	int i;

	while (got < sizeof(rnd)) {
		ssize_t n = getrandom(rnd + got, sizeof(rnd) - got, 0);
		if (n < 0 && errno != EINTR)
			die("getrandom: %s", strerror(errno));
		if (n > 0)
			got += (size_t)n;
	}
	memcpy(mu_slot_key, "\0slot", 5);
	for (i = 0; i < 8; i++) {
		mu_slot_key[5 + 2 * i] = hex[rnd[i] >> 4];
		mu_slot_key[6 + 2 * i] = hex[rnd[i] & 15];
	}
}

struct mu_value
mu_slot(const char *name)
{
	struct mu_value v = mu_str(name);

	pthread_once(&mu_slot_once, mu_slot_key_make);
	if (v.type == MU_STR && v.u.str.len <= MU_SLOT_NAME_MAX)
		v.type = MU_SLOT;
	else
		v = mu_null();
	return v;
}

void
mu_set_slot(struct mu_map *m, const char *key, const char *name)
{
	mu_set(m, key, mu_slot(name));
}

static void
mu_slot_put(struct buf *out, const struct mu_value *v)
{
	buf_append(out, mu_slot_key, MU_SLOT_KEY_LEN);
	buf_append(out, ":", 1);
	buf_append(out, v->u.str.s, v->u.str.len);
	buf_append(out, "", 1);
}

int
mu_slot_find(const char *buf, size_t len, size_t *at, size_t *marker_len,
	     const char **name, size_t *name_len)
{
	const char *p, *end;

	pthread_once(&mu_slot_once, mu_slot_key_make);
	if (buf == NULL || (p = memmem(buf, len, mu_slot_key, MU_SLOT_KEY_LEN)) == NULL)
		return 0;
	if ((size_t)(p - buf) + MU_SLOT_KEY_LEN + 1 > len || p[MU_SLOT_KEY_LEN] != ':')
		return 0;
	end = memchr(p + MU_SLOT_KEY_LEN + 1, '\0', len - (size_t)(p - buf) - MU_SLOT_KEY_LEN - 1);
	if (end == NULL)
		return 0;
	*at = (size_t)(p - buf);
	*marker_len = (size_t)(end - p) + 1;
	*name = p + MU_SLOT_KEY_LEN + 1;
	*name_len = (size_t)(end - *name);
	return 1;
}

void
mu_set_html(struct mu_map *m, const char *key, struct html h)
{
	mu_set(m, key, mu_html(h));
}

void
mu_set_strn(struct mu_map *m, const char *key, const char *s, size_t len)
{
	mu_set(m, key, mu_strn(s, len));
}

void
mu_set_int(struct mu_map *m, const char *key, long long n)
{
	mu_set(m, key, mu_str(arena_printf(m->arena, "%lld", n)));
}

void
mu_set_bool(struct mu_map *m, const char *key, int b)
{
	mu_set(m, key, mu_bool(b));
}

void
mu_set_map(struct mu_map *m, const char *key, struct mu_map *child)
{
	mu_set(m, key, mu_map_value(child));
}

void
mu_set_list(struct mu_map *m, const char *key, struct mu_list *list)
{
	mu_set(m, key, mu_list_value(list));
}

const struct mu_value *
mu_map_get(const struct mu_map *m, const char *key)
{
	size_t len = strlen(key);
	const struct mu_entry *e;

	if (m == NULL)
		return NULL;
	e = mu_map_find(m, key, len, mu_hash(key, len));
	return e == NULL ? NULL : &e->value;
}

struct mu_list *
mu_list_new(struct arena *a)
{
	struct mu_list *l = arena_zalloc(a, sizeof(*l));

	l->arena = a;
	return l;
}

void
mu_list_push(struct mu_list *l, struct mu_value v)
{
	if (l->len == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		struct mu_value *items;

		items = arena_alloc(l->arena, ncap * sizeof(*items));
		if (l->len > 0)
			memcpy(items, l->items, l->len * sizeof(*items));
		l->items = items;
		l->cap = ncap;
	}
	l->items[l->len++] = v;
}

struct mu_map *
mu_list_push_map(struct mu_list *l)
{
	struct mu_map *m = mu_map_new(l->arena);

	mu_list_push(l, mu_map_value(m));
	return m;
}

size_t
mu_list_len(const struct mu_list *l)
{
	return l == NULL ? 0 : l->len;
}

struct mu_map *
mu_list_map(const struct mu_list *l, size_t i)
{
	if (l == NULL || i >= l->len || l->items[i].type != MU_MAP)
		return NULL;
	return l->items[i].u.map;
}

/* Compiler. */

struct mu_parser {
	struct mu_template *t;
	const char *label;	/* name in error messages: template or file */
	const char *src;	/* the template's own copy */
	const char *end;
	char otag[MU_DELIM_MAX + 1];
	size_t olen;
	char ctag[MU_DELIM_MAX + 2];	/* room for the '}' or '=' before it */
	size_t clen;
	int line_start;		/* the next node begins a template line */
	size_t stack[MU_NEST_MAX];	/* open sections, as node indices */
	size_t depth;
	char *err;
	size_t errlen;
};

/* Write "label:line: message" for the source position pos into err; returns -1. */
static int mu_error(struct mu_parser *p, const char *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
mu_error(struct mu_parser *p, const char *pos, const char *fmt, ...)
{
	va_list ap;
	size_t line = 1, n;
	const char *s;
	int w;

	if (p->err == NULL || p->errlen == 0)
		return -1;
	for (s = p->src; s < pos; s++)
		if (*s == '\n')
			line++;
	w = snprintf(p->err, p->errlen, "%s:%zu: ", p->label, line);
	n = w < 0 ? 0 : (size_t)w;
	if (n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
mu_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static struct mu_node *
mu_node_add(struct mu_parser *p, enum mu_node_type type, const char *text,
	    size_t len)
{
	struct mu_template *t = p->t;
	struct mu_node *n;

	t->nodes = mu_grow(t->nodes, &t->capnodes, t->nnodes, sizeof(*n));
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->text = text;
	n->len = len;
	n->line_start = p->line_start;
	return n;
}

static void
mu_text_add(struct mu_parser *p, const char *s, const char *e)
{
	if (e <= s)
		return;
	mu_node_add(p, MU_NODE_TEXT, s, (size_t)(e - s));
	p->line_start = e[-1] == '\n';
}

/*
 * Split a tag's name into the template's key table: "." is the implicit
 * iterator (no parts), "a.b.c" has three.  Returns 0, or -1 with a message
 * for an empty part.
 */
static int
mu_name_parse(struct mu_parser *p, struct mu_node *n, const char *pos)
{
	struct mu_template *t = p->t;
	const char *s = n->text, *e = n->text + n->len, *dot;
	struct mu_key *k;

	n->key = t->nkeys;
	n->nkeys = 0;
	if (n->len == 1 && s[0] == '.')
		return 0;
	for (;;) {
		if ((dot = memchr(s, '.', (size_t)(e - s))) == NULL)
			dot = e;
		if (dot == s)
			return mu_error(p, pos, "bad name \"%.*s\"",
			    (int)n->len, n->text);
		t->keys = mu_grow(t->keys, &t->capkeys, t->nkeys, sizeof(*k));
		k = &t->keys[t->nkeys++];
		k->s = s;
		k->len = (size_t)(dot - s);
		k->hash = mu_hash(s, k->len);
		n->nkeys++;
		if (dot == e)
			return 0;
		s = dot + 1;
	}
}

/*
 * Handle {{=open close=}}: content is the text between the two '='.
 * Returns 0, or -1 with a message.
 */
static int
mu_delim_parse(struct mu_parser *p, const char *s, const char *e,
	       const char *pos)
{
	const char *o, *oe, *c, *ce;

	while (s < e && mu_is_space(*s))
		s++;
	while (e > s && mu_is_space(e[-1]))
		e--;
	for (o = oe = s; oe < e && !mu_is_space(*oe); oe++)
		continue;
	for (c = oe; c < e && mu_is_space(*c); c++)
		continue;
	for (ce = c; ce < e && !mu_is_space(*ce); ce++)
		continue;
	if (oe == o || ce == c || ce != e || c == oe)
		return mu_error(p, pos, "bad delimiter tag");
	if ((size_t)(oe - o) > MU_DELIM_MAX || (size_t)(ce - c) > MU_DELIM_MAX)
		return mu_error(p, pos, "delimiter longer than %d bytes",
		    MU_DELIM_MAX);
	if (memchr(o, '=', (size_t)(oe - o)) != NULL ||
	    memchr(c, '=', (size_t)(ce - c)) != NULL)
		return mu_error(p, pos, "delimiter contains '='");
	p->olen = (size_t)(oe - o);
	memcpy(p->otag, o, p->olen);
	p->clen = (size_t)(ce - c);
	memcpy(p->ctag, c, p->clen);
	return 0;
}

/*
 * If the tag spanning [tag, after) is alone on its line (only spaces and
 * tabs around it), return 1 and set *cut to the line's start and *resume
 * past its line ending; otherwise return 0.
 */
static int
mu_standalone(const struct mu_parser *p, const char *text, const char *tag,
	      const char *after, const char **cut, const char **resume)
{
	const char *s = tag, *r = after;

	while (s > text && (s[-1] == ' ' || s[-1] == '\t'))
		s--;
	if (s != p->src && s[-1] != '\n')
		return 0;
	while (r < p->end && (*r == ' ' || *r == '\t'))
		r++;
	if (r < p->end && *r == '\n')
		r++;
	else if (r + 1 < p->end && r[0] == '\r' && r[1] == '\n')
		r += 2;
	else if (r != p->end)
		return 0;
	*cut = s;
	*resume = r;
	return 1;
}

/*
 * Add the node of a tag other than a comment or delimiter change: sigil is
 * its type ('\0' for {{name}}), [s, e) its content, tag where it starts
 * (for messages) and, for a standalone tag, indent the start of its line.
 * Returns 0, or -1 with a message.
 */
static int
mu_tag_add(struct mu_parser *p, char sigil, const char *s, const char *e,
	   const char *tag, int standalone, const char *indent)
{
	struct mu_node *n;
	const char *q;

	/* Every such tag holds one name without inner whitespace. */
	while (s < e && mu_is_space(*s))
		s++;
	while (e > s && mu_is_space(e[-1]))
		e--;
	if (s == e)
		return mu_error(p, tag, "empty tag");
	for (q = s; q < e; q++)
		if (mu_is_space(*q))
			return mu_error(p, tag, "space in name \"%.*s\"",
			    (int)(e - s), s);

	switch (sigil) {
	case '/':
		if (p->depth == 0)
			return mu_error(p, tag,
			    "closing tag {{/%.*s}} without an open section",
			    (int)(e - s), s);
		n = &p->t->nodes[p->stack[p->depth - 1]];
		if (n->len != (size_t)(e - s) || memcmp(n->text, s, n->len) != 0)
			return mu_error(p, tag,
			    "closing tag {{/%.*s}} does not match {{%c%.*s}}",
			    (int)(e - s), s, n->type == MU_NODE_SECTION ? '#' : '^',
			    (int)n->len, n->text);
		n->end = p->t->nnodes;
		p->depth--;
		return 0;
	case '>':
		n = mu_node_add(p, MU_NODE_PARTIAL, s, (size_t)(e - s));
		n->hash = mu_hash(s, n->len);
		if (standalone) {
			/* The partial's own lines carry the indent instead. */
			n->line_start = 0;
			n->standalone = 1;
			n->indent = indent;
			n->indentlen = (size_t)(tag - indent);
		}
		return 0;
	case '#':
	case '^':
		if (p->depth == MU_NEST_MAX)
			return mu_error(p, tag, "sections nested deeper than %d",
			    MU_NEST_MAX);
		n = mu_node_add(p, sigil == '#' ? MU_NODE_SECTION :
		    MU_NODE_INVERTED, s, (size_t)(e - s));
		if (standalone)
			n->line_start = 0;
		p->stack[p->depth++] = p->t->nnodes - 1;
		return mu_name_parse(p, n, tag);
	default:
		n = mu_node_add(p, sigil == '\0' ? MU_NODE_ESCAPED : MU_NODE_RAW,
		    s, (size_t)(e - s));
		return mu_name_parse(p, n, tag);
	}
}

/*
 * Compile t->src into t->nodes.  Returns 0, or -1 with a one-line message
 * in p->err.
 */
static int
mu_compile(struct mu_parser *p)
{
	const char *text = p->src, *tag, *s, *close, *after, *cut, *resume;
	const struct mu_node *n;
	char sigil, needle[MU_DELIM_MAX + 2];
	size_t nlen;
	int standalone, rc;

	memcpy(p->otag, "{{", 2);
	p->olen = 2;
	memcpy(p->ctag, "}}", 2);
	p->clen = 2;
	p->line_start = 1;

	while ((tag = memmem(text, (size_t)(p->end - text), p->otag,
	    p->olen)) != NULL) {
		s = tag + p->olen;
		while (s < p->end && mu_is_space(*s))
			s++;
		sigil = s < p->end ? *s : '\0';
		if (sigil != '\0' && strchr("#^/!>&{=", sigil) != NULL)
			s++;
		else
			sigil = '\0';

		/* {{{x}}} closes with "}" and the delimiter, {{=x=}} with "=". */
		nlen = 0;
		if (sigil == '{' || sigil == '=')
			needle[nlen++] = sigil == '{' ? '}' : '=';
		memcpy(needle + nlen, p->ctag, p->clen);
		nlen += p->clen;
		if ((close = memmem(s, (size_t)(p->end - s), needle, nlen)) == NULL)
			return mu_error(p, tag, "unclosed tag");
		after = close + nlen;

		/* A standalone tag takes its whole line with it. */
		cut = tag;
		resume = after;
		standalone = sigil != '\0' && sigil != '&' && sigil != '{' &&
		    mu_standalone(p, text, tag, after, &cut, &resume);
		mu_text_add(p, text, cut);
		text = resume;

		if (sigil == '!')
			rc = 0;
		else if (sigil == '=')
			rc = mu_delim_parse(p, s, close, tag);
		else
			rc = mu_tag_add(p, sigil, s, close, tag, standalone, cut);
		if (rc == -1)
			return -1;

		/* Comments, delimiter changes and closing tags write nothing. */
		if (standalone)
			p->line_start = 1;
		else if (sigil != '!' && sigil != '=' && sigil != '/')
			p->line_start = 0;
	}
	mu_text_add(p, text, p->end);
	if (p->depth > 0) {
		n = &p->t->nodes[p->stack[p->depth - 1]];
		return mu_error(p, n->text, "unclosed section {{%c%.*s}}",
		    n->type == MU_NODE_SECTION ? '#' : '^', (int)n->len, n->text);
	}
	return 0;
}

static void
mu_template_free(struct mu_template *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->src);
	free(t->nodes);
	free(t->keys);
	free(t);
}

/* The template called name (len bytes, hash h), or NULL. */
static const struct mu_template *
mu_set_find(const struct mu_set *set, const char *name, size_t len, uint32_t h)
{
	size_t i;

	for (i = 0; i < set->len; i++) {
		const struct mu_template *t = set->templates[i];

		if (t->hash == h && t->namelen == len &&
		    memcmp(t->name, name, len) == 0)
			return t;
	}
	return NULL;
}

struct mu_set *
mu_set_new(void)
{
	struct mu_set *set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		die("out of memory");
	return set;
}

void
mu_set_free(struct mu_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->len; i++)
		mu_template_free(set->templates[i]);
	free(set->templates);
	free(set);
}

/*
 * Compile src as template name, labelling error messages with label.
 * Returns 0, or -1 with a message in err; the set is unchanged on error.
 */
static int
mu_set_add_labelled(struct mu_set *set, const char *name, const char *label,
		    const char *src, size_t len, char *err, size_t errlen)
{
	struct mu_parser p;
	struct mu_template *t;
	size_t i;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->name = strdup(name)) == NULL ||
	    (t->src = malloc(len + 1)) == NULL)
		die("out of memory");
	t->namelen = strlen(name);
	t->hash = mu_hash(t->name, t->namelen);
	if (len > 0)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->srclen = len;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.label = label;
	p.src = t->src;
	p.end = t->src + len;
	p.err = err;
	p.errlen = errlen;
	if (mu_compile(&p) == -1) {
		mu_template_free(t);
		return -1;
	}

	for (i = 0; i < set->len; i++)
		if (strcmp(set->templates[i]->name, name) == 0) {
			mu_template_free(set->templates[i]);
			set->templates[i] = t;
			return 0;
		}
	set->templates = mu_grow(set->templates, &set->cap, set->len,
	    sizeof(*set->templates));
	set->templates[set->len++] = t;
	return 0;
}

int
mu_set_add(struct mu_set *set, const char *name, const char *src, size_t len,
	   char *err, size_t errlen)
{
	return mu_set_add_labelled(set, name, name, src, len, err, errlen);
}

int
mu_set_has(const struct mu_set *set, const char *name)
{
	size_t len = strlen(name);

	return mu_set_find(set, name, len, mu_hash(name, len)) != NULL;
}

static void mu_errorf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
mu_errorf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Read the file name in the folder dfd into *data, a heap buffer the caller
 * frees.  Returns 1 when read, 0 when it is not a regular file (skipped),
 * or -1 with errno set.
 */
static int
mu_file_read(int dfd, const char *name, char **data, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd, saved, rc = -1;

	*data = NULL;
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		rc = 0;
		goto out;
	}
	if ((*data = malloc((size_t)st.st_size + 1)) == NULL)
		die("out of memory");
	while (off < (size_t)st.st_size) {
		n = read(fd, *data + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	(*data)[off] = '\0';
	*len = off;
	rc = 1;
out:
	saved = errno;
	if (rc != 1) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	errno = saved;
	return rc;
}

static int
mu_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mu_set_load_dir(struct mu_set *set, const char *dir, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *src, *label;
	size_t nnames = 0, cap = 0, len, slen = strlen(MU_SUFFIX), i;
	int rc = -1, loaded = 0, got;

	if ((d = opendir(dir)) == NULL) {
		mu_errorf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* Sorted, so loading and its first error do not depend on readdir. */
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= slen ||
		    strcmp(de->d_name + len - slen, MU_SUFFIX) != 0)
			continue;
		names = mu_grow(names, &cap, nnames, sizeof(*names));
		if ((names[nnames++] = strdup(de->d_name)) == NULL)
			die("out of memory");
	}
	if (nnames > 0)
		qsort(names, nnames, sizeof(*names), mu_name_cmp);

	for (i = 0; i < nnames; i++) {
		if ((got = mu_file_read(dirfd(d), names[i], &src, &len)) == 0)
			continue;
		if (got == -1) {
			mu_errorf(err, errlen, "%s/%s: %s", dir, names[i],
			    strerror(errno));
			goto out;
		}
		if (asprintf(&label, "%s/%s", dir, names[i]) == -1)
			die("out of memory");
		names[i][strlen(names[i]) - slen] = '\0';
		if (mu_set_add_labelled(set, names[i], label, src, len, err,
		    errlen) == -1) {
			free(label);
			free(src);
			goto out;
		}
		free(label);
		free(src);
		loaded++;
	}
	rc = loaded;
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* Renderer. */

/* The context stack, innermost first, lives on the C stack of the render. */
struct mu_context {
	const struct mu_value *value;
	const struct mu_context *outer;
};

/* The indentation of standalone partials, innermost last when written. */
struct mu_indent {
	const char *s;
	size_t len;
	const struct mu_indent *outer;
};

struct mu_render {
	const struct mu_set *set;
	struct buf *out;
	int depth;		/* partials entered */
	int overflow;		/* MU_PARTIAL_MAX was hit */
};

static void
mu_indent_put(struct buf *out, const struct mu_indent *in)
{
	if (in->outer != NULL)
		mu_indent_put(out, in->outer);
	buf_append(out, in->s, in->len);
}

static int
mu_line_empty(const char *s, const char *e)
{
	return s == e || *s == '\n' || (*s == '\r' && s + 1 < e && s[1] == '\n');
}

/* Append template text, indenting each non-empty line that starts in it. */
static void
mu_text_put(struct buf *out, const struct mu_node *n, const struct mu_indent *in)
{
	const char *s = n->text, *e = n->text + n->len, *nl;

	if (n->line_start && !mu_line_empty(s, e))
		mu_indent_put(out, in);
	while ((nl = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		buf_append(out, s, (size_t)(nl + 1 - s));
		s = nl + 1;
		if (!mu_line_empty(s, e))
			mu_indent_put(out, in);
	}
	buf_append(out, s, (size_t)(e - s));
}

/*
 * Resolve a node's name: the first part against the context stack from the
 * innermost map outward, every further part only inside what the previous
 * one found.  Returns the value, or NULL when the name does not resolve.
 */
static const struct mu_value *
mu_lookup(const struct mu_template *t, const struct mu_node *n,
	  const struct mu_context *ctx)
{
	const struct mu_key *k;
	const struct mu_entry *e = NULL;
	const struct mu_value *v;
	size_t i;

	if (n->nkeys == 0)
		return ctx == NULL ? NULL : ctx->value;
	k = &t->keys[n->key];
	for (; ctx != NULL; ctx = ctx->outer) {
		v = ctx->value;
		if (v->type == MU_MAP &&
		    (e = mu_map_find(v->u.map, k->s, k->len, k->hash)) != NULL)
			break;
	}
	for (i = 1; e != NULL && i < n->nkeys; i++) {
		v = &e->value;
		e = v->type != MU_MAP ? NULL :
		    mu_map_find(v->u.map, k[i].s, k[i].len, k[i].hash);
	}
	return e == NULL ? NULL : &e->value;
}

static int
mu_truthy(const struct mu_value *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case MU_NULL:
		return 0;
	case MU_BOOL:
		return v->u.boolean;
	case MU_LIST:
		return v->u.list != NULL && v->u.list->len > 0;
	default:
		return 1;
	}
}

static void mu_nodes_render(struct mu_render *r, const struct mu_template *t,
	size_t i, size_t end, const struct mu_context *ctx,
	const struct mu_indent *in);

static void
mu_partial_render(struct mu_render *r, const struct mu_node *n,
		  const struct mu_context *ctx, const struct mu_indent *in)
{
	const struct mu_template *t;
	struct mu_indent own;

	if ((t = mu_set_find(r->set, n->text, n->len, n->hash)) == NULL)
		return;
	if (r->depth == MU_PARTIAL_MAX) {
		r->overflow = 1;
		return;
	}
	if (n->standalone && n->indentlen > 0) {
		own.s = n->indent;
		own.len = n->indentlen;
		own.outer = in;
		in = &own;
	}
	r->depth++;
	mu_nodes_render(r, t, 0, t->nnodes, ctx, in);
	r->depth--;
}

/* Render nodes [i, end) of t with the context stack ctx, appending to r->out. */
static void
mu_nodes_render(struct mu_render *r, const struct mu_template *t, size_t i,
		size_t end, const struct mu_context *ctx,
		const struct mu_indent *in)
{
	const struct mu_node *n;
	const struct mu_value *v;
	struct mu_context inner;
	size_t j;

	while (i < end && !r->overflow) {
		n = &t->nodes[i];
		if (n->type == MU_NODE_TEXT) {
			if (in == NULL)
				buf_append(r->out, n->text, n->len);
			else
				mu_text_put(r->out, n, in);
			i++;
			continue;
		}
		if (n->line_start && in != NULL)
			mu_indent_put(r->out, in);
		switch (n->type) {
		case MU_NODE_ESCAPED:
		case MU_NODE_RAW:
			i++;
			if ((v = mu_lookup(t, n, ctx)) == NULL)
				break;
			if (v->type == MU_STR && n->type == MU_NODE_ESCAPED)
				html_escape(r->out, v->u.str.s, v->u.str.len);
			else if (v->type == MU_STR || v->type == MU_HTML)
				buf_append(r->out, v->u.str.s, v->u.str.len);
			else if (v->type == MU_SLOT)
				mu_slot_put(r->out, v);
			else if (v->type == MU_BOOL)
				buf_puts(r->out, v->u.boolean ? "true" : "false");
			break;
		case MU_NODE_SECTION:
			v = mu_lookup(t, n, ctx);
			inner.outer = ctx;
			if (!mu_truthy(v))
				;
			else if (v->type == MU_LIST)
				for (j = 0; j < v->u.list->len; j++) {
					inner.value = &v->u.list->items[j];
					mu_nodes_render(r, t, i + 1, n->end,
					    &inner, in);
				}
			else {
				inner.value = v;
				mu_nodes_render(r, t, i + 1, n->end, &inner, in);
			}
			i = n->end;
			break;
		case MU_NODE_INVERTED:
			if (!mu_truthy(mu_lookup(t, n, ctx)))
				mu_nodes_render(r, t, i + 1, n->end, ctx, in);
			i = n->end;
			break;
		case MU_NODE_PARTIAL:
			mu_partial_render(r, n, ctx, in);
			i++;
			break;
		default:
			die("mustache: bad node type %d", (int)n->type);
		}
	}
}

int
mu_render(const struct mu_set *set, const char *name,
	  const struct mu_value *root, struct buf *out)
{
	const struct mu_template *t;
	struct mu_render r;
	struct mu_context ctx;
	size_t len = strlen(name);

	if ((t = mu_set_find(set, name, len, mu_hash(name, len))) == NULL)
		return -1;
	r.set = set;
	r.out = out;
	r.depth = 0;
	r.overflow = 0;
	ctx.value = root;
	ctx.outer = NULL;
	mu_nodes_render(&r, t, 0, t->nnodes, root == NULL ? NULL : &ctx, NULL);
	return r.overflow ? -1 : 0;
}

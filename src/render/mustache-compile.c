/* mustache-compile.c: template source compiled to a flat node array, and the set that holds templates. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mustache-impl.h"

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

const struct mu_template *
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
mu_set_new_flags(int flags)
{
	struct mu_set *set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		die("out of memory");
	set->flags = flags & MU_RAW_STRINGS;
	return set;
}

struct mu_set *
mu_set_new(void)
{
	return mu_set_new_flags(0);
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

int
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

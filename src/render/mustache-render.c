/* mustache-render.c: a compiled template rendered by walking its nodes against a context stack. */
#include <string.h>

#include "log.h"
#include "mustache-impl.h"
#include "render.h"

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
			/* Trust is the value's: see MU_RAW_STRINGS in mustache.h. */
			if (v->type == MU_STR && (n->type == MU_NODE_ESCAPED ||
			    !(r->set->flags & MU_RAW_STRINGS)))
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

/*
 * mustache-impl.h: what the Mustache engine's files share (values, compiler,
 * loader, renderer); private to src/render, the contract is mustache.h.
 */
#ifndef PARLEY_MUSTACHE_IMPL_H
#define PARLEY_MUSTACHE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mustache.h"

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
	int flags;		/* MU_RAW_STRINGS or 0 */
	struct mu_template **templates;
	size_t len;
	size_t cap;
};

/* FNV-1a, for map keys and template names. */
uint32_t mu_hash(const char *s, size_t len);
/* Grow a heap array of elements of size sz to hold one more; aborts on OOM. */
void *mu_grow(void *p, size_t *cap, size_t len, size_t sz);
/* The entry for key (len bytes, hash) in m, or NULL; m may be NULL. */
struct mu_entry *mu_map_find(const struct mu_map *m, const char *key, size_t len,
			     uint32_t hash);
/* Append the marker of the slot v (MU_SLOT) to out: see mustache.h. */
void mu_slot_put(struct buf *out, const struct mu_value *v);

/* The template called name (len bytes, hash h), or NULL. */
const struct mu_template *mu_set_find(const struct mu_set *set, const char *name,
				      size_t len, uint32_t h);
/*
 * Compile src as template name, labelling error messages with label.
 * Returns 0, or -1 with a message in err; the set is unchanged on error.
 */
int mu_set_add_labelled(struct mu_set *set, const char *name, const char *label,
			const char *src, size_t len, char *err, size_t errlen);

#endif

/* mustache.h: a Mustache template engine: templates compiled once, rendered many times. */
#ifndef PARLEY_MUSTACHE_H
#define PARLEY_MUSTACHE_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "html.h"

/*
 * Data model.  A page handler builds a tree of mu_value in the request arena
 * and hands its root (a map) to mu_render.  Strings are not copied by the
 * setters: they must live as long as the tree (arena or static memory).
 *
 * Truthiness for sections follows the Mustache spec: null, false and an empty
 * list are falsey; every string (even "") and every map is truthy.
 */
enum mu_type {
	MU_NULL,
	MU_BOOL,
	MU_STR,   /* text: escaped by every tag (but see MU_RAW_STRINGS) */
	MU_HTML,  /* HTML parley produced (struct html): inserted as it is by every tag */
	MU_LIST,
	MU_MAP,
	MU_SLOT,  /* filled in after rendering: see mu_slot */
};

struct mu_value;
struct mu_map;
struct mu_list;

struct mu_value {
	enum mu_type type;
	union {
		int boolean;
		struct { const char *s; size_t len; } str;   /* MU_STR and MU_HTML */
		struct mu_list *list;
		struct mu_map *map;
	} u;
};

/* Maps keep keys in insertion order; setting a key twice replaces its value. */
struct mu_map *mu_map_new(struct arena *a);
void mu_set(struct mu_map *m, const char *key, struct mu_value v);
void mu_set_str(struct mu_map *m, const char *key, const char *s);  /* NULL s sets MU_NULL */
void mu_set_strn(struct mu_map *m, const char *key, const char *s, size_t len);
void mu_set_html(struct mu_map *m, const char *key, struct html h);  /* NULL h.s sets MU_NULL */
void mu_set_int(struct mu_map *m, const char *key, long long n);  /* stored as decimal text */
void mu_set_bool(struct mu_map *m, const char *key, int b);
void mu_set_map(struct mu_map *m, const char *key, struct mu_map *child);
void mu_set_list(struct mu_map *m, const char *key, struct mu_list *list);
/* Look up one key of this map only (no dotted names, no parent contexts). */
const struct mu_value *mu_map_get(const struct mu_map *m, const char *key);

struct mu_list *mu_list_new(struct arena *a);
void mu_list_push(struct mu_list *l, struct mu_value v);
/* Append a new empty map to the list and return it, for the common case. */
struct mu_map *mu_list_push_map(struct mu_list *l);
size_t mu_list_len(const struct mu_list *l);
/* The map at index i, or NULL when there is none or it is not a map. */
struct mu_map *mu_list_map(const struct mu_list *l, size_t i);

/* Value constructors for mu_set and mu_list_push. */
struct mu_value mu_null(void);
struct mu_value mu_bool(int b);
struct mu_value mu_str(const char *s);
struct mu_value mu_strn(const char *s, size_t len);
struct mu_value mu_html(struct html h);
struct mu_value mu_map_value(struct mu_map *m);
struct mu_value mu_list_value(struct mu_list *l);

/*
 * Slots: a value the caller fills in after rendering, such as the comment
 * form's token, which must be fresh for each reader of a cached page.
 * Every tag of a slot write a marker holding the slot's name (at
 * most MU_SLOT_NAME_MAX bytes): a NUL byte and a random key made once per
 * process, so neither a template nor any data can forge one, wherever and
 * in whatever order a theme writes the attributes around it.  mu_slot_find
 * finds the first marker in buf[0, len): 1 with its offset in *at, its
 * length in *marker_len and the name (not NUL-terminated) in *name and
 * *name_len; 0 when there is none.  The caller must replace every marker
 * before the text leaves the process.
 */
#define MU_SLOT_NAME_MAX 64
struct mu_value mu_slot(const char *name);
void mu_set_slot(struct mu_map *m, const char *key, const char *name);
int mu_slot_find(const char *buf, size_t len, size_t *at, size_t *marker_len,
		 const char **name, size_t *name_len);

/*
 * A set of named, compiled templates.  Partials ({{> name}}) are looked up
 * in the same set at render time; a missing partial renders as nothing, as
 * the spec requires.  Built once at start-up, then shared read-only by all
 * worker threads.
 */
struct mu_set;

/*
 * Trust travels with the value, not with the tag.  {{x}}, {{{x}}} and
 * {{&x}} all insert an MU_HTML value as it is and all escape an MU_STR
 * value with html_escape, so a theme that writes {{{x}}} for a plain
 * string cannot make data raw by accident, and one that writes {{x}} for
 * HTML parley produced still shows it right.  mu_set_new makes such a set;
 * every set parley's programs load is one.
 *
 * The Mustache spec instead has {{{x}}} and {{&x}} insert every string as
 * it is.  A set made with MU_RAW_STRINGS follows the spec: for the spec's
 * own tests and for callers whose data is all their own, never for a
 * theme fed readers' text.
 */
#define MU_RAW_STRINGS 1

struct mu_set *mu_set_new(void);                 /* mu_set_new_flags(0) */
struct mu_set *mu_set_new_flags(int flags);
void mu_set_free(struct mu_set *set);

/*
 * Compile src under name (replacing an earlier template of that name).
 * Returns 0, or -1 with a one-line message in err ("name:line: what").
 */
int mu_set_add(struct mu_set *set, const char *name, const char *src, size_t len,
	       char *err, size_t errlen);

/*
 * Compile every regular file DIR/NAME.mustache as template NAME (the file's
 * name without ".mustache").  Returns the number of templates loaded, or -1
 * with a one-line message in err (unreadable folder, syntax error with file
 * and line).
 */
int mu_set_load_dir(struct mu_set *set, const char *dir, char *err, size_t errlen);

int mu_set_has(const struct mu_set *set, const char *name);

/*
 * Render template name with root as the context stack's bottom, appending
 * to out.  Returns 0, or -1 when no template has that name or partials nest
 * more than 64 deep (runaway recursion; out then holds a truncated page).
 * Booleans interpolate as "true" and "false", lists and maps as nothing.
 */
int mu_render(const struct mu_set *set, const char *name,
	      const struct mu_value *root, struct buf *out);

#endif

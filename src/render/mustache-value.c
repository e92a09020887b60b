/* mustache-value.c: the Mustache data model: maps, lists, values and slots, in the caller's arena. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "mustache-impl.h"

uint32_t
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

void *
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

struct mu_entry *
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

void
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

/* arena.c: per-request bump allocator. */
#include "arena.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ARENA_CHUNK 65536
#define ARENA_ALIGN 16
/*
 * Chunks a reset keeps for the next request: 512 KB, more than an ordinary
 * page takes.  A 50,000-URL sitemap file or a long admin list fills
 * hundreds; kept, they pinned that high-water mark in every worker.
 */
#define ARENA_KEEP 8

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;   /* usable bytes in mem */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char mem[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->spare = NULL;
	a->total = 0;
}

static void
chunks_free(struct arena_chunk *c)
{
	struct arena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	chunks_free(a->head);
	chunks_free(a->spare);
	arena_init(a);
}

/*
 * Keep up to ARENA_KEEP standard-size chunks for the next request; give
 * oversized ones and the rest back so one huge request does not pin its
 * memory for the worker's life.
 */
void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next;
	size_t kept = arena_spare_chunks(a);

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (c->size == ARENA_CHUNK && kept < ARENA_KEEP) {
			c->used = 0;
			c->next = a->spare;
			a->spare = c;
			kept++;
		} else
			free(c);
	}
	a->head = NULL;
	a->total = 0;
}

size_t
arena_spare_chunks(const struct arena *a)
{
	const struct arena_chunk *c;
	size_t n = 0;

	for (c = a->spare; c != NULL; c = c->next)
		n++;
	return n;
}

/*
 * Each worker thread allocates from its own malloc arena, and what one
 * frees (pages evicted from the page cache, SQLite's pages dropped when
 * another connection commits) stays there as free memory that only that
 * arena reuses.  malloc_trim hands the whole free pages of every arena back
 * to the system.  Returns 1 when it ran, 0 when another call this second did.
 */
int
heap_release(time_t now)
{
	static _Atomic long long last;
	long long seen = atomic_load(&last);

	if ((long long)now <= seen || !atomic_compare_exchange_strong(&last, &seen, (long long)now))
		return 0;
	malloc_trim(0);
	return 1;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t want, off;

	if (size > SIZE_MAX - ARENA_ALIGN)
		die("arena allocation too large");
	want = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (want == 0)
		want = ARENA_ALIGN;
	if (c == NULL || c->size - c->used < want) {
		if (want <= ARENA_CHUNK && a->spare != NULL) {
			c = a->spare;
			a->spare = c->next;
		} else {
			size_t sz = want > ARENA_CHUNK ? want : ARENA_CHUNK;
			if ((c = malloc(sizeof(*c) + sz)) == NULL)
				die("out of memory");
			c->size = sz;
		}
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	off = c->used;
	c->used += want;
	a->total += want;
	return c->mem + off;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

void *
arena_grow(struct arena *a, void *items, size_t len, size_t *cap, size_t size)
{
	size_t ncap;
	void *n;

	if (len < *cap)
		return items;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / size)
		die("arena array too large");
	n = arena_alloc(a, ncap * size);
	if (len > 0)
		memcpy(n, items, len * size);
	*cap = ncap;
	return n;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, copy;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		die("vsnprintf failed");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

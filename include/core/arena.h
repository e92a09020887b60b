/* arena.h: per-request bump allocator; everything is freed at once by arena_reset. */
#ifndef PARLEY_ARENA_H
#define PARLEY_ARENA_H

#include <stddef.h>
#include <time.h>

struct arena_chunk;

/*
 * An arena hands out memory that lives until the next arena_reset() or
 * arena_free().  Workers keep one arena across requests and reset it after
 * each, so a request never sees memory of the one before it.  Allocation
 * failure aborts the process (out of memory is not a client error).
 */
struct arena {
	struct arena_chunk *head;   /* chunk being filled */
	struct arena_chunk *spare;  /* chunks kept for reuse after a reset */
	size_t total;               /* bytes handed out since the last reset */
};

void arena_init(struct arena *a);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

/* Chunks kept for reuse since the last reset (at most 8: 512 KB). */
size_t arena_spare_chunks(const struct arena *a);

/*
 * Free pages of the C library's heap back to the system, at most once a
 * second for the process (now: the caller's clock): the responders call it
 * after a response.  Returns 1 when it trimmed.
 */
int heap_release(time_t now);

/* Memory aligned for any type; zeroed by arena_zalloc. */
void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);

/*
 * Room for one more item in an array of len items of size bytes that holds
 * *cap: returns items itself while it has room, else a copy twice as large
 * (at least 8 items) with *cap updated.  The old array stays in the arena.
 */
void *arena_grow(struct arena *a, void *items, size_t len, size_t *cap, size_t size);

/* Copies of strings: NUL-terminated, owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* printf into the arena.  Never use this to build HTML or SQL. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

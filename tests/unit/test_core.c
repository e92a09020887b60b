/* test_core.c: the growable buffer and the per-request arena. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"

static void
test_buf(void)
{
	struct buf b = BUF_INIT;
	char big[5000];
	size_t len;
	char *p;

	buf_puts(&b, "abc");
	buf_putc(&b, 'd');
	buf_printf(&b, "-%d-%s", 42, "x");
	CHECK_STR(b.data, "abcd-42-x");
	CHECK(b.len == 9);
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "%s", big);   /* longer than the first reservation: never truncated */
	CHECK(b.len == 9 + sizeof(big) - 1);
	CHECK(b.data[b.len] == '\0' && b.data[b.len - 1] == 'z');
	buf_reset(&b);
	CHECK(b.len == 0 && b.data[0] == '\0');
	buf_append(&b, "a\0b", 3);
	CHECK(b.len == 3 && b.data[1] == '\0');
	p = buf_detach(&b, &len);
	CHECK(len == 3 && b.data == NULL && b.len == 0);
	free(p);
	buf_free(&b);
	buf_free(NULL);
}

static void
test_arena(void)
{
	struct arena a;
	char *s, *t;
	void *big;
	size_t i;

	arena_init(&a);
	s = arena_strdup(&a, "hello");
	t = arena_printf(&a, "%s %d", s, 7);
	CHECK_STR(t, "hello 7");
	CHECK(((uintptr_t)arena_alloc(&a, 3) & 15) == 0);
	CHECK(((uintptr_t)arena_alloc(&a, 1) & 15) == 0);
	big = arena_zalloc(&a, 1 << 20);    /* larger than a chunk */
	CHECK(((unsigned char *)big)[(1 << 20) - 1] == 0);
	for (i = 0; i < 10000; i++)
		arena_alloc(&a, 100);
	CHECK(a.total >= 10000 * 100);
	arena_reset(&a);
	CHECK(a.total == 0);
	s = arena_strndup(&a, "abcdef", 3);
	CHECK_STR(s, "abc");
	arena_free(&a);
	arena_free(NULL);
}

int
main(void)
{
	test_buf();
	test_arena();
	return check_summary();
}

/* test_core.c: the growable buffer, the per-request arena and signed tags. */
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "sign.h"

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
	/* Decimal without printf, at the edges of long long. */
	buf_put_int(&b, 0);
	buf_putc(&b, ' ');
	buf_put_int(&b, -7);
	buf_putc(&b, ' ');
	buf_put_int(&b, 1234567890123LL);
	buf_putc(&b, ' ');
	buf_put_int(&b, INT64_MIN);
	buf_putc(&b, ' ');
	buf_put_int(&b, INT64_MAX);
	CHECK(strcmp(b.data, "0 -7 1234567890123 -9223372036854775808 9223372036854775807") == 0);
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
	/* 10,000 * 100 bytes took 18 chunks; a reset keeps 8 of them. */
	CHECK(arena_spare_chunks(&a) == 8);
	for (i = 0; i < 100; i++)
		arena_alloc(&a, 100);
	arena_reset(&a);
	CHECK(arena_spare_chunks(&a) == 8);
	s = arena_strndup(&a, "abcdef", 3);
	CHECK_STR(s, "abc");
	arena_free(&a);
	arena_free(NULL);
}

/* The heap is trimmed at most once a second, whichever worker asks. */
static void
test_heap_release(void)
{
	CHECK(heap_release(1000) == 1);
	CHECK(heap_release(1000) == 0);
	CHECK(heap_release(999) == 0);
	CHECK(heap_release(1001) == 1);
}

/*
 * The construction sign.h documents, which the tests that forge mailed links
 * rely on: HMAC-SHA512-256 keyed with BLAKE2b-256(context, key = secret).
 * The expected tag is Python's hmac.new(blake2b(b"parley test v1",
 * key=bytes(range(32)), digest_size=32).digest(), b"hello", sha512)[:32].
 */
static void
test_sign(void)
{
	static const unsigned char want[SIGN_TAG_BYTES] = {
		0x50, 0xf3, 0x17, 0xa6, 0xc4, 0x25, 0xf9, 0xef, 0xc9, 0x10, 0xbf, 0xbc,
		0xb3, 0xd3, 0x63, 0xd8, 0x86, 0x44, 0x90, 0x8e, 0x91, 0x06, 0xb7, 0xac,
		0xb9, 0x65, 0xf4, 0x07, 0x11, 0x4a, 0x85, 0x93,
	};
	unsigned char secret[32], tag[SIGN_TAG_BYTES];
	int i;

	for (i = 0; i < 32; i++)
		secret[i] = (unsigned char)i;
	sign_tag(tag, secret, sizeof(secret), "parley test v1", "hello", 5);
	CHECK(memcmp(tag, want, sizeof(tag)) == 0);
	CHECK(sign_verify(tag, secret, sizeof(secret), "parley test v1", "hello", 5));
	/* Another purpose, message or secret: not genuine. */
	CHECK(!sign_verify(tag, secret, sizeof(secret), "parley test v2", "hello", 5));
	CHECK(!sign_verify(tag, secret, sizeof(secret), "parley test v1", "hellO", 5));
	secret[0] ^= 1;
	CHECK(!sign_verify(tag, secret, sizeof(secret), "parley test v1", "hello", 5));
	/* Ages: the edges belong to the fresh side. */
	CHECK(sign_age(1000, 1000, 60, 10) == SIGN_FRESH);
	CHECK(sign_age(1010, 1000, 60, 10) == SIGN_FRESH);
	CHECK(sign_age(1011, 1000, 60, 10) == SIGN_FUTURE);
	CHECK(sign_age(940, 1000, 60, 10) == SIGN_FRESH);
	CHECK(sign_age(939, 1000, 60, 10) == SIGN_EXPIRED);
}

/* What sign_tag must give: crypto_auth keyed with BLAKE2b-256(context, key = secret). */
static void
reference_tag(unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret, size_t secret_len,
	      const char *context, const void *msg, size_t len)
{
	unsigned char key[crypto_auth_KEYBYTES];

	crypto_generichash(key, sizeof(key), (const unsigned char *)context, strlen(context),
			   secret, secret_len);
	crypto_auth(tag, msg, len, key);
}

/*
 * Each thread keeps the keyed state of the purposes it signed for: more
 * (secret, context) pairs than it keeps, asked in turn and again, from two
 * threads at once, each give crypto_auth's tag and verify; a secret or a
 * context too long to keep gives the same tags uncached (a secret is at most
 * BLAKE2b's 64 key bytes).
 */
static int sign_kept_failures;

static void *
sign_kept_round(void *arg)
{
	unsigned char secrets[3][64], tag[SIGN_TAG_BYTES], want[SIGN_TAG_BYTES];
	static const size_t secret_lens[3] = { 32, 64, 16 };
	char contexts[7][100], msg[40];
	int round, s, c, bad = 0;

	for (s = 0; s < 3; s++)
		for (c = 0; c < 64; c++)
			secrets[s][c] = (unsigned char)(s * 31 + c);
	for (c = 0; c < 7; c++) {
		const char *more = c == 6 ? ", a context longer than the 64 bytes a kept state holds of one" : "";
		snprintf(contexts[c], sizeof(contexts[c]), "parley test %d%s", c, more);
	}
	for (round = 0; round < 3; round++)
		for (s = 0; s < 3; s++)
			for (c = 0; c < 7; c++) {
				int n = snprintf(msg, sizeof(msg), "message %d %d %d %p", round, s, c, arg);
				sign_tag(tag, secrets[s], secret_lens[s], contexts[c], msg, (size_t)n);
				reference_tag(want, secrets[s], secret_lens[s], contexts[c], msg, (size_t)n);
				bad += memcmp(tag, want, sizeof(tag)) != 0;
				bad += !sign_verify(want, secrets[s], secret_lens[s], contexts[c], msg,
						    (size_t)n);
				bad += sign_verify(want, secrets[(s + 1) % 3], secret_lens[s],
						   contexts[c], msg, (size_t)n);
				bad += sign_verify(want, secrets[s], secret_lens[s],
						   contexts[(c + 1) % 7], msg, (size_t)n);
			}
	__atomic_add_fetch(&sign_kept_failures, bad, __ATOMIC_RELAXED);
	return NULL;
}

static void
test_sign_kept(void)
{
	pthread_t t[2];
	int ids[2], i;

	for (i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, sign_kept_round, &ids[i]) == 0);
	sign_kept_round(NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK(sign_kept_failures == 0);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_buf();
	test_arena();
	test_heap_release();
	test_sign();
	test_sign_kept();
	return check_summary();
}

/* test_reader_forms.c: the reader's forms' pure parts: like and edit tokens, the likes cookie, the remember-me cookie. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "comment_form.h"
#include "db.h"

static const unsigned char secret[DB_SECRET_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char other_secret[DB_SECRET_BYTES] = "another secret, another site...";

static void
test_like_token(struct arena *a)
{
	const time_t t0 = 1800000000;
	const char *tok = like_token_make(a, secret, 7, t0);

	CHECK(like_token_check(secret, tok, 7, t0) == COMMENT_TOKEN_OK);
	CHECK(like_token_check(secret, tok, 8, t0) == COMMENT_TOKEN_WRONG_POST);
	CHECK(like_token_check(secret, tok, 7, t0 + COMMENT_TOKEN_LIFETIME + 1) ==
	      COMMENT_TOKEN_EXPIRED);
	CHECK(like_token_check(other_secret, tok, 7, t0) == COMMENT_TOKEN_FORGED);
	CHECK(like_token_check(secret, NULL, 7, t0) == COMMENT_TOKEN_FORGED);
	CHECK(like_token_check(secret, "7.1800000000.00", 7, t0) == COMMENT_TOKEN_FORGED);
	/* Neither kind of token passes for the other. */
	CHECK(comment_token_check(secret, tok, 7, t0 + 10, 0) == COMMENT_TOKEN_FORGED);
	CHECK(like_token_check(secret, comment_token_make(a, secret, 7, t0), 7, t0) ==
	      COMMENT_TOKEN_FORGED);
}

static void
test_edit_token(struct arena *a)
{
	const time_t t0 = 1800000000;
	const char *tok = comment_edit_token_make(a, secret, 42, "Ann", "", "Hello", t0);

	CHECK(comment_edit_token_check(a, secret, tok, 42, "Ann", "", "Hello", t0 + 5) ==
	      COMMENT_TOKEN_OK);
	/* Once the comment changed, the old form is a replay. */
	CHECK(comment_edit_token_check(a, secret, tok, 42, "Ann", "", "Hello!", t0 + 5) ==
	      COMMENT_TOKEN_FORGED);
	CHECK(comment_edit_token_check(a, secret, tok, 42, "Ann B", "", "Hello", t0 + 5) ==
	      COMMENT_TOKEN_FORGED);
	CHECK(comment_edit_token_check(a, secret, tok, 42, "Ann", "https://x.example", "Hello",
				       t0 + 5) == COMMENT_TOKEN_FORGED);
	/* The boundaries between the fields count: "ab"+"" is not "a"+"b". */
	tok = comment_edit_token_make(a, secret, 42, "ab", "", "c", t0);
	CHECK(comment_edit_token_check(a, secret, tok, 42, "a", "b", "c", t0) ==
	      COMMENT_TOKEN_FORGED);
	CHECK(comment_edit_token_check(a, secret, tok, 43, "ab", "", "c", t0) ==
	      COMMENT_TOKEN_WRONG_POST);
	CHECK(comment_edit_token_check(a, other_secret, tok, 42, "ab", "", "c", t0) ==
	      COMMENT_TOKEN_FORGED);
	CHECK(comment_token_check(secret, tok, 42, t0, 0) == COMMENT_TOKEN_FORGED);
}

static void
test_likes_cookie(struct arena *a)
{
	int64_t ids[COMMENT_MINE_MAX], mine[COMMENT_MINE_MAX];
	const char *v = like_ids_make(a, secret, NULL, 0, 5);
	size_t n;

	CHECK(like_ids_parse(secret, v, ids) == 1 && ids[0] == 5);
	v = like_ids_make(a, secret, ids, 1, 9);
	CHECK(like_ids_parse(secret, v, ids) == 2 && ids[0] == 5 && ids[1] == 9);
	CHECK(like_ids_parse(other_secret, v, ids) == 0);
	/* The own-comments cookie and the likes cookie are not interchangeable. */
	CHECK(comment_mine_parse(secret, v, mine) == 0);
	CHECK(like_ids_parse(secret, comment_mine_make(a, secret, NULL, 0, 5), ids) == 0);
	/* The newest COMMENT_MINE_MAX are kept. */
	n = 0;
	for (int64_t id = 1; id <= COMMENT_MINE_MAX + 5; id++) {
		v = like_ids_make(a, secret, ids, n, id);
		n = like_ids_parse(secret, v, ids);
	}
	CHECK(n == COMMENT_MINE_MAX && ids[0] == 6 && ids[n - 1] == COMMENT_MINE_MAX + 5);
}

static void
test_reader_cookie(struct arena *a)
{
	const char *author, *email, *url, *v;
	char big[6000];

	v = comment_reader_make(a, "Ann \"A\" <b>", "ann@example.org", "https://ann.example/?a=1");
	CHECK(strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	      strlen(v));
	CHECK(comment_reader_parse(a, v, &author, &email, &url) == 1);
	CHECK_STR(author, "Ann \"A\" <b>");
	CHECK_STR(email, "ann@example.org");
	CHECK_STR(url, "https://ann.example/?a=1");
	CHECK(comment_reader_parse(a, comment_reader_make(a, "Bo", "", ""), &author, &email,
				   &url) == 1 && *email == '\0' && *url == '\0');
	/* Whatever the form would refuse is not refilled. */
	CHECK(comment_reader_parse(a, comment_reader_make(a, "", "", ""), &author, &email, &url) == 0);
	CHECK(comment_reader_parse(a, comment_reader_make(a, "Ann", "nope", ""), &author, &email,
				   &url) == 0);
	CHECK(comment_reader_parse(a, comment_reader_make(a, "Ann", "", "javascript:alert(1)"),
				   &author, &email, &url) == 0);
	memset(big, 'N', 5000);
	big[5000] = '\0';
	CHECK(comment_reader_parse(a, comment_reader_make(a, big, "", ""), &author, &email,
				   &url) == 0);
	CHECK(comment_reader_parse(a, NULL, &author, &email, &url) == 0);
	CHECK(comment_reader_parse(a, "", &author, &email, &url) == 0);
	CHECK(comment_reader_parse(a, "%%%", &author, &email, &url) == 0);
	CHECK(comment_reader_parse(a, "QW5u", &author, &email, &url) == 0);   /* "Ann": no fields */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(comment_reader_parse(a, big, &author, &email, &url) == 0);
}

int
main(void)
{
	struct arena a;

	if (sodium_init() < 0)
		return 1;
	arena_init(&a);
	test_like_token(&a);
	test_edit_token(&a);
	test_likes_cookie(&a);
	test_reader_cookie(&a);
	arena_free(&a);
	return check_summary();
}

/* test_mail.c: messages (RFC 2047 headers, quoted-printable bodies), addresses, the mailer command, link tokens. */
#include <string.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "mail.h"
#include "mailtoken.h"

static void
test_headers(void)
{
	static const struct { const char *value, *want; } cases[] = {
		{ "Plain words", "Subject: Plain words\n" },
		{ "Café", "Subject: =?UTF-8?Q?Caf=C3=A9?=\n" },
		{ "a_b=c?d", "Subject: a_b=c?d\n" },                 /* ASCII stays as it is */
		{ "Zoë said: hi", "Subject: =?UTF-8?Q?Zo=C3=AB_said=3A_hi?=\n" },
		{ "line\r\nBcc: x@y.org", "Subject: line  Bcc: x@y.org\n" },   /* no header injection */
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		mail_header(&b, "Subject", cases[i].value);
		CHECK_STR(b.data, cases[i].want);
	}
	/* A long non-ASCII value: several encoded words, no line over 76 characters. */
	buf_reset(&b);
	mail_header(&b, "Subject", "Ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé ünïcödé");
	{
		const char *line = b.data;
		int lines = 0;
		while (*line != '\0') {
			const char *end = strchr(line, '\n');
			CHECK(end != NULL && end - line <= 76);
			lines++;
			line = end + 1;
		}
		CHECK(lines >= 2);
	}
	/* A long ASCII value folds at spaces. */
	buf_reset(&b);
	mail_header(&b, "Subject", "word word word word word word word word word word word word word "
		    "word word word word word");
	CHECK_CONTAINS(b.data, "\n word");
	buf_free(&b);
}

static void
test_quoted_printable(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "plain", "plain" },
		{ "a=b", "a=3Db" },
		{ "café", "caf=C3=A9" },
		{ "trailing \nnext", "trailing=20\nnext" },
		{ ".\nFrom here", "=2E\n=46rom here" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		mail_quoted_printable(&b, cases[i].text);
		CHECK_STR(b.data, cases[i].want);
	}
	/* Soft breaks keep every line at 76 characters or fewer. */
	buf_reset(&b);
	{
		char long_line[301];
		memset(long_line, 'x', 300);
		long_line[300] = '\0';
		mail_quoted_printable(&b, long_line);
		CHECK(strchr(b.data, '\n') - b.data <= 76);
		CHECK_CONTAINS(b.data, "=\n");
	}
	buf_free(&b);
}

static void
test_compose(void)
{
	struct mail_message m;
	struct buf b = BUF_INIT;

	memset(&m, 0, sizeof(m));
	m.from = "Café Blog <blog@example.org>";
	m.from_name = "ignored";
	m.to = "ann@example.org";
	m.subject = "Hello";
	m.date = 0;
	m.message_id = "<1.abc@example.org>";
	m.bulk = 1;
	m.list_unsubscribe = "https://example.org/subscriptions/unsubscribe?t=x";
	m.body = "Text with é\n";
	mail_compose(&b, &m);
	CHECK_CONTAINS(b.data, "Date: Thu, 01 Jan 1970 00:00:00 +0000\n");
	CHECK_CONTAINS(b.data, "From: =?UTF-8?Q?Caf=C3=A9_Blog?= <blog@example.org>\n");
	CHECK_CONTAINS(b.data, "To: <ann@example.org>\n");
	CHECK_CONTAINS(b.data, "Auto-Submitted: auto-generated\n");
	CHECK_CONTAINS(b.data, "Precedence: bulk\n");
	CHECK_CONTAINS(b.data, "Content-Transfer-Encoding: quoted-printable\n");
	CHECK_CONTAINS(b.data, "List-Unsubscribe: <https://example.org/subscriptions/unsubscribe?t=x>\n"
		       "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n");
	CHECK_CONTAINS(b.data, "\n\nText with =C3=A9\n");
	buf_reset(&b);
	mail_from_domain(&b, "Blog <blog@mail.example.org>");
	CHECK_STR(b.data, "mail.example.org");
	buf_free(&b);
}

static void
test_addresses(void)
{
	static const struct { const char *s; int ok; } cases[] = {
		{ "ann@example.org", 1 }, { "a.b+tag@sub.example.org", 1 },
		{ "a,b@example.org", 0 }, { "a b@example.org", 0 }, { "<a@example.org>", 0 },
		{ "a@example", 0 }, { "a@@example.org", 0 }, { "zoë@example.org", 0 },
		{ "a@example..org", 0 }, { "@example.org", 0 }, { "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(mail_address_valid(cases[i].s) == cases[i].ok);
}

static void
test_run(void)
{
	char err[256];
	const char msg[] = "To: x@example.org\n\nbody\n";

	CHECK(mail_run("cat >/dev/null", msg, strlen(msg), 5, err, sizeof(err)) == 0);
	CHECK(mail_run("echo refused >&2; exit 75", msg, strlen(msg), 5, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "status 75: refused");
	CHECK(mail_run("sleep 10", msg, strlen(msg), 1, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "did not finish within 1 seconds");
	CHECK(mail_run("exit 0", msg, strlen(msg), 5, err, sizeof(err)) == 0 ||
	      strstr(err, "without reading") != NULL);
}

static void
test_tokens(void)
{
	unsigned char secret[32], other[32];
	struct mail_token t, got;
	struct arena a;
	const char *s;
	char bad[200];

	memset(secret, 7, sizeof(secret));
	memset(other, 8, sizeof(other));
	arena_init(&a);
	memset(&t, 0, sizeof(t));
	t.kind = MAIL_TOKEN_MODERATE;
	t.id = 42;
	t.issued_at = 1000000;
	memset(t.state, 1, sizeof(t.state));
	memset(t.who, 2, sizeof(t.who));
	s = mail_token_make(&a, secret, &t);
	CHECK(mail_token_check(secret, s, MAIL_TOKEN_MODERATE, 1000000 + 60, &got) == MAIL_TOKEN_OK);
	CHECK(got.id == 42 && memcmp(got.who, t.who, sizeof(t.who)) == 0);
	CHECK(mail_token_check(secret, s, MAIL_TOKEN_CONFIRM, 1000000 + 60, &got) == MAIL_TOKEN_BAD);
	CHECK(mail_token_check(other, s, MAIL_TOKEN_MODERATE, 1000000 + 60, &got) == MAIL_TOKEN_BAD);
	CHECK(mail_token_check(secret, s, MAIL_TOKEN_MODERATE, 1000000 + MAIL_TOKEN_LIFETIME + 1,
			       &got) == MAIL_TOKEN_EXPIRED);
	strcpy(bad, s);
	bad[3] = bad[3] == 'A' ? 'B' : 'A';
	CHECK(mail_token_check(secret, bad, MAIL_TOKEN_MODERATE, 1000000 + 60, &got) == MAIL_TOKEN_BAD);
	CHECK(mail_token_check(secret, "", MAIL_TOKEN_MODERATE, 1000000, &got) == MAIL_TOKEN_BAD);
	CHECK(mail_token_check(secret, NULL, MAIL_TOKEN_MODERATE, 1000000, &got) == MAIL_TOKEN_BAD);
	/* Unsubscribe links never expire. */
	t.kind = MAIL_TOKEN_UNSUBSCRIBE;
	s = mail_token_make(&a, secret, &t);
	CHECK(mail_token_check(secret, s, MAIL_TOKEN_UNSUBSCRIBE, 1000000 + 10 * MAIL_TOKEN_LIFETIME,
			       &got) == MAIL_TOKEN_OK);
	arena_free(&a);
}

int
main(void)
{
	test_headers();
	test_quoted_printable();
	test_compose();
	test_addresses();
	test_run();
	test_tokens();
	return check_summary();
}

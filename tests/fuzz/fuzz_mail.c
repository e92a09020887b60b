/* fuzz_mail.c: libFuzzer target: any link token is refused or read back, and any text makes a well-formed message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail.h"
#include "mailtoken.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every header line is printable ASCII and at most 998 bytes (RFC 5322). */
static void
check_head(const char *msg)
{
	const char *end = strstr(msg, "\n\n"), *p, *line = msg;

	if (end == NULL)
		abort();
	for (p = msg; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n') {
			if (p - line > 998)
				abort();
			line = p + 1;
		} else if (c < 0x20 || c > 0x7e)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char secret[32] = { 1, 2, 3 };
	struct mail_token t;
	struct mail_message m;
	struct buf b = BUF_INIT;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	/* As a token from a URL: refused, or its kind is the one asked for. */
	if (mail_token_check(secret, text, MAIL_TOKEN_MODERATE, 1700000000, &t) != MAIL_TOKEN_BAD &&
	    t.kind != MAIL_TOKEN_MODERATE)
		abort();
	/* As a reader's name, a post title and a comment: the message stays well formed. */
	memset(&m, 0, sizeof(m));
	m.from = "blog@example.org";
	m.from_name = text;
	m.to = "ann@example.org";
	m.subject = text;
	m.message_id = "<1.a@example.org>";
	m.body = text;
	mail_compose(&b, &m);
	check_head(b.data);
	mail_address_valid(text);
	buf_free(&b);
	free(text);
	return 0;
}

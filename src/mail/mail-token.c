/* mail-token.c: the signed tokens in mailed links: made and checked with libsodium. */
#include "mailtoken.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "sign.h"

#define PAYLOAD_BYTES (1 + 8 + 8 + 8 + 2 * MAIL_FINGERPRINT_BYTES)
#define TOKEN_BYTES (PAYLOAD_BYTES + SIGN_TAG_BYTES)
#define TOKEN_B64_MAX 160

/* The secret's size (store's DB_SECRET_BYTES) and the links' signing purpose (sign.h). */
#define SECRET_BYTES 32
static const char key_context[] = "parley mail links";

static void
put64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	int i;

	for (i = 7; i >= 0; i--, u >>= 8)
		p[i] = (unsigned char)u;
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t u = 0;
	int i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	return (int64_t)u;
}

const char *
mail_token_make(struct arena *a, const unsigned char *secret, const struct mail_token *t)
{
	unsigned char raw[TOKEN_BYTES];
	char *out = arena_alloc(a, TOKEN_B64_MAX);

	raw[0] = (unsigned char)t->kind;
	put64(raw + 1, t->id);
	put64(raw + 9, t->sub);
	put64(raw + 17, t->issued_at);
	memcpy(raw + 25, t->state, MAIL_FINGERPRINT_BYTES);
	memcpy(raw + 25 + MAIL_FINGERPRINT_BYTES, t->who, MAIL_FINGERPRINT_BYTES);
	sign_tag(raw + PAYLOAD_BYTES, secret, SECRET_BYTES, key_context, raw, PAYLOAD_BYTES);
	sodium_bin2base64(out, TOKEN_B64_MAX, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

enum mail_token_rc
mail_token_check(const unsigned char *secret, const char *s, int kind, time_t now,
		 struct mail_token *out)
{
	unsigned char raw[TOKEN_BYTES];
	enum sign_age age;
	size_t len = 0;

	if (s == NULL || strlen(s) >= TOKEN_B64_MAX ||
	    sodium_base642bin(raw, sizeof(raw), s, strlen(s), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return MAIL_TOKEN_BAD;
	if (!sign_verify(raw + PAYLOAD_BYTES, secret, SECRET_BYTES, key_context, raw,
			 PAYLOAD_BYTES) || raw[0] != (unsigned char)kind)
		return MAIL_TOKEN_BAD;
	memset(out, 0, sizeof(*out));
	out->kind = raw[0];
	out->id = get64(raw + 1);
	out->sub = get64(raw + 9);
	out->issued_at = get64(raw + 17);
	memcpy(out->state, raw + 25, MAIL_FINGERPRINT_BYTES);
	memcpy(out->who, raw + 25 + MAIL_FINGERPRINT_BYTES, MAIL_FINGERPRINT_BYTES);
	age = sign_age(out->issued_at, now, MAIL_TOKEN_LIFETIME, 300);
	if (out->id <= 0 || age == SIGN_FUTURE)
		return MAIL_TOKEN_BAD;
	if (age == SIGN_EXPIRED && kind != MAIL_TOKEN_UNSUBSCRIBE)
		return MAIL_TOKEN_EXPIRED;
	return MAIL_TOKEN_OK;
}

void
mail_fingerprint(unsigned char out[MAIL_FINGERPRINT_BYTES], const char *const *parts,
		 size_t n, int fold)
{
	crypto_generichash_state st;
	unsigned char full[crypto_generichash_BYTES_MIN];
	size_t i;

	crypto_generichash_init(&st, NULL, 0, sizeof(full));
	for (i = 0; i < n; i++) {
		const char *p = parts[i] ? parts[i] : "";
		for (; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;
			if (fold && c < 0x80)
				c = (unsigned char)tolower(c);
			crypto_generichash_update(&st, &c, 1);
		}
		crypto_generichash_update(&st, (const unsigned char *)"", 1);
	}
	crypto_generichash_final(&st, full, sizeof(full));
	memcpy(out, full, MAIL_FINGERPRINT_BYTES);
}

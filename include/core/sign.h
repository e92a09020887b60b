/* sign.h: tags that prove the site made a value (form tokens, cookies, mailed links). */
#ifndef PARLEY_SIGN_H
#define PARLEY_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bytes of a tag: HMAC-SHA512-256, libsodium's crypto_auth. */
#define SIGN_TAG_BYTES 32

/*
 * The tag of msg for one purpose: crypto_auth (HMAC-SHA512-256) keyed with
 * BLAKE2b-256(context, key = secret), so that a tag made for one kind of
 * token (context "parley comment form v1", ...) is worth nothing as
 * another.  Every signed value of the engine is made with this.
 */
void sign_tag(unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret,
	      size_t secret_len, const char *context, const void *msg, size_t len);

/* Is tag sign_tag's for msg and context?  1 or 0, in constant time. */
int sign_verify(const unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret,
		size_t secret_len, const char *context, const void *msg, size_t len);

enum sign_age {
	SIGN_FRESH,     /* issued at most lifetime seconds ago */
	SIGN_FUTURE,    /* issued more than skew seconds after now: not ours */
	SIGN_EXPIRED,   /* issued more than lifetime seconds before now */
};

/* Where a value issued at `issued` stands at now. */
enum sign_age sign_age(int64_t issued, time_t now, int64_t lifetime, int64_t skew);

#endif

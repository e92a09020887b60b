/* sign.c: one way to sign what the engine hands out and later trusts: libsodium's crypto_auth under per-purpose subkeys. */
#include "sign.h"

#include <sodium.h>
#include <string.h>

_Static_assert(SIGN_TAG_BYTES == crypto_auth_BYTES, "SIGN_TAG_BYTES is crypto_auth's");

/* The subkey for one purpose: BLAKE2b-256 of the context, keyed with the secret. */
static void
subkey(unsigned char key[crypto_auth_KEYBYTES], const unsigned char *secret,
       size_t secret_len, const char *context)
{
	crypto_generichash(key, crypto_auth_KEYBYTES, (const unsigned char *)context,
			   strlen(context), secret, secret_len);
}

void
sign_tag(unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret, size_t secret_len,
	 const char *context, const void *msg, size_t len)
{
	unsigned char key[crypto_auth_KEYBYTES];

	subkey(key, secret, secret_len, context);
	crypto_auth(tag, msg, len, key);
	sodium_memzero(key, sizeof(key));
}

int
sign_verify(const unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret,
	    size_t secret_len, const char *context, const void *msg, size_t len)
{
	unsigned char key[crypto_auth_KEYBYTES];
	int ok;

	subkey(key, secret, secret_len, context);
	ok = crypto_auth_verify(tag, msg, len, key) == 0;
	sodium_memzero(key, sizeof(key));
	return ok;
}

enum sign_age
sign_age(int64_t issued, time_t now, int64_t lifetime, int64_t skew)
{
	if (issued > (int64_t)now + skew)
		return SIGN_FUTURE;
	if ((int64_t)now - issued > lifetime)
		return SIGN_EXPIRED;
	return SIGN_FRESH;
}

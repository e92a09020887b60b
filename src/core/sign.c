/* sign.c: one way to sign what the engine hands out and later trusts: libsodium's crypto_auth under per-purpose subkeys. */
#include "sign.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

_Static_assert(SIGN_TAG_BYTES == crypto_auth_BYTES, "SIGN_TAG_BYTES is crypto_auth's");
_Static_assert(crypto_auth_BYTES == crypto_auth_hmacsha512256_BYTES &&
	       crypto_auth_KEYBYTES == crypto_auth_hmacsha512256_KEYBYTES,
	       "crypto_auth is HMAC-SHA512-256");

/* The subkey for one purpose: BLAKE2b-256 of the context, keyed with the secret. */
static void
subkey(unsigned char key[crypto_auth_KEYBYTES], const unsigned char *secret,
       size_t secret_len, const char *context)
{
	crypto_generichash(key, crypto_auth_KEYBYTES, (const unsigned char *)context,
			   strlen(context), secret, secret_len);
}

/*
 * Each thread keeps the HMAC state of the purposes it signed for, keyed
 * with their subkey (HMAC's inner and outer key blocks already hashed), so
 * a form token costs one short HMAC instead of a BLAKE2b for the subkey and
 * four SHA-512 blocks: a fifth of a cached page's instructions went there.
 * The tags are crypto_auth's, byte for byte.  A thread's states are wiped
 * when it ends.
 */
#define KEPT_STATES 8
#define KEPT_SECRET_MAX 64
#define KEPT_CONTEXT_MAX 64

struct kept {
	size_t secret_len;       /* 0: slot unused */
	unsigned char secret[KEPT_SECRET_MAX];
	char context[KEPT_CONTEXT_MAX];
	crypto_auth_hmacsha512256_state state;
};

struct kept_set {
	struct kept slot[KEPT_STATES];
	unsigned next;           /* the slot a new purpose replaces */
	int registered;          /* wiped at thread exit */
};

static _Thread_local struct kept_set kept;
static pthread_key_t wipe_key;
static pthread_once_t wipe_once = PTHREAD_ONCE_INIT;

static void
wipe(void *set)
{
	sodium_memzero(set, sizeof(struct kept_set));
}

static void
wipe_key_make(void)
{
	if (pthread_key_create(&wipe_key, wipe) != 0)
		wipe_key = (pthread_key_t)-1;
}

/* The thread's HMAC state for (secret, context), or NULL when it cannot keep one. */
static const crypto_auth_hmacsha512256_state *
keyed_state(const unsigned char *secret, size_t secret_len, const char *context)
{
	size_t clen = strlen(context);
	unsigned char key[crypto_auth_KEYBYTES];
	struct kept *k;
	unsigned i;

	if (secret_len == 0 || secret_len > KEPT_SECRET_MAX || clen >= KEPT_CONTEXT_MAX)
		return NULL;
	for (i = 0; i < KEPT_STATES; i++) {
		k = &kept.slot[i];
		if (k->secret_len == secret_len && memcmp(k->context, context, clen + 1) == 0 &&
		    memcmp(k->secret, secret, secret_len) == 0)
			return &k->state;
	}
	if (!kept.registered) {
		pthread_once(&wipe_once, wipe_key_make);
		if (wipe_key != (pthread_key_t)-1)
			pthread_setspecific(wipe_key, &kept);
		kept.registered = 1;
	}
	k = &kept.slot[kept.next++ % KEPT_STATES];
	subkey(key, secret, secret_len, context);
	crypto_auth_hmacsha512256_init(&k->state, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	memcpy(k->secret, secret, secret_len);
	memcpy(k->context, context, clen + 1);
	k->secret_len = secret_len;
	return &k->state;
}

void
sign_tag(unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret, size_t secret_len,
	 const char *context, const void *msg, size_t len)
{
	const crypto_auth_hmacsha512256_state *keyed = keyed_state(secret, secret_len, context);
	crypto_auth_hmacsha512256_state st;
	unsigned char key[crypto_auth_KEYBYTES];

	if (keyed == NULL) {
		subkey(key, secret, secret_len, context);
		crypto_auth(tag, msg, len, key);
		sodium_memzero(key, sizeof(key));
		return;
	}
	st = *keyed;
	crypto_auth_hmacsha512256_update(&st, msg, len);
	crypto_auth_hmacsha512256_final(&st, tag);
	sodium_memzero(&st, sizeof(st));
}

int
sign_verify(const unsigned char tag[SIGN_TAG_BYTES], const unsigned char *secret,
	    size_t secret_len, const char *context, const void *msg, size_t len)
{
	unsigned char want[SIGN_TAG_BYTES];
	int ok;

	sign_tag(want, secret, secret_len, context, msg, len);
	ok = crypto_verify_32(want, tag) == 0;
	sodium_memzero(want, sizeof(want));
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

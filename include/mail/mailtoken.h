/* mailtoken.h: the signed tokens in mailed links (moderate a comment, confirm an address, unsubscribe). */
#ifndef PARLEY_MAILTOKEN_H
#define PARLEY_MAILTOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"

/* How long a moderation or confirmation link works. */
#define MAIL_TOKEN_LIFETIME (7L * 24 * 3600)
/* Bytes of the fingerprints a token carries. */
#define MAIL_FINGERPRINT_BYTES 8

enum mail_token_kind {
	MAIL_TOKEN_MODERATE = 'M',      /* /admin/mail/T: id is a comment */
	MAIL_TOKEN_CONFIRM = 'C',       /* /subscriptions/confirm: id is a subscriber */
	MAIL_TOKEN_UNSUBSCRIBE = 'U',   /* /subscriptions/unsubscribe: id is a subscriber */
};

/*
 * What a token says.  state is a fingerprint of what the link was made
 * for (the comment's status and text, or the subscriber's address), so a
 * change voids it; who names the moderator a moderation link was sent to;
 * sub is the subscription an unsubscribe link stops (0: all of them).
 */
struct mail_token {
	int kind;
	int64_t id;
	int64_t sub;
	int64_t issued_at;
	unsigned char state[MAIL_FINGERPRINT_BYTES];
	unsigned char who[MAIL_FINGERPRINT_BYTES];
};

/*
 * The token as URL-safe base64 (no padding) of the fields and their
 * crypto_auth tag, under a key derived from the site secret
 * (DB_SECRET_BYTES), in the arena.  Its layout, for tests that forge
 * expired ones: kind (1 byte), id, sub, issued_at (8 bytes each, big
 * endian), state, who, then HMAC-SHA512-256 of those 41 bytes keyed with
 * BLAKE2b-256("parley mail links", key = secret).
 */
const char *mail_token_make(struct arena *a, const unsigned char *secret,
			    const struct mail_token *t);

enum mail_token_rc {
	MAIL_TOKEN_OK,
	MAIL_TOKEN_BAD,         /* malformed, forged, or not of the kind asked for */
	MAIL_TOKEN_EXPIRED,     /* genuine, but older than MAIL_TOKEN_LIFETIME (when it expires) */
};

/*
 * Check s as a token of kind at now (expiring ones: moderation and
 * confirmation).  Constant-time tag check.  Fills out on MAIL_TOKEN_OK and
 * MAIL_TOKEN_EXPIRED.
 */
enum mail_token_rc mail_token_check(const unsigned char *secret, const char *s, int kind,
				    time_t now, struct mail_token *out);

/*
 * Fingerprint of parts (n NUL-separated strings; ASCII letters compared
 * without case when fold) into out: BLAKE2b, the first
 * MAIL_FINGERPRINT_BYTES bytes.
 */
void mail_fingerprint(unsigned char out[MAIL_FINGERPRINT_BYTES], const char *const *parts,
		      size_t n, int fold);

#endif

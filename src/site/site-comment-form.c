/* site-comment-form.c: the reader forms' pure parts: signed tokens, field rules, the own-comments, likes and remember-me cookies. */
#include "comment_form.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "db.h"
#include "posts.h"
#include "sign.h"
#include "text.h"
#include "utf8.h"

#define MAX_AUTHOR_CHARS 100
#define MAX_EMAIL_BYTES 254
#define MAX_URL_BYTES 2000
/* A token submitted this long "before" it was issued is clock skew, not forgery. */
#define TOKEN_CLOCK_SKEW 60
/* Random bytes in each form token, and the bytes its tag covers. */
#define TOKEN_NONCE_BYTES 8
#define TOKEN_MESSAGE_BYTES (16 + TOKEN_NONCE_BYTES)

/* Parse a decimal int64 of 1 to 18 digits that ends at *end == stop.  0 or -1. */
static int
parse_decimal(const char *s, char stop, int64_t *out, const char **end)
{
	int64_t v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == 18)
			return -1;
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0 || s[n] != stop)
		return -1;
	*out = v;
	*end = s + n;
	return 0;
}

/* The bytes a token's tag covers: the post id, the issue time, the nonce. */
static void
token_message(unsigned char msg[TOKEN_MESSAGE_BYTES], int64_t post_id, int64_t issued,
	      const unsigned char nonce[TOKEN_NONCE_BYTES])
{
	for (int i = 0; i < 8; i++) {
		msg[i] = (unsigned char)((uint64_t)post_id >> (8 * i));
		msg[8 + i] = (unsigned char)((uint64_t)issued >> (8 * i));
	}
	memcpy(msg + 16, nonce, TOKEN_NONCE_BYTES);
}

/* "ID.ISSUED.NONCE.TAG" under the subkey for context (one per kind of token). */
static const char *
signed_token_make(struct arena *a, const unsigned char *secret, const char *context,
		  int64_t id, time_t issued)
{
	unsigned char msg[TOKEN_MESSAGE_BYTES], tag[SIGN_TAG_BYTES];
	unsigned char nonce[TOKEN_NONCE_BYTES];
	char *out = arena_alloc(a, 2 * DEC_INT_MAX + 3 + TOKEN_NONCE_BYTES * 2 +
				SIGN_TAG_BYTES * 2 + 1);
	size_t n;

	/* Two readers served in the same second get different tokens: each is single-use. */
	randombytes_buf(nonce, sizeof(nonce));
	token_message(msg, id, (int64_t)issued, nonce);
	sign_tag(tag, secret, DB_SECRET_BYTES, context, msg, sizeof(msg));
	/* By hand: every cached page hit makes a token, and printf was a third of its cost. */
	n = dec_int(out, id);
	out[n++] = '.';
	n += dec_int(out + n, (long long)issued);
	out[n++] = '.';
	sodium_bin2hex(out + n, TOKEN_NONCE_BYTES * 2 + 1, nonce, sizeof(nonce));
	n += TOKEN_NONCE_BYTES * 2;
	out[n++] = '.';
	sodium_bin2hex(out + n, SIGN_TAG_BYTES * 2 + 1, tag, sizeof(tag));
	return out;
}

/* Check a signed_token_make token for id at now (see enum comment_token_rc). */
static enum comment_token_rc
signed_token_check(const unsigned char *secret, const char *context, const char *token,
		   int64_t id, time_t now, int min_seconds)
{
	unsigned char msg[TOKEN_MESSAGE_BYTES], tag[SIGN_TAG_BYTES];
	unsigned char nonce[TOKEN_NONCE_BYTES];
	int64_t tok_id, issued;
	enum sign_age age;
	const char *p;
	size_t len;
	int ok;

	if (token == NULL || parse_decimal(token, '.', &tok_id, &p) != 0 ||
	    parse_decimal(p + 1, '.', &issued, &p) != 0)
		return COMMENT_TOKEN_FORGED;
	p++;
	if (strlen(p) != TOKEN_NONCE_BYTES * 2 + 1 + SIGN_TAG_BYTES * 2 ||
	    p[TOKEN_NONCE_BYTES * 2] != '.' ||
	    sodium_hex2bin(nonce, sizeof(nonce), p, TOKEN_NONCE_BYTES * 2, NULL, &len, NULL) != 0 ||
	    len != sizeof(nonce))
		return COMMENT_TOKEN_FORGED;
	p += TOKEN_NONCE_BYTES * 2 + 1;
	if (sodium_hex2bin(tag, sizeof(tag), p, strlen(p), NULL, &len, NULL) != 0 ||
	    len != sizeof(tag))
		return COMMENT_TOKEN_FORGED;
	token_message(msg, tok_id, issued, nonce);
	ok = sign_verify(tag, secret, DB_SECRET_BYTES, context, msg, sizeof(msg));
	age = sign_age(issued, now, COMMENT_TOKEN_LIFETIME, TOKEN_CLOCK_SKEW);
	if (!ok || age == SIGN_FUTURE)
		return COMMENT_TOKEN_FORGED;
	if (tok_id != id)
		return COMMENT_TOKEN_WRONG_POST;
	if (age == SIGN_EXPIRED)
		return COMMENT_TOKEN_EXPIRED;
	if ((int64_t)now - issued < min_seconds)
		return COMMENT_TOKEN_TOO_FAST;
	return COMMENT_TOKEN_OK;
}

time_t
comment_token_issued(const char *token)
{
	int64_t post, issued;
	const char *p;

	if (token == NULL || parse_decimal(token, '.', &post, &p) != 0 ||
	    parse_decimal(p + 1, '.', &issued, &p) != 0)
		return (time_t)-1;
	return (time_t)issued;
}

void
comment_token_key(const char *token, char key[COMMENT_KEY_HEX])
{
	unsigned char hash[(COMMENT_KEY_HEX - 1) / 2];

	crypto_generichash(hash, sizeof(hash), (const unsigned char *)token, strlen(token),
			   NULL, 0);
	sodium_bin2hex(key, COMMENT_KEY_HEX, hash, sizeof(hash));
}

void
comment_text_key(const char *author, const char *text, char key[COMMENT_KEY_HEX])
{
	unsigned char hash[(COMMENT_KEY_HEX - 1) / 2];
	crypto_generichash_state st;

	/* The NUL between them keeps ("ab", "c") and ("a", "bc") apart. */
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	crypto_generichash_update(&st, (const unsigned char *)author, strlen(author) + 1);
	crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(key, COMMENT_KEY_HEX, hash, sizeof(hash));
}

const char *
comment_token_make(struct arena *a, const unsigned char *secret, int64_t post_id,
		   time_t issued)
{
	return signed_token_make(a, secret, "parley form token v2", post_id, issued);
}

enum comment_token_rc
comment_token_check(const unsigned char *secret, const char *token, int64_t post_id,
		    time_t now, int min_seconds)
{
	return signed_token_check(secret, "parley form token v2", token, post_id, now,
				  min_seconds);
}

const char *
like_token_make(struct arena *a, const unsigned char *secret, int64_t post_id, time_t issued)
{
	return signed_token_make(a, secret, "parley like token v2", post_id, issued);
}

enum comment_token_rc
like_token_check(const unsigned char *secret, const char *token, int64_t post_id, time_t now)
{
	return signed_token_check(secret, "parley like token v2", token, post_id, now, 0);
}

const char *
comment_token_reason(enum comment_token_rc rc)
{
	switch (rc) {
	case COMMENT_TOKEN_OK:
		return "";
	case COMMENT_TOKEN_FORGED:
		return "missing or forged form token";
	case COMMENT_TOKEN_WRONG_POST:
		return "form token of another post";
	case COMMENT_TOKEN_EXPIRED:
		return "expired form token";
	case COMMENT_TOKEN_TOO_FAST:
		return "submitted too soon after the form was served";
	}
	return "bad form token";
}

/*
 * The subkey context of an edit token: it names the comment's current text,
 * so a token stops working once the comment has changed (a replayed form).
 */
static const char *
edit_context(struct arena *a, const char *author, const char *url, const char *body_md)
{
	unsigned char hash[16];
	char hex[sizeof(hash) * 2 + 1];
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	crypto_generichash_update(&st, (const unsigned char *)author, strlen(author) + 1);
	crypto_generichash_update(&st, (const unsigned char *)url, strlen(url) + 1);
	crypto_generichash_update(&st, (const unsigned char *)body_md, strlen(body_md));
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	return arena_printf(a, "parley edit token v1 %s", hex);
}

const char *
comment_edit_token_make(struct arena *a, const unsigned char *secret, int64_t comment_id,
			const char *author, const char *url, const char *body_md, time_t issued)
{
	return signed_token_make(a, secret, edit_context(a, author, url, body_md), comment_id,
				 issued);
}

enum comment_token_rc
comment_edit_token_check(struct arena *a, const unsigned char *secret, const char *token,
			 int64_t comment_id, const char *author, const char *url,
			 const char *body_md, time_t now)
{
	return signed_token_check(secret, edit_context(a, author, url, body_md), token,
				  comment_id, now, 0);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim ASCII white space at both ends; returns the start, *len updated. */
static const char *
trim(const char *s, size_t *len)
{
	while (*len > 0 && is_space(s[0])) {
		s++;
		(*len)--;
	}
	while (*len > 0 && is_space(s[*len - 1]))
		(*len)--;
	return s;
}

int
comment_email_valid(const char *s, size_t len)
{
	const char *at = NULL, *domain;
	size_t i, dlen;

	if (len == 0 || len > MAX_EMAIL_BYTES)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
			return 0;
		if (c == '@') {
			if (at != NULL)
				return 0;
			at = s + i;
		}
	}
	if (at == NULL || at == s || at - s > 64)
		return 0;
	domain = at + 1;
	dlen = len - (size_t)(domain - s);
	if (dlen < 3 || memchr(domain, '.', dlen) == NULL || domain[0] == '.' ||
	    domain[0] == '-' || domain[dlen - 1] == '.' || domain[dlen - 1] == '-')
		return 0;
	for (i = 0; i + 1 < dlen; i++)
		if (domain[i] == '.' && domain[i + 1] == '.')
			return 0;
	return 1;
}

int
comment_url_valid(const char *s, size_t len)
{
	size_t i, skip;

	if (len == 0 || len > MAX_URL_BYTES)
		return 0;
	/* s is NUL-terminated (form values are), so the scheme test stays in bounds. */
	if ((skip = url_web_scheme(s)) == 0 || len <= skip)
		return 0;
	/* A host must follow the scheme. */
	if (strchr("/?#@:", s[skip]) != NULL)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || strchr("\"<>\\`{}|^", c) != NULL)
			return 0;
	}
	return 1;
}

int
comment_form_validate(struct arena *a, struct comment_form *f, size_t max_comment_bytes)
{
	static const char bad_text[] = "This contains characters that cannot be stored.";
	const char *v;
	size_t len, i;

	f->nerrors = 0;
	f->parent_id = 0;
	for (i = 0; i < COMMENT_FIELD__MAX; i++) {
		f->error[i] = NULL;
		if (f->value[i] == NULL) {
			f->value[i] = "";
			f->len[i] = 0;
		}
	}
	if (f->len[COMMENT_FIELD_COMMENT] > max_comment_bytes)
		return 413;
	for (i = 0; i < COMMENT_FIELD__MAX; i++) {
		len = f->len[i];
		if (!utf8_valid_text(f->value[i], len)) {
			f->error[i] = bad_text;
			/* Keep what can be shown again: nothing of a value we cannot trust. */
			f->value[i] = "";
			f->len[i] = 0;
			continue;
		}
		v = trim(f->value[i], &len);
		f->value[i] = arena_strndup(a, v, len);
		f->len[i] = len;
	}

	v = f->value[COMMENT_FIELD_AUTHOR];
	len = f->len[COMMENT_FIELD_AUTHOR];
	if (f->error[COMMENT_FIELD_AUTHOR] != NULL)
		;
	else if (len == 0)
		f->error[COMMENT_FIELD_AUTHOR] = "Please give a name.";
	else if (strpbrk(v, "\t\r\n") != NULL)
		f->error[COMMENT_FIELD_AUTHOR] = "The name must be on one line.";
	else if (utf8_length(v, len) > MAX_AUTHOR_CHARS)
		f->error[COMMENT_FIELD_AUTHOR] = "The name can be at most 100 characters long.";

	v = f->value[COMMENT_FIELD_EMAIL];
	len = f->len[COMMENT_FIELD_EMAIL];
	if (f->error[COMMENT_FIELD_EMAIL] == NULL && len > 0 && !comment_email_valid(v, len))
		f->error[COMMENT_FIELD_EMAIL] = len > MAX_EMAIL_BYTES ?
		    "An email address can be at most 254 characters long." :
		    "This does not look like an email address (name@example.org).";

	v = f->value[COMMENT_FIELD_URL];
	len = f->len[COMMENT_FIELD_URL];
	if (f->error[COMMENT_FIELD_URL] == NULL && len > 0 && !comment_url_valid(v, len)) {
		if (len > MAX_URL_BYTES)
			f->error[COMMENT_FIELD_URL] = "A web address can be at most 2000 characters long.";
		else if (url_web_scheme(v) == 0)
			f->error[COMMENT_FIELD_URL] = "A web address must start with http:// or https://.";
		else
			f->error[COMMENT_FIELD_URL] = "This does not look like a web address.";
	}

	if (f->error[COMMENT_FIELD_COMMENT] == NULL && f->len[COMMENT_FIELD_COMMENT] == 0)
		f->error[COMMENT_FIELD_COMMENT] = "Please write a comment.";

	v = f->value[COMMENT_FIELD_PARENT];
	len = f->len[COMMENT_FIELD_PARENT];
	if (f->error[COMMENT_FIELD_PARENT] == NULL && len > 0) {
		const char *end;
		int64_t id;
		if (parse_decimal(v, '\0', &id, &end) != 0 || id <= 0)
			f->error[COMMENT_FIELD_PARENT] = "That is not a comment you can reply to.";
		else
			f->parent_id = id;
	}

	for (i = 0; i < COMMENT_FIELD__MAX; i++)
		if (f->error[i] != NULL)
			f->nerrors++;
	return f->nerrors ? 422 : 0;
}

int
comment_post_open(const struct post *p, int open_days, time_t now)
{
	if (!p->comments_open)
		return 0;
	if (open_days <= 0)
		return 1;
	return (int64_t)now - (int64_t)p->published_at <= (int64_t)open_days * 86400;
}

/* The hex tag of the id list text under the subkey for context. */
static void
ids_tag(const unsigned char *secret, const char *context, const char *ids, size_t len,
	char hex[SIGN_TAG_BYTES * 2 + 1])
{
	unsigned char tag[SIGN_TAG_BYTES];

	sign_tag(tag, secret, DB_SECRET_BYTES, context, ids, len);
	sodium_bin2hex(hex, SIGN_TAG_BYTES * 2 + 1, tag, sizeof(tag));
}

/* Parse a signed id list "ID-ID.TAG" made under context: the count, 0 when not genuine. */
static size_t
signed_ids_parse(const unsigned char *secret, const char *context, const char *value,
		 int64_t ids[COMMENT_MINE_MAX])
{
	unsigned char tag[SIGN_TAG_BYTES];
	const char *dot, *p, *end;
	size_t n = 0, taglen;

	if (value == NULL || (dot = strchr(value, '.')) == NULL || dot == value)
		return 0;
	if (strlen(dot + 1) != SIGN_TAG_BYTES * 2 ||
	    sodium_hex2bin(tag, sizeof(tag), dot + 1, SIGN_TAG_BYTES * 2, NULL, &taglen,
			   NULL) != 0 || taglen != sizeof(tag))
		return 0;
	if (!sign_verify(tag, secret, DB_SECRET_BYTES, context, value, (size_t)(dot - value)))
		return 0;
	for (p = value; p < dot; p = end + 1) {
		int64_t id;
		const char *stop = memchr(p, '-', (size_t)(dot - p));
		if (n == COMMENT_MINE_MAX ||
		    parse_decimal(p, stop ? '-' : '.', &id, &end) != 0)
			return 0;
		ids[n++] = id;
	}
	return n;
}

/* The signed list of ids plus id (the oldest dropped past COMMENT_MINE_MAX), in a. */
static const char *
signed_ids_make(struct arena *a, const unsigned char *secret, const char *context,
		const int64_t *ids, size_t n, int64_t id)
{
	char hex[SIGN_TAG_BYTES * 2 + 1];
	struct buf b = BUF_INIT;
	const char *out;
	size_t i, skip;

	/* Keep the newest COMMENT_MINE_MAX - 1 of the old ids, then the new one. */
	skip = n >= COMMENT_MINE_MAX ? n - (COMMENT_MINE_MAX - 1) : 0;
	for (i = skip; i < n; i++)
		buf_printf(&b, "%" PRId64 "-", ids[i]);
	buf_printf(&b, "%" PRId64, id);
	ids_tag(secret, context, b.data, b.len, hex);
	out = arena_printf(a, "%s.%s", b.data, hex);
	buf_free(&b);
	return out;
}

size_t
comment_mine_parse(const unsigned char *secret, const char *value,
		   int64_t ids[COMMENT_MINE_MAX])
{
	return signed_ids_parse(secret, "parley own comments v1", value, ids);
}

const char *
comment_mine_make(struct arena *a, const unsigned char *secret, const int64_t *ids,
		  size_t n, int64_t id)
{
	return signed_ids_make(a, secret, "parley own comments v1", ids, n, id);
}

size_t
like_ids_parse(const unsigned char *secret, const char *value, int64_t ids[COMMENT_MINE_MAX])
{
	return signed_ids_parse(secret, "parley likes v1", value, ids);
}

const char *
like_ids_make(struct arena *a, const unsigned char *secret, const int64_t *ids, size_t n,
	      int64_t post_id)
{
	return signed_ids_make(a, secret, "parley likes v1", ids, n, post_id);
}

/* Longest remember-me value read back: three fields at their limits, in base64. */
#define READER_COOKIE_MAX 4096

const char *
comment_reader_make(struct arena *a, const char *author, const char *email, const char *url)
{
	const char *joined = arena_printf(a, "%s\n%s\n%s", author, email, url);
	size_t len = strlen(joined);
	size_t outlen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, outlen);

	return sodium_bin2base64(out, outlen, (const unsigned char *)joined, len,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
comment_reader_parse(struct arena *a, const char *value, const char **author,
		     const char **email, const char **url)
{
	struct comment_form f;
	unsigned char *bin;
	char *text, *nl1, *nl2;
	size_t vlen, binlen;

	if (value == NULL || (vlen = strlen(value)) == 0 || vlen > READER_COOKIE_MAX)
		return 0;
	bin = arena_alloc(a, vlen + 1);
	if (sodium_base642bin(bin, vlen, value, vlen, NULL, &binlen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return 0;
	text = arena_strndup(a, (const char *)bin, binlen);
	if (strlen(text) != binlen || (nl1 = strchr(text, '\n')) == NULL ||
	    (nl2 = strchr(nl1 + 1, '\n')) == NULL || strchr(nl2 + 1, '\n') != NULL)
		return 0;
	*nl1 = *nl2 = '\0';
	/* The form's own rules decide what may be refilled. */
	memset(&f, 0, sizeof(f));
	f.value[COMMENT_FIELD_AUTHOR] = text;
	f.len[COMMENT_FIELD_AUTHOR] = strlen(text);
	f.value[COMMENT_FIELD_EMAIL] = nl1 + 1;
	f.len[COMMENT_FIELD_EMAIL] = strlen(nl1 + 1);
	f.value[COMMENT_FIELD_URL] = nl2 + 1;
	f.len[COMMENT_FIELD_URL] = strlen(nl2 + 1);
	f.value[COMMENT_FIELD_COMMENT] = "x";
	f.len[COMMENT_FIELD_COMMENT] = 1;
	if (comment_form_validate(a, &f, 1) != 0)
		return 0;
	*author = f.value[COMMENT_FIELD_AUTHOR];
	*email = f.value[COMMENT_FIELD_EMAIL];
	*url = f.value[COMMENT_FIELD_URL];
	return 1;
}

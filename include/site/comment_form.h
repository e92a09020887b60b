/* comment_form.h: the comment form's pure parts: signed form tokens, field validators, the own-comments cookie. */
#ifndef PARLEY_COMMENT_FORM_H
#define PARLEY_COMMENT_FORM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "html.h"

struct post;

/* How long a served form can be submitted (SPEC: expired tokens are spam). */
#define COMMENT_TOKEN_LIFETIME (3 * 24 * 3600)
/* Comment ids one browser's cookie remembers (the newest are kept). */
#define COMMENT_MINE_MAX 20
/* Nesting shown on the page; deeper replies stay at the last level. */
#define COMMENT_THREAD_DEPTH 4

/*
 * The form token: "POSTID.ISSUED.NONCE.TAG", NONCE 8 random bytes in hex
 * (so no two forms share a token, even in the same second), TAG the hex
 * crypto_auth of the post id, the issue time and the nonce under a subkey
 * of the site secret (secret is DB_SECRET_BYTES long).  Returned in the
 * arena.  A token is good for one comment: intake records each one it
 * takes (comments_token_use).
 */
const char *comment_token_make(struct arena *a, const unsigned char *secret,
			       int64_t post_id, time_t issued);

enum comment_token_rc {
	COMMENT_TOKEN_OK,
	COMMENT_TOKEN_FORGED,     /* missing, malformed, bad tag, or issued in the future */
	COMMENT_TOKEN_WRONG_POST, /* a genuine token for another post */
	COMMENT_TOKEN_EXPIRED,    /* older than COMMENT_TOKEN_LIFETIME */
	COMMENT_TOKEN_TOO_FAST,   /* submitted sooner than min_seconds after it was served */
};

/* Check a submitted token for post_id at now.  Constant-time tag comparison. */
enum comment_token_rc comment_token_check(const unsigned char *secret, const char *token,
					  int64_t post_id, time_t now, int min_seconds);
/*
 * When a token says it was issued, unchecked: only for a token that
 * comment_token_check accepted.  -1 when it cannot be read.
 */
time_t comment_token_issued(const char *token);

/* Bytes of a token's or a text's key (hex of a 16-byte BLAKE2b) with its NUL. */
#define COMMENT_KEY_HEX 33
/* The key a used token is recorded under, and the key of what it carried. */
void comment_token_key(const char *token, char key[COMMENT_KEY_HEX]);
void comment_text_key(const char *author, const char *text, char key[COMMENT_KEY_HEX]);

/* A short phrase for spam_reason ("honeypot", "expired form token", ...). */
const char *comment_token_reason(enum comment_token_rc rc);

/* The visible fields of the form, in the order the page shows them. */
enum comment_field {
	COMMENT_FIELD_AUTHOR,
	COMMENT_FIELD_EMAIL,
	COMMENT_FIELD_URL,
	COMMENT_FIELD_COMMENT,
	COMMENT_FIELD_PARENT,
	COMMENT_FIELD__MAX
};

/*
 * A submission: the fields as sent (values may hold NUL bytes, hence the
 * lengths), then, after comment_form_validate, trimmed copies in the arena
 * and one message per bad field (NULL when the field is fine).
 */
struct comment_form {
	const char *value[COMMENT_FIELD__MAX];
	size_t len[COMMENT_FIELD__MAX];
	const char *error[COMMENT_FIELD__MAX];
	int64_t parent_id;          /* 0 when not a reply */
	int nerrors;
	int subscribe_comments;     /* the boxes ticked (they need an email: the caller checks) */
	int subscribe_posts;
};

/*
 * Validate the fields as SPEC.md's "Leaving a comment" says, without the
 * database (the parent's existence is the caller's check).  Fills
 * error[], nerrors and parent_id, and replaces value[] by text fit for
 * storage (trimmed, "" for absent fields).  Returns 0 when every field is
 * fine, 413 when the comment is longer than max_comment_bytes (the other
 * fields are then not checked), or 422.
 */
int comment_form_validate(struct arena *a, struct comment_form *f, size_t max_comment_bytes);

/* The single-field rules, exposed for tests: 1 good, 0 bad. */
int comment_email_valid(const char *s, size_t len);
int comment_url_valid(const char *s, size_t len);

/*
 * Does p take comments at now?  Its own flag, and, when open_days > 0, no
 * more than open_days days since it was published.
 */
int comment_post_open(const struct post *p, int open_days, time_t now);

/*
 * The own-comments cookie: "ID-ID-ID.TAG", the ids of comments this browser
 * wrote (newest last), TAG the hex crypto_auth of the ids under a subkey of
 * the site secret.  comment_mine_parse returns the number of ids (at most
 * COMMENT_MINE_MAX) written to ids, or 0 for a missing, forged or malformed
 * value.  comment_mine_make adds id to ids (dropping the oldest past
 * COMMENT_MINE_MAX) and returns the new value in the arena.
 */
size_t comment_mine_parse(const unsigned char *secret, const char *value,
			  int64_t ids[COMMENT_MINE_MAX]);
const char *comment_mine_make(struct arena *a, const unsigned char *secret,
			      const int64_t *ids, size_t n, int64_t id);

/*
 * Likes (POST /posts/SLUG/like).  The like form's token is a form token of
 * its own kind (another subkey, so neither passes for the other): forged,
 * wrong-post and expired (COMMENT_TOKEN_LIFETIME) as comment_token_check
 * says, with no minimum age.  The likes cookie is the own-comments cookie's
 * format under its own subkey, listing the posts this browser liked
 * (newest COMMENT_MINE_MAX kept).
 */
const char *like_token_make(struct arena *a, const unsigned char *secret, int64_t post_id,
			    time_t issued);
enum comment_token_rc like_token_check(const unsigned char *secret, const char *token,
				       int64_t post_id, time_t now);
size_t like_ids_parse(const unsigned char *secret, const char *value,
		      int64_t ids[COMMENT_MINE_MAX]);
const char *like_ids_make(struct arena *a, const unsigned char *secret, const int64_t *ids,
			  size_t n, int64_t post_id);

/*
 * The edit form's token (GET/POST /posts/SLUG/comments/ID/edit) names the
 * comment and, through its subkey, the comment's current author, url and
 * text: once the comment has changed, an old edit form is refused as
 * COMMENT_TOKEN_FORGED (a replay), and it expires like a comment form.
 */
const char *comment_edit_token_make(struct arena *a, const unsigned char *secret,
				    int64_t comment_id, const char *author, const char *url,
				    const char *body_md, time_t issued);
enum comment_token_rc comment_edit_token_check(struct arena *a, const unsigned char *secret,
					       const char *token, int64_t comment_id,
					       const char *author, const char *url,
					       const char *body_md, time_t now);

/*
 * The "remember me" cookie: the reader's name, email and website joined by
 * newlines, base64url without padding.  It is the reader's own data, kept by
 * their browser: not signed, but read back only when every value passes the
 * form's own rules.  comment_reader_make returns the value in the arena;
 * comment_reader_parse sets the three strings (in the arena) and returns 1,
 * or 0 for a missing or malformed value or one the form would refuse.
 */
const char *comment_reader_make(struct arena *a, const char *author, const char *email,
				const char *url);
int comment_reader_parse(struct arena *a, const char *value, const char **author,
			 const char **email, const char **url);

/*
 * What site_comment_post hands site_post_page when it re-renders a post
 * page for a submission it did not take (422, 413, 429, 503) or a preview,
 * so site_post_comments refills the form.
 */
struct comment_form_state {
	const struct comment_form *form;  /* the reader's values and field errors; NULL: blank */
	const char *message;              /* shown at the top of the form, or NULL */
	const char *token;                /* the submitted token to serve again, or NULL for a fresh one */
	struct html preview_html;         /* the comment rendered for a preview, or NULL .s */
};

#endif

/* admin-login.c: the login form, password checks with throttling, new sessions, logout. */
#include "admin.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "ratelimit.h"
#include "sessions.h"
#include "sign.h"
#include "users.h"
#include "utf8.h"

#define LOGIN_WINDOW_SECONDS (15 * 60)
#define LOGIN_TOKEN_SECONDS 3600        /* how long a served login form stays good */
#define LOGIN_NONCE_BYTES 16
#define LOGIN_RAW_BYTES (LOGIN_NONCE_BYTES + 8 + SIGN_TAG_BYTES)
#define LOGIN_FORM_LIMIT 8192
#define LOGIN_DELAY_STEP_MS 200         /* each recent failure slows the next try */
#define LOGIN_DELAY_MAX_MS 1000

static const char login_failed_message[] = "Wrong name or password.";

/* A hash of a random password with the limits users_add uses, made once. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	unsigned char pw[24];

	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		die("cannot make the dummy password hash (out of memory)");
	sodium_memzero(pw, sizeof(pw));
}

void
admin_login_init(void)
{
	pthread_once(&dummy_once, dummy_make);
}

/*
 * The login form's own CSRF protection, before any session exists: a
 * random nonce in an HttpOnly, SameSite=Strict cookie, and in the form a
 * token binding that nonce to the time it was served, signed (sign.h) for
 * this purpose with the site secret.  A forged form has neither the cookie
 * nor a valid token.
 */
static const char login_context[] = "parley admin login form v1";

/* The nonce from the request's login cookie: 1 when it holds one. */
static int
login_cookie_nonce(struct req *r, unsigned char nonce[LOGIN_NONCE_BYTES])
{
	const char *c = req_cookie(r, ADMIN_LOGIN_COOKIE);
	size_t len = 0;

	return c != NULL && sodium_base642bin(nonce, LOGIN_NONCE_BYTES, c, strlen(c), NULL,
	    &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	    len == LOGIN_NONCE_BYTES;
}

/* A fresh form token for the browser's nonce (set as a cookie when it has none). */
static const char *
login_token_new(struct req *r)
{
	unsigned char raw[LOGIN_RAW_BYTES];
	unsigned char *nonce = raw, *stamp = raw + LOGIN_NONCE_BYTES;
	char *out;
	uint64_t t = (uint64_t)r->now;
	int i;

	if (!login_cookie_nonce(r, nonce)) {
		char *c = arena_alloc(r->arena,
				      sodium_base64_ENCODED_LEN(LOGIN_NONCE_BYTES,
				      sodium_base64_VARIANT_URLSAFE_NO_PADDING));
		randombytes_buf(nonce, LOGIN_NONCE_BYTES);
		sodium_bin2base64(c, sodium_base64_ENCODED_LEN(LOGIN_NONCE_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING), nonce,
				  LOGIN_NONCE_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		resp_cookie(r, ADMIN_LOGIN_COOKIE, c, admin_cookie_path(r), LOGIN_TOKEN_SECONDS,
			    1, "Strict");
	}
	for (i = 7; i >= 0; i--, t >>= 8)
		stamp[i] = (unsigned char)(t & 0xff);
	sign_tag(raw + LOGIN_NONCE_BYTES + 8, r->db->secret, sizeof(r->db->secret), login_context,
		 raw, LOGIN_NONCE_BYTES + 8);
	out = arena_alloc(r->arena, sodium_base64_ENCODED_LEN(LOGIN_RAW_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	sodium_bin2base64(out, sodium_base64_ENCODED_LEN(LOGIN_RAW_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

/* Is the form's token ours, recent, and for this browser's nonce? */
static int
login_token_valid(struct req *r, const char *token)
{
	unsigned char raw[LOGIN_RAW_BYTES], nonce[LOGIN_NONCE_BYTES];
	size_t len = 0;
	uint64_t t = 0;
	int i;

	if (token == NULL || !login_cookie_nonce(r, nonce) ||
	    sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return 0;
	if (!sign_verify(raw + LOGIN_NONCE_BYTES + 8, r->db->secret, sizeof(r->db->secret),
			 login_context, raw, LOGIN_NONCE_BYTES + 8) ||
	    sodium_memcmp(raw, nonce, LOGIN_NONCE_BYTES) != 0)
		return 0;
	for (i = 0; i < 8; i++)
		t = t << 8 | raw[LOGIN_NONCE_BYTES + i];
	return sign_age((int64_t)t, r->now, LOGIN_TOKEN_SECONDS, 60) == SIGN_FRESH;
}

/* The login page with token in its form and an optional message. */
static int
login_page(struct admin_req *admin, const char *token, const char *message, int status)
{
	struct req *r = admin->r;
	struct mu_map *ctx = admin_context(admin, "Log in", "");

	mu_set_str(ctx, "login_token", token);
	if (message != NULL)
		mu_set_str(ctx, "message", message);
	return admin_render(r, "admin_login", ctx, status);
}

int
admin_login_form(struct admin_req *admin)
{
	struct req *r = admin->r;
	int rc = admin_session_load(admin);

	if (rc < 0)
		return 500;
	if (rc == 1)
		return resp_redirect(r, 303, "/admin/");
	return login_page(admin, login_token_new(r), NULL, 200);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * The rate_events buckets of one login attempt.  Failures are counted per
 * user name (from anywhere: they only slow the next try, so guesses from
 * elsewhere never lock the owner out), per address and per user and
 * address together (these two refuse with 429).
 */
struct login_buckets {
	const char *user;
	const char *address;
	const char *pair;
};

/*
 * Check the throttles for this attempt.  Returns 0 to go on (after
 * sleeping a little for each recent failure of this name or from this
 * address), 500, or 429 with Retry-After and the page rendered.
 */
static int
login_throttle(struct admin_req *admin, const struct login_buckets *b, const char *token)
{
	struct req *r = admin->r;
	int retry_pair = 0, retry_ip = 0, count_user = 0, count_ip = 0, rc_user, rc_ip, rc_pair;
	int retry;
	long delay;

	rc_user = ratelimit_check(r->db, b->user, r->now, LOGIN_WINDOW_SECONDS, INT_MAX, NULL,
				  &count_user);
	rc_ip = ratelimit_check(r->db, b->address, r->now, LOGIN_WINDOW_SECONDS,
				r->cfg->login_failures, &retry_ip, &count_ip);
	rc_pair = ratelimit_check(r->db, b->pair, r->now, LOGIN_WINDOW_SECONDS,
				  r->cfg->login_failures, &retry_pair, NULL);
	if (rc_user == STORE_ERR || rc_ip == STORE_ERR || rc_pair == STORE_ERR)
		return 500;
	if (rc_ip == RATELIMIT_LIMITED || rc_pair == RATELIMIT_LIMITED) {
		retry = retry_pair > retry_ip ? retry_pair : retry_ip;
		if (retry < 1)
			retry = 1;
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d", retry));
		return login_page(admin, token, arena_printf(r->arena,
				  "Too many failed attempts. Try again in %d minute%s.",
				  (retry + 59) / 60, (retry + 59) / 60 == 1 ? "" : "s"), 429);
	}
	delay = (long)(count_user > count_ip ? count_user : count_ip) * LOGIN_DELAY_STEP_MS;
	if (delay > 0)
		sleep_ms(delay > LOGIN_DELAY_MAX_MS ? LOGIN_DELAY_MAX_MS : delay);
	return 0;
}

/*
 * Count a failed attempt in every bucket and record it in the audit log:
 * under the name when it is a user's (else "(unknown)": a mistyped name may
 * be a password), with the address's keyed hash.  STORE_OK or STORE_ERR.
 */
static int
login_failed(struct req *r, const struct login_buckets *b, const char *user,
	     const char *ip_hash)
{
	if (db_begin(r->db) != STORE_OK)
		return STORE_ERR;
	if (ratelimit_record(r->db, b->user, r->now) != STORE_OK ||
	    ratelimit_record(r->db, b->address, r->now) != STORE_OK ||
	    ratelimit_record(r->db, b->pair, r->now) != STORE_OK ||
	    audit_add(r->db, r->now, user ? user : "(unknown)", "login-failed", 0,
		      arena_printf(r->arena, "from address %s", *ip_hash ? ip_hash : "unknown"))
	    != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return STORE_ERR;
	}
	return STORE_OK;
}

/* Is a login field free of NUL and every other control character? */
static int
login_field_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

/* Start a session for a verified user: rotate away any old one, set the cookie, 303. */
static int
login_success(struct req *r, int64_t user_id, const char *name, const char *ip_hash)
{
	char token[SESSION_TOKEN_SIZE];
	const char *agent = req_env(r, "HTTP_USER_AGENT"), *old;
	struct session_limits lim = {
		(long)r->cfg->session_idle_minutes * 60, (long)r->cfg->session_max_hours * 3600
	};
	char agent_short[201];

	snprintf(agent_short, sizeof(agent_short), "%s", agent ? agent : "");
	if (!utf8_valid_text(agent_short, strlen(agent_short)))
		agent_short[0] = '\0';
	if (db_begin(r->db) != STORE_OK)
		return 500;
	if ((old = req_cookie(r, ADMIN_SESSION_COOKIE)) != NULL) {
		struct session s;
		if (sessions_lookup(r->db, r->arena, old, r->now, &lim, &s) == STORE_OK &&
		    sessions_delete(r->db, s.id) == STORE_ERR)
			goto fail;
	}
	if (sessions_prune(r->db, r->now, &lim) != STORE_OK ||
	    sessions_create(r->db, user_id, r->now, ip_hash, agent_short, token, NULL) != STORE_OK ||
	    audit_add(r->db, r->now, name, "login", 0, "") != STORE_OK ||
	    db_commit(r->db) != STORE_OK)
		goto fail;
	resp_cookie(r, ADMIN_SESSION_COOKIE, token, admin_cookie_path(r), -1, 1, "Strict");
	resp_cookie(r, ADMIN_LOGIN_COOKIE, "", admin_cookie_path(r), 0, 1, "Strict");
	sodium_memzero(token, sizeof(token));
	return resp_redirect(r, 303, "/admin/");
fail:
	db_rollback(r->db);
	sodium_memzero(token, sizeof(token));
	return 500;
}

/*
 * POST /admin/login.  A wrong name and a wrong password give the same page
 * (the form with the token the browser sent, the same message, 401) after
 * the same work: an unknown name is checked against a dummy hash.
 */
int
admin_login(struct admin_req *admin)
{
	struct req *r = admin->r;
	const char *name, *password, *token, *bucket_name;
	char hash[USERS_HASH_BYTES], ip_hash[RATELIMIT_HASH_HEX];
	struct login_buckets b;
	int64_t user_id = 0;
	size_t name_len, password_len;
	int rc, found, ok, fields_ok;

	if ((rc = req_read_form(r, LOGIN_FORM_LIMIT)) != 0)
		return rc;
	token = req_form(r, "csrf");
	if (!login_token_valid(r, token))
		return login_page(admin, login_token_new(r),
				  "This login form had expired. Please try again.", 403);
	name = req_form_value(r, "username", &name_len);
	password = req_form_value(r, "password", &password_len);
	if (name == NULL)
		name = "";
	if (password == NULL)
		password = "";
	/* A NUL would cut "admin%00x" to "admin": such a field is never a user's. */
	fields_ok = login_field_ok(name, name_len) && login_field_ok(password, password_len);
	ratelimit_address_hash(r->db, r->remote_addr, ip_hash);
	bucket_name = fields_ok ? name : "";
	b.user = arena_printf(r->arena, "login-user:%.*s", USERS_NAME_MAX, bucket_name);
	b.address = arena_printf(r->arena, "login-ip:%s", ip_hash);
	b.pair = arena_printf(r->arena, "login-pair:%s:%.*s", ip_hash, USERS_NAME_MAX,
			      bucket_name);
	if ((rc = login_throttle(admin, &b, token)) != 0)
		return rc;

	rc = fields_ok && users_name_valid(name) ?
	    users_get_hash(r->db, name, &user_id, hash) : STORE_NOTFOUND;
	if (rc == STORE_ERR)
		return 500;
	found = rc == STORE_OK;
	if (!found)
		snprintf(hash, sizeof(hash), "%s", dummy_hash);
	ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && found &&
	    strlen(password) <= USERS_PASSWORD_MAX;
	if (!ok) {
		if (login_failed(r, &b, found ? name : NULL, ip_hash) != STORE_OK)
			return 500;
		return login_page(admin, token, login_failed_message, 401);
	}
	if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0 &&
	    users_set_password(r->db, name, password) != STORE_OK)
		log_error("could not rehash the password of %s", name);
	if (ratelimit_clear(r->db, b.user) != STORE_OK || ratelimit_clear(r->db, b.pair) != STORE_OK)
		return 500;
	return login_success(r, user_id, name, ip_hash);
}

/* POST /admin/logout: delete the session row, expire the cookie, back to the login page. */
int
admin_logout(struct admin_req *admin)
{
	struct req *r = admin->r;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	if (sessions_delete(r->db, admin->session->id) == STORE_ERR ||
	    audit_add(r->db, r->now, admin->session->user_name, "logout", 0, "") != STORE_OK ||
	    db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	admin->session = NULL;
	resp_cookie(r, ADMIN_SESSION_COOKIE, "", admin_cookie_path(r), 0, 1, "Strict");
	return resp_redirect(r, 303, "/admin/login");
}

/* admin-login.c: the login form, password checks with throttling, new sessions, logout. */
#include "admin.h"

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
#include "render.h"
#include "sessions.h"
#include "users.h"

#define LOGIN_WINDOW_SECONDS (15 * 60)
#define LOGIN_TOKEN_SECONDS 3600        /* how long a served login form stays good */
#define LOGIN_NONCE_BYTES 16
#define LOGIN_RAW_BYTES (LOGIN_NONCE_BYTES + 8 + crypto_auth_BYTES)
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
 * token binding that nonce to the time it was served, authenticated with a
 * key derived from the site secret.  A forged form has neither the cookie
 * nor a valid token.
 */
static void
login_key(const struct req *r, unsigned char key[crypto_auth_KEYBYTES])
{
	static const char label[] = "parley admin login form v1";

	crypto_generichash(key, crypto_auth_KEYBYTES, (const unsigned char *)label,
			   sizeof(label) - 1, r->db->secret, sizeof(r->db->secret));
}

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
	unsigned char raw[LOGIN_RAW_BYTES], key[crypto_auth_KEYBYTES];
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
	login_key(r, key);
	crypto_auth(raw + LOGIN_NONCE_BYTES + 8, raw, LOGIN_NONCE_BYTES + 8, key);
	sodium_memzero(key, sizeof(key));
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
	unsigned char raw[LOGIN_RAW_BYTES], key[crypto_auth_KEYBYTES], nonce[LOGIN_NONCE_BYTES];
	size_t len = 0;
	uint64_t t = 0;
	int i, ok;

	if (token == NULL || !login_cookie_nonce(r, nonce) ||
	    sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return 0;
	login_key(r, key);
	ok = crypto_auth_verify(raw + LOGIN_NONCE_BYTES + 8, raw, LOGIN_NONCE_BYTES + 8,
				key) == 0;
	sodium_memzero(key, sizeof(key));
	if (!ok || sodium_memcmp(raw, nonce, LOGIN_NONCE_BYTES) != 0)
		return 0;
	for (i = 0; i < 8; i++)
		t = t << 8 | raw[LOGIN_NONCE_BYTES + i];
	return (int64_t)t <= (int64_t)r->now + 60 &&
	    (int64_t)r->now - (int64_t)t <= LOGIN_TOKEN_SECONDS;
}

/* The login page with token in its form and an optional message. */
static int
login_page(struct req *r, const char *token, const char *message, int status)
{
	struct mu_map *ctx = admin_context(r, "Log in", "");

	mu_set_str(ctx, "login_token", token);
	if (message != NULL)
		mu_set_str(ctx, "message", message);
	return admin_render(r, "admin_login", ctx, status);
}

int
admin_login_form(struct req *r)
{
	int rc = admin_session_load(r);

	if (rc < 0)
		return 500;
	if (rc == 1)
		return resp_redirect(r, 303, "/admin/");
	return login_page(r, login_token_new(r), NULL, 200);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * Check the throttles for this user and address.  Returns 0 to go on (after
 * sleeping a little for each recent failure), or 429 with Retry-After and
 * the page rendered.
 */
static int
login_throttle(struct req *r, const char *user_bucket, const char *ip_bucket,
	       const char *token)
{
	int retry_user = 0, retry_ip = 0, count_user = 0, count_ip = 0, rc_user, rc_ip, retry;
	long delay;

	rc_user = ratelimit_check(r->db, user_bucket, r->now, LOGIN_WINDOW_SECONDS,
				  r->cfg->login_failures, &retry_user, &count_user);
	rc_ip = ratelimit_check(r->db, ip_bucket, r->now, LOGIN_WINDOW_SECONDS,
				r->cfg->login_failures, &retry_ip, &count_ip);
	if (rc_user == STORE_ERR || rc_ip == STORE_ERR)
		return 500;
	if (rc_user == RATELIMIT_LIMITED || rc_ip == RATELIMIT_LIMITED) {
		retry = retry_user > retry_ip ? retry_user : retry_ip;
		if (retry < 1)
			retry = 1;
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d", retry));
		return login_page(r, token, arena_printf(r->arena,
				  "Too many failed attempts. Try again in %d minute%s.",
				  (retry + 59) / 60, (retry + 59) / 60 == 1 ? "" : "s"), 429);
	}
	delay = (long)(count_user > count_ip ? count_user : count_ip) * LOGIN_DELAY_STEP_MS;
	if (delay > 0)
		sleep_ms(delay > LOGIN_DELAY_MAX_MS ? LOGIN_DELAY_MAX_MS : delay);
	return 0;
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
admin_login(struct req *r)
{
	const char *name, *password, *token;
	char hash[USERS_HASH_BYTES], ip_hash[RATELIMIT_HASH_HEX];
	const char *user_bucket, *ip_bucket;
	int64_t user_id = 0;
	int rc, found, ok;

	if ((rc = req_read_form(r, LOGIN_FORM_LIMIT)) != 0)
		return rc;
	token = req_form(r, "csrf");
	if (!login_token_valid(r, token))
		return login_page(r, login_token_new(r),
				  "This login form had expired. Please try again.", 403);
	name = req_form(r, "username");
	password = req_form(r, "password");
	if (name == NULL)
		name = "";
	if (password == NULL)
		password = "";
	ratelimit_address_hash(r->db, r->remote_addr, ip_hash);
	user_bucket = arena_printf(r->arena, "login-user:%.*s", USERS_NAME_MAX, name);
	ip_bucket = arena_printf(r->arena, "login-ip:%s", ip_hash);
	if ((rc = login_throttle(r, user_bucket, ip_bucket, token)) != 0)
		return rc;

	rc = users_name_valid(name) ? users_get_hash(r->db, name, &user_id, hash) : STORE_NOTFOUND;
	if (rc == STORE_ERR)
		return 500;
	found = rc == STORE_OK;
	if (!found)
		snprintf(hash, sizeof(hash), "%s", dummy_hash);
	ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && found &&
	    strlen(password) <= USERS_PASSWORD_MAX;
	if (!ok) {
		if (ratelimit_record(r->db, user_bucket, r->now) != STORE_OK ||
		    ratelimit_record(r->db, ip_bucket, r->now) != STORE_OK)
			return 500;
		return login_page(r, token, login_failed_message, 401);
	}
	if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0 &&
	    users_set_password(r->db, name, password) != STORE_OK)
		log_error("could not rehash the password of %s", name);
	if (ratelimit_clear(r->db, user_bucket) != STORE_OK)
		return 500;
	return login_success(r, user_id, name, ip_hash);
}

/* POST /admin/logout: delete the session row, expire the cookie, back to the login page. */
int
admin_logout(struct req *r)
{
	if (db_begin(r->db) != STORE_OK)
		return 500;
	if (sessions_delete(r->db, r->session->id) == STORE_ERR ||
	    audit_add(r->db, r->now, r->session->user_name, "logout", 0, "") != STORE_OK ||
	    db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	r->session = NULL;
	resp_cookie(r, ADMIN_SESSION_COOKIE, "", admin_cookie_path(r), 0, 1, "Strict");
	return resp_redirect(r, 303, "/admin/login");
}

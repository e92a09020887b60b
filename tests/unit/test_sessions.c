/* test_sessions.c: admin sessions in the store, the moderation rules, and the login over https in-process. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "check.h"
#include "fixture.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "moderation.h"
#include "mustache.h"
#include "sessions.h"
#include "users.h"

static struct arena arena;
static char dir[] = "/tmp/parley-test-sessions-XXXXXX";

static int64_t
count_rows(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Does any text in the sessions table contain s? */
static int
sessions_hold(struct db *db, const char *s)
{
	sqlite3_stmt *st;
	int found = 0, i;

	if (sqlite3_prepare_v2(db->handle, "SELECT * FROM sessions", -1, &st, NULL) != SQLITE_OK)
		return 1;
	while (sqlite3_step(st) == SQLITE_ROW)
		for (i = 0; i < sqlite3_column_count(st); i++)
			if (strstr(db_col_text(st, i), s) != NULL)
				found = 1;
	sqlite3_finalize(st);
	return found;
}

static void
test_store(struct db *db, int64_t uid)
{
	struct session_limits lim = { 600, 3600 };
	struct session s, s2;
	struct session_list list;
	char token[SESSION_TOKEN_SIZE], token2[SESSION_TOKEN_SIZE], hash[SESSION_HASH_SIZE];
	unsigned char raw[64], rawhex[130];
	size_t len = 0;
	int64_t id, id2, id3;
	time_t now = 1800000000;
	int n;

	CHECK(sessions_create(db, uid, now, "iphash", "agent", token, &id) == STORE_OK);
	CHECK(strlen(token) == 43);
	CHECK(sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len, NULL,
				sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && len == 32);
	sodium_bin2hex((char *)rawhex, sizeof(rawhex), raw, len);
	CHECK(!sessions_hold(db, token));
	CHECK(!sessions_hold(db, (const char *)rawhex));
	CHECK(sessions_token_hash(token, hash) == 0 && strlen(hash) == 64);
	CHECK(sessions_hold(db, hash));

	CHECK(sessions_create(db, uid, now, "", "", token2, &id2) == STORE_OK);
	CHECK(strcmp(token, token2) != 0);

	CHECK(sessions_lookup(db, &arena, token, now + 10, &lim, &s) == STORE_OK);
	CHECK(s.id == id && s.user_id == uid);
	CHECK_STR(s.user_name, "admin");
	CHECK(strlen(s.csrf) == 64);
	CHECK(sessions_lookup(db, &arena, token2, now + 10, &lim, &s2) == STORE_OK);
	CHECK(strcmp(s.csrf, s2.csrf) != 0);

	/* Malformed or unknown tokens. */
	CHECK(sessions_lookup(db, &arena, "", now, &lim, &s2) == STORE_NOTFOUND);
	CHECK(sessions_lookup(db, &arena, "short", now, &lim, &s2) == STORE_NOTFOUND);
	CHECK(sessions_lookup(db, &arena, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", now, &lim,
			      &s2) == STORE_NOTFOUND);
	CHECK(sessions_lookup(db, &arena, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", now, &lim,
			      &s2) == STORE_NOTFOUND);
	CHECK(sessions_token_hash(NULL, hash) == -1);

	/* Idle expiry: touched sessions live on, idle ones are deleted. */
	CHECK(sessions_touch(db, id, now + 500) == STORE_OK);
	CHECK(sessions_lookup(db, &arena, token, now + 1000, &lim, &s) == STORE_OK);
	CHECK(s.last_seen == now + 500);
	CHECK(sessions_lookup(db, &arena, token2, now + 601, &lim, &s2) == STORE_NOTFOUND);
	CHECK(count_rows(db, "SELECT count(*) FROM sessions") == 1);
	/* Absolute expiry even when active. */
	CHECK(sessions_touch(db, id, now + 3590) == STORE_OK);
	CHECK(sessions_lookup(db, &arena, token, now + 3600, &lim, &s) == STORE_OK);
	CHECK(sessions_lookup(db, &arena, token, now + 3601, &lim, &s) == STORE_NOTFOUND);
	CHECK(count_rows(db, "SELECT count(*) FROM sessions") == 0);

	/* Listing, ending one, ending the others. */
	CHECK(sessions_create(db, uid, now, "a", "one", token, &id) == STORE_OK);
	CHECK(sessions_create(db, uid, now, "b", "two", token2, &id2) == STORE_OK);
	CHECK(sessions_create(db, uid, now - 5000, "c", "old", token2, &id3) == STORE_OK);
	CHECK(sessions_list(db, &arena, uid, id, now, &lim, &list) == STORE_OK);
	CHECK(list.len == 2);
	n = 0;
	for (size_t i = 0; i < list.len; i++)
		n += list.items[i].current;
	CHECK(n == 1);
	CHECK(sessions_delete_own(db, uid + 1, id2) == STORE_NOTFOUND);
	CHECK(sessions_delete_others(db, uid, id, &n) == STORE_OK);
	CHECK(n == 2);
	CHECK(sessions_lookup(db, &arena, token, now, &lim, &s) == STORE_OK);
	CHECK(sessions_delete(db, id) == STORE_OK);
	CHECK(sessions_delete(db, id) == STORE_NOTFOUND);
	CHECK(sessions_lookup(db, &arena, token, now, &lim, &s) == STORE_NOTFOUND);
	CHECK(sessions_create(db, uid, now - 7200, "", "", token, &id) == STORE_OK);
	CHECK(sessions_prune(db, now, &lim) == STORE_OK);
	CHECK(count_rows(db, "SELECT count(*) FROM sessions") == 0);
}

/* moderation_classify's status, its reason in *reason. */
static enum comment_status
classify(struct db *db, const struct moderation_input *in, const char **reason)
{
	struct moderation_verdict v;

	moderation_classify(db, &arena, in, &v);
	*reason = v.reason;
	return v.status;
}

static void
test_rules(struct db *db)
{
	struct moderation_rules rules, got;
	struct moderation_input in = { "Ann", "ann@example.org", "", "hash1", "Hello", -1, 0.9, 20, 0 };
	const char *reason = NULL;
	sqlite3_stmt *st;

	CHECK(moderation_count_links("see http://a and HTTPS://b, not ftp://c") == 2);
	CHECK(moderation_count_links(NULL) == 0);
	CHECK(moderation_has_blocked_word("casino\n  cheap pills \r\n\n", "CHEAP PILLS here"));
	CHECK(moderation_has_blocked_word("casino\n", "a Casinos b"));
	CHECK(!moderation_has_blocked_word("casino\n\n  \n", "nothing"));
	CHECK(!moderation_has_blocked_word("", "anything"));

	CHECK(moderation_rules_get(db, &arena, &got) == STORE_OK);
	CHECK(got.auto_approve_known == 0 && got.max_links == -1 && *got.blocked_words == '\0');
	CHECK(classify(db, &in, &reason) == COMMENT_PENDING);
	CHECK_STR(reason, "");

	rules.auto_approve_known = 1;
	rules.blocked_words = "viagra\nfree money";
	rules.max_links = 1;
	CHECK(moderation_rules_set(db, &rules) == STORE_OK);
	CHECK(moderation_rules_get(db, &arena, &got) == STORE_OK);
	CHECK(got.auto_approve_known == 1 && got.max_links == 1);
	CHECK_STR(got.blocked_words, "viagra\nfree money");

	in.body_md = "Get FREE MONEY now";
	CHECK(classify(db, &in, &reason) == COMMENT_SPAM);
	CHECK_STR(reason, "blocked word");
	in.body_md = "hi";
	in.url = "https://viagra.example";
	CHECK(classify(db, &in, &reason) == COMMENT_SPAM);
	in.url = "";
	in.body_md = "http://a http://b";
	CHECK(classify(db, &in, &reason) == COMMENT_SPAM);
	CHECK_STR(reason, "too many links");
	in.body_md = "one http://a";
	CHECK(classify(db, &in, &reason) == COMMENT_PENDING);

	/* Known: the browser's signed cookie names an approved comment; a typed email never is. */
	sqlite3_exec(db->handle, "INSERT INTO posts (slug, title, published_at, updated_at, body_md,"
		     " body_html, body_text) VALUES ('p', 'P', 1, 1, '', '', '')", NULL, NULL, NULL);
	sqlite3_exec(db->handle, "INSERT INTO comments (post_id, status, author, email, body_md,"
		     " body_html, created_at) VALUES (1, 'approved', 'Ann', 'ann@example.org', 'x',"
		     " 'x', 1)", NULL, NULL, NULL);
	CHECK(classify(db, &in, &reason) == COMMENT_PENDING);
	in.known_browser = 1;
	CHECK(classify(db, &in, &reason) == COMMENT_APPROVED);
	in.email = "other@example.org";
	CHECK(classify(db, &in, &reason) == COMMENT_APPROVED);
	in.known_browser = 0;
	CHECK(classify(db, &in, &reason) == COMMENT_PENDING);
	in.email = NULL;
	in.author = NULL;
	CHECK(classify(db, &in, &reason) == COMMENT_PENDING);

	/* Blocks beat everything. */
	in.known_browser = 1;
	in.email = "ann@example.org";
	CHECK(comments_block_add(db, "ip", "hash1", 5) == STORE_OK);
	CHECK(classify(db, &in, &reason) == COMMENT_SPAM);
	CHECK(sqlite3_prepare_v2(db->handle, "SELECT id FROM blocks", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(moderation_block_remove(db, sqlite3_column_int64(st, 0)) == STORE_OK);
	sqlite3_finalize(st);
	CHECK(classify(db, &in, &reason) == COMMENT_APPROVED);
}

/* ---------------------------------------------------------------- in-process requests */

/* One request to parley-moderate without FastCGI; headers and body are copies in the arena. */
static int
run(const struct config *cfg, const struct mu_set *tpl, struct db *db, char **env,
    const char *post, const char **headers, const char **body)
{
	struct test_response res = test_request(&arena, &admin_app, cfg, tpl, db, env, post);

	*headers = res.headers;
	*body = res.body;
	return res.status;
}

/* The value of "NAME=" up to the first ';', '"' or line end in text, in the arena. */
static const char *
extract(const char *text, const char *prefix)
{
	const char *p = strstr(text, prefix), *e;

	if (p == NULL)
		return "";
	p += strlen(prefix);
	e = p + strcspn(p, ";\"\r\n");
	return arena_strndup(&arena, p, (size_t)(e - p));
}

static void
test_https_login(struct db *db)
{
	struct config cfg;
	struct mu_set *tpl = mu_set_new();
	const char *src = getenv("PARLEY_SOURCE_DIR"), *h, *b, *token, *nonce, *session;
	char err[256], tdir[512], cookie[256], length[64], post[1024];
	int status;

	config_defaults(&cfg);
	CHECK(config_set(&cfg, "base_url", "https://example.org/blog", err, sizeof(err)) == 0);
	CHECK(config_finish(&cfg, err, sizeof(err)) == 0);
	CHECK(cfg.secure == 1);
	CHECK_STR(cfg.mount, "/blog");
	snprintf(tdir, sizeof(tdir), "%s/templates", src ? src : ".");
	if (mu_set_load_dir(tpl, tdir, err, sizeof(err)) < 0) {
		fprintf(stderr, "templates: %s\n", err);
		CHECK(0);
		goto out;
	}
	admin_login_init();
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blog/admin/login", NULL };
		status = run(&cfg, tpl, db, env, NULL, &h, &b);
		CHECK(status == 200);
		CHECK_CONTAINS(h, "Set-Cookie: parley_login=");
		CHECK_CONTAINS(h, "Path=/blog/admin; HttpOnly; Secure; SameSite=Strict");
		token = extract(b, "name=\"csrf\" value=\"");
		nonce = extract(h, "parley_login=");
		CHECK(strlen(token) > 40 && strlen(nonce) > 10);
	}
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=parley_login=%s", nonce);
	snprintf(post, sizeof(post), "csrf=%s&username=admin&password=a-good-password", token);
	snprintf(length, sizeof(length), "CONTENT_LENGTH=%zu", strlen(post));
	{
		/* http:// is another origin than https://: refused. */
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/admin/login", cookie, length,
			"CONTENT_TYPE=application/x-www-form-urlencoded",
			"HTTP_ORIGIN=http://example.org", NULL };
		status = run(&cfg, tpl, db, env, post, &h, &b);
		CHECK(status == 403);
		CHECK_NOT_CONTAINS(h, "parley_session=");
	}
	{
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/admin/login", cookie, length,
			"CONTENT_TYPE=application/x-www-form-urlencoded",
			"HTTP_ORIGIN=https://example.org", "REMOTE_ADDR=192.0.2.7", NULL };
		status = run(&cfg, tpl, db, env, post, &h, &b);
		CHECK(status == 303);
		CHECK_CONTAINS(h, "Location: /blog/admin/\r\n");
		session = extract(h, "parley_session=");
		CHECK(strlen(session) == 43);
		CHECK_CONTAINS(h, arena_printf(&arena, "parley_session=%s; Path=/blog/admin; HttpOnly; "
					       "Secure; SameSite=Strict", session));
		CHECK(!sessions_hold(db, session));
		CHECK(!sessions_hold(db, "192.0.2.7"));
	}
	{
		/* A hash made with weaker limits than today's is replaced at login. */
		char weak[crypto_pwhash_STRBYTES], post2[1024], length2[64], *after;
		sqlite3_stmt *st;
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/admin/login", cookie, length2,
			"CONTENT_TYPE=application/x-www-form-urlencoded", NULL };

		CHECK(users_add(db, "old", "an-old-password") == STORE_OK);
		CHECK(crypto_pwhash_str(weak, "an-old-password", 15, crypto_pwhash_OPSLIMIT_MIN,
					crypto_pwhash_MEMLIMIT_MIN) == 0);
		CHECK(sqlite3_prepare_v2(db->handle, "UPDATE users SET pwhash = ? WHERE name = 'old'",
					 -1, &st, NULL) == SQLITE_OK);
		sqlite3_bind_text(st, 1, weak, -1, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_finalize(st);
		snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=parley_login=%s", nonce);
		snprintf(post2, sizeof(post2), "csrf=%s&username=old&password=an-old-password", token);
		snprintf(length2, sizeof(length2), "CONTENT_LENGTH=%zu", strlen(post2));
		status = run(&cfg, tpl, db, env, post2, &h, &b);
		CHECK(status == 303);
		CHECK(sqlite3_prepare_v2(db->handle, "SELECT pwhash FROM users WHERE name = 'old'",
					 -1, &st, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		after = arena_strdup(&arena, db_col_text(st, 0));
		sqlite3_finalize(st);
		CHECK(strcmp(after, weak) != 0);
		CHECK(crypto_pwhash_str_needs_rehash(after, crypto_pwhash_OPSLIMIT_INTERACTIVE,
						     crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0);
		CHECK(crypto_pwhash_str_verify(after, "an-old-password", 15) == 0);
	}
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=parley_session=%s", session);
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blog/admin/", cookie, NULL };
		status = run(&cfg, tpl, db, env, NULL, &h, &b);
		CHECK(status == 200);
		CHECK_CONTAINS(b, "Signed in as <strong>admin</strong>");
		/* The accept loop adds the program's fixed headers to every response. */
		CHECK_CONTAINS(admin_app.security_headers, "Referrer-Policy: same-origin\r\n");
		CHECK_CONTAINS(admin_app.security_headers, "frame-ancestors 'none'");
		CHECK_CONTAINS(admin_app.security_headers, "Cache-Control: no-store\r\n");
	}
out:
	mu_set_free(tpl);
	config_free(&cfg);
}

int
main(void)
{
	struct db *db;
	char hash[USERS_HASH_BYTES];
	int64_t uid = 0;

	if (sodium_init() < 0)
		return 1;
	arena_init(&arena);
	db = test_db_create(dir);
	CHECK(users_add(db, "admin", "a-good-password") == STORE_OK);
	CHECK(users_get_hash(db, "admin", &uid, hash) == STORE_OK);
	test_store(db, uid);
	test_rules(db);
	test_https_login(db);
	test_db_remove(db, dir);
	arena_free(&arena);
	return check_summary();
}

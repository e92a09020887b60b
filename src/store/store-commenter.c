/* store-commenter.c: everything held about one commenter's email: `comments export` and `erase`. */
#include "commenter.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "log.h"
#include "mailqueue.h"
#include "rows.h"
#include "spam.h"
#include "subscriptions.h"
#include "text.h"

/*
 * The commenter's comments and the address hashes they carry, as common
 * table expressions for the statements below.  ?1 is the email.
 */
#define MINE \
	"WITH mine AS (SELECT * FROM comments WHERE email <> '' AND email = ?1 COLLATE NOCASE)," \
	" hashes AS (SELECT DISTINCT ip_hash FROM mine WHERE ip_hash <> '') "
/* A Unix time as ISO 8601 UTC (NULL stays null). */
#define ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"
#define BOOL(expr) "json(CASE WHEN " expr " THEN 'true' ELSE 'false' END)"
/* A rate-limit bucket is "kind:hash". */
#define BUCKET_HASH "substr(bucket, instr(bucket, ':') + 1)"

/* The ids of the learned comments with this email, in a.  STORE_OK or STORE_ERR. */
static int
learned_of_email(struct db *db, struct arena *a, const char *email, int64_t **ids, size_t *n)
{
	static const char sql[] =
		"SELECT c.id FROM comments c JOIN comment_spam s ON s.comment_id = c.id"
		" WHERE c.email <> '' AND c.email = ? COLLATE NOCASE AND s.learned IS NOT NULL";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	*ids = NULL;
	*n = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	db_rows_init(&rows, a, sizeof(**ids), 0);
	rc = db_rows(db, st, "a commenter's learned comments", &rows, db_fill_id, NULL);
	*ids = rows.items;
	*n = rows.len;
	return rc;
}

int
comments_erase_email(struct db *db, const char *email, int *count)
{
	static const char sql_find[] =
		"SELECT id, author FROM comments WHERE email <> '' AND email = ? COLLATE NOCASE";
	static const char sql_erase[] =
		"UPDATE comments SET email = '', url = '', ip_hash = '', author = '(erased)',"
		/* A classifier's reason keeps only its probability: its features may name the author. */
		" spam_reason = CASE WHEN spam_reason LIKE 'classifier:%;%'"
		" THEN substr(spam_reason, 1, instr(spam_reason, ';') - 1) ELSE spam_reason END"
		" WHERE email <> '' AND email = ? COLLATE NOCASE";
	static const char sql_unblock[] =
		"DELETE FROM blocks WHERE kind = 'email' AND value = ? COLLATE NOCASE";
	struct arena a;
	int64_t *ids = NULL, *learned = NULL;
	const char **names = NULL;
	size_t n = 0, cap = 0, ncap = 0, nnames = 0, k, nlearned = 0;
	sqlite3_stmt *st;
	int rc = STORE_ERR, step, own;

	*count = 0;
	arena_init(&a);
	if (db_work_begin(db, &own) != STORE_OK) {
		arena_free(&a);
		return STORE_ERR;
	}
	/*
	 * The classifier's counts follow the erased text: the author's name,
	 * website and email domain leave them; the comments stay examples.
	 */
	if (learned_of_email(db, &a, email, &learned, &nlearned) != STORE_OK)
		goto out;
	for (k = 0; k < nlearned; k++)
		if (spam_text_changing(db, learned[k]) != STORE_OK)
			goto out;
	if ((st = db_stmt(db, sql_find)) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = db_col_text(st, 1);
		if (n == cap)
			ids = arena_grow(&a, ids, n, &cap, sizeof(*ids));
		ids[n++] = sqlite3_column_int64(st, 0);
		for (k = 0; k < nnames && strcmp(names[k], name) != 0; k++)
			;
		if (k == nnames && *name != '\0') {
			if (nnames == ncap)
				names = arena_grow(&a, names, nnames, &ncap, sizeof(*names));
			names[nnames++] = arena_strdup(&a, name);
		}
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		db_log_error(db, "finding a commenter's comments");
		goto out;
	}
	/* The log first: it finds the rows of deleted comments by their absence. */
	if (audit_erase(db, &a, email, names, nnames, ids, n) != STORE_OK ||
	    (st = db_stmt(db, sql_erase)) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	if (db_exec_stmt(db, st) != STORE_OK || (st = db_stmt(db, sql_unblock)) == NULL)
		goto out;
	*count = sqlite3_changes(db->handle);
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	if (db_exec_stmt(db, st) != STORE_OK)
		goto out;
	for (k = 0; k < nlearned; k++)
		if (spam_text_changed(db, learned[k]) != STORE_OK)
			goto out;
	rc = STORE_OK;
out:
	arena_free(&a);
	return db_work_end(db, own, rc);
}

int
commenter_export(struct db *db, struct arena *a, const char *email, const char **json)
{
	/* SQLite writes the JSON, so every string is escaped by its rules. */
	static const char sql[] = MINE
		"SELECT json_object("
		" 'email', ?1,"
		" 'comments', (SELECT json_group_array(json_object("
		"   'id', c.id, 'post', p.slug, 'post_title', p.title, 'parent', c.parent_id,"
		"   'status', c.status, 'trashed_from', c.trashed_from,"
		"   'author', c.author, 'email', c.email, 'url', c.url, 'body', c.body_md,"
		"   'ip_hash', c.ip_hash, 'by_author', " BOOL("c.by_author = 1") ","
		"   'spam_reason', c.spam_reason, 'spam_probability', s.probability,"
		"   'form_seconds', s.form_seconds, 'learned', s.learned,"
		"   'imported_from', o.source, 'imported_id', o.old_id,"
		"   'created_at', " ISO("c.created_at") ", 'edited_at', " ISO("c.edited_at") ","
		"   'trashed_at', " ISO("c.trashed_at") "))"
		"   FROM (SELECT * FROM mine ORDER BY created_at, id) c JOIN posts p ON p.id = c.post_id"
		"   LEFT JOIN comment_spam s ON s.comment_id = c.id"
		"   LEFT JOIN comment_origins o ON o.comment_id = c.id),"
		" 'subscriber', (SELECT json_object("
		"   'email', u.email, 'confirmed', " BOOL("u.confirmed_at IS NOT NULL") ","
		"   'created_at', " ISO("u.created_at") ", 'confirmed_at', " ISO("u.confirmed_at") ","
		"   'confirm_sent_at', " ISO("u.confirm_sent_at") ")"
		"   FROM subscribers u WHERE u.email = ?1),"
		" 'subscriptions', (SELECT json_group_array(json_object("
		"   'kind', s.kind, 'post', p.slug, 'post_title', p.title,"
		"   'confirmed', " BOOL("u.confirmed_at IS NOT NULL") ","
		"   'created_at', " ISO("s.created_at") "))"
		"   FROM (SELECT * FROM subscriptions ORDER BY id) s"
		"   JOIN subscribers u ON u.id = s.subscriber_id"
		"   LEFT JOIN posts p ON p.id = s.post_id WHERE u.email = ?1),"
		" 'mail_events', (SELECT json_group_array(json_object("
		"   'kind', e.kind, 'comment', e.comment_id, 'done', " BOOL("e.done <> 0") ","
		"   'created_at', " ISO("e.created_at") "))"
		"   FROM (SELECT * FROM mail_events ORDER BY id) e"
		"   WHERE e.comment_id IN (SELECT id FROM mine)"
		"   OR e.subscriber_id IN (SELECT id FROM subscribers WHERE email = ?1)),"
		" 'mail', (SELECT json_group_array(json_object("
		"   'kind', m.kind, 'rcpt', m.rcpt, 'subject', m.subject, 'state', m.state,"
		"   'tries', m.tries, 'message', m.message, 'last_error', m.last_error,"
		"   'created_at', " ISO("m.created_at") "))"
		"   FROM (SELECT * FROM mail_queue ORDER BY id) m"
		"   WHERE m.rcpt = ?1 OR names_address(m.message, ?1)"
		"   OR m.id IN (SELECT mail_id FROM mail_digest_items"
		"   WHERE comment_id IN (SELECT id FROM mine))),"
		" 'blocks', (SELECT json_group_array(json_object("
		"   'kind', b.kind, 'value', b.value, 'created_at', " ISO("b.created_at") "))"
		"   FROM (SELECT * FROM blocks ORDER BY id) b"
		"   WHERE (b.kind = 'email' AND b.value = ?1 COLLATE NOCASE)"
		"   OR (b.kind = 'ip' AND b.value IN hashes)),"
		" 'likes', (SELECT json_group_array(json_object("
		"   'post', p.slug, 'ip_hash', l.ip_hash, 'created_at', " ISO("l.created_at") "))"
		"   FROM (SELECT * FROM likes ORDER BY id) l JOIN posts p ON p.id = l.post_id"
		"   WHERE l.ip_hash IN hashes),"
		" 'rate_events', (SELECT json_group_array(json_object("
		"   'bucket', r.bucket, 'at', " ISO("r.at") "))"
		"   FROM (SELECT * FROM rate_events ORDER BY at, rowid) r"
		"   WHERE substr(r.bucket, instr(r.bucket, ':') + 1) IN hashes),"
		" 'form_tokens', (SELECT json_group_array(json_object("
		"   'comment', f.comment_id, 'used_at', " ISO("f.used_at") "))"
		"   FROM (SELECT * FROM form_tokens ORDER BY used_at, comment_id) f"
		"   WHERE f.comment_id IN (SELECT id FROM mine)),"
		" 'rules', (SELECT json_group_array(json_object('key', g.key, 'value', g.value))"
		"   FROM (SELECT * FROM settings ORDER BY key) g"
		"   WHERE g.key LIKE 'rule.%' AND names_address(g.value, ?1)),"
		" 'audit', (SELECT json_group_array(json_object("
		"   'at', " ISO("x.at") ", 'user', x.user_name, 'action', x.action,"
		"   'comment', x.comment_id, 'detail', x.detail, 'status_before', x.status_before))"
		"   FROM (SELECT * FROM audit ORDER BY at, id) x"
		"   WHERE x.comment_id IN (SELECT id FROM mine) OR names_address(x.detail, ?1)))";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*json = arena_strdup(a, db_col_text(st, 0));
	else
		db_log_error(db, "exporting a commenter's data");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

/* Run one statement of the erasure with the email bound as ?1; *count its changes if asked. */
static int
erase_step(struct db *db, const char *sql, const char *email, int *count)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int ignored;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return db_exec_count(db, st, count ? count : &ignored);
}

/*
 * Does line name email as a whole address (any case)?  "bob@x.org" names
 * neither "jimbob@x.org" nor "bob@x.org.uk"; a sentence's full stop after
 * it is not part of it.
 */
static int
names_address(const char *line, const char *email)
{
	size_t len = strlen(email);
	const char *p;

	if (len == 0)
		return 0;
	for (p = line; (p = strcasestr(p, email)) != NULL; p++)
		if (text_address_whole(line, p, len))
			return 1;
	return 0;
}

/* names_address(TEXT, EMAIL) in SQL: the export's test for text that names the address. */
static void
sql_names_address(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *text = sqlite3_value_text(argv[0]);
	const unsigned char *email = sqlite3_value_text(argv[1]);

	(void)argc;
	sqlite3_result_int(ctx, text != NULL && email != NULL &&
			   names_address((const char *)text, (const char *)email));
}

int
commenter_sql_functions(sqlite3 *handle)
{
	return sqlite3_create_function(handle, "names_address", 2,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				       NULL, sql_names_address, NULL, NULL) == SQLITE_OK
		       ? STORE_OK : STORE_ERR;
}

/* The lines of the blocked words that name the address go; the others stay as they were. */
static int
erase_blocked_words(struct db *db, const char *email)
{
	static const char sql_get[] = "SELECT value FROM settings WHERE key = 'rule.blocked_words'";
	static const char sql_set[] = "UPDATE settings SET value = ? WHERE key = 'rule.blocked_words'";
	sqlite3_stmt *st = db_stmt(db, sql_get);
	struct buf kept = BUF_INIT;
	char *words = NULL, *line, *next;
	int rc, dropped = 0, first = 1;

	if (st == NULL)
		return STORE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		words = strdup(db_col_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc != SQLITE_ROW || words == NULL) {
		free(words);
		db_log_error(db, "reading the blocked words");
		return STORE_ERR;
	}
	for (line = words; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (names_address(line, email)) {
			dropped = 1;
			continue;
		}
		if (!first)
			buf_putc(&kept, '\n');
		first = 0;
		buf_puts(&kept, line);
	}
	rc = STORE_OK;
	if (dropped) {
		if ((st = db_stmt(db, sql_set)) == NULL)
			rc = STORE_ERR;
		else {
			sqlite3_bind_text(st, 1, kept.data ? kept.data : "", (int)kept.len, SQLITE_STATIC);
			rc = db_exec_stmt(db, st);
		}
	}
	free(words);
	buf_free(&kept);
	return rc;
}

int
commenter_erase(struct db *db, const char *email, struct commenter_erased *out)
{
	/* These find their rows through the comments, so they run before the comments are blanked. */
	static const char sql_rate[] = MINE
		"DELETE FROM rate_events WHERE " BUCKET_HASH " IN hashes";
	static const char sql_tokens[] = MINE
		"DELETE FROM form_tokens WHERE comment_id IN (SELECT id FROM mine)";
	static const char sql_likes[] = MINE
		"UPDATE likes SET ip_hash = '' WHERE ip_hash IN hashes";
	int rc, own;

	memset(out, 0, sizeof(*out));
	if (db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	rc = erase_step(db, sql_rate, email, NULL);
	if (rc == STORE_OK)
		rc = erase_step(db, sql_tokens, email, NULL);
	if (rc == STORE_OK)
		rc = erase_step(db, sql_likes, email, &out->likes);
	if (rc == STORE_OK)
		rc = comments_erase_email(db, email, &out->comments);
	if (rc == STORE_OK)
		rc = subscriptions_erase_email(db, email, &out->subscriptions);
	if (rc == STORE_OK)
		rc = mailqueue_erase_rcpt(db, email, &out->mails);
	if (rc == STORE_OK)
		rc = erase_blocked_words(db, email);
	rc = db_work_end(db, own, rc);
	if (rc != STORE_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

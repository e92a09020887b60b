/* store-spam-learn.c: the classifier's counts follow moderators' decisions: learning, un-learning, text changes, forgetting before deletes. */
#include "spam.h"

#include <stdlib.h>

#include "rows.h"

int
spam_class_for_status(int status)
{
	switch (status) {
	case COMMENT_APPROVED:
		return SPAM_CLASS_HAM;
	case COMMENT_SPAM:
		return SPAM_CLASS_SPAM;
	case COMMENT_PENDING:
	case COMMENT_REJECTED:
		return SPAM_CLASS_NONE;
	default:
		return -1;
	}
}

/*
 * Add sign times comment id's features to the class cls counts, and move
 * the totals and the generation.  STORE_OK, STORE_NOTFOUND or STORE_ERR.
 */
static int
apply(struct db *db, int64_t id, enum spam_class cls, int sign)
{
	static const char text_sql[] =
		"SELECT c.author, c.email, c.url, c.body_md, coalesce(s.form_seconds, -1)"
		" FROM comments c LEFT JOIN comment_spam s ON s.comment_id = c.id WHERE c.id = ?";
	static const char token_sql[] =
		"INSERT INTO spam_tokens (token, ham, spam, generation)"
		" VALUES (?1, max(?2, 0), max(?3, 0), ?4)"
		" ON CONFLICT (token) DO UPDATE SET ham = max(ham + ?2, 0),"
		" spam = max(spam + ?3, 0), generation = ?4";
	static const char model_sql[] =
		"UPDATE spam_model SET ham = max(ham + ?1, 0), spam = max(spam + ?2, 0),"
		" generation = generation + 1 WHERE id = 1 RETURNING generation";
	struct spam_features *f;
	struct spam_comment c;
	sqlite3_stmt *text, *st;
	int64_t generation;
	int dham = cls == SPAM_CLASS_HAM ? sign : 0, dspam = cls == SPAM_CLASS_SPAM ? sign : 0;
	int rc = STORE_OK;
	size_t i;

	if (cls == SPAM_CLASS_NONE)
		return STORE_OK;
	if ((st = db_stmt(db, model_sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_int(st, 1, dham);
	sqlite3_bind_int(st, 2, dspam);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_log_error(db, "spam model update");
		sqlite3_reset(st);
		return STORE_ERR;
	}
	generation = sqlite3_column_int64(st, 0);
	sqlite3_step(st);
	sqlite3_reset(st);

	if ((text = db_stmt(db, text_sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(text, 1, id);
	if ((rc = sqlite3_step(text)) != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			db_log_error(db, "reading a comment to learn");
		sqlite3_reset(text);
		return rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERR;
	}
	/* The column texts stay valid until text is stepped or reset. */
	c.author = db_col_text(text, 0);
	c.email = db_col_text(text, 1);
	c.url = db_col_text(text, 2);
	c.body_md = db_col_text(text, 3);
	c.form_seconds = sqlite3_column_int(text, 4);
	if ((f = malloc(sizeof(*f))) == NULL) {
		sqlite3_reset(text);
		return STORE_ERR;
	}
	spam_features_of(&c, f);
	rc = STORE_OK;
	for (i = 0; i < f->len && rc == STORE_OK; i++) {
		if ((st = db_stmt(db, token_sql)) == NULL) {
			rc = STORE_ERR;
			break;
		}
		sqlite3_bind_int64(st, 1, (sqlite3_int64)f->items[i].hash);
		sqlite3_bind_int(st, 2, dham);
		sqlite3_bind_int(st, 3, dspam);
		sqlite3_bind_int64(st, 4, generation);
		rc = db_exec_stmt(db, st);
	}
	free(f);
	sqlite3_reset(text);
	return rc;
}

/* Set comment_spam.learned for id (a row made when missing). */
static int
set_learned(struct db *db, int64_t id, enum spam_class cls)
{
	static const char sql[] =
		"INSERT INTO comment_spam (comment_id, learned) VALUES (?1, nullif(?2, ''))"
		" ON CONFLICT (comment_id) DO UPDATE SET learned = excluded.learned";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, spam_class_name(cls), -1, SQLITE_STATIC);
	return db_exec_stmt(db, st);
}

int
spam_learn(struct db *db, int64_t comment_id, enum spam_class cls)
{
	struct spam_standing was;
	int own, rc;

	if (db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	rc = spam_standing_get(db, comment_id, &was);
	if (rc == STORE_OK && was.learned != cls) {
		rc = apply(db, comment_id, was.learned, -1);
		if (rc == STORE_OK)
			rc = apply(db, comment_id, cls, +1);
		if (rc == STORE_OK)
			rc = set_learned(db, comment_id, cls);
	}
	return db_work_end(db, own, rc);
}

/* Move comment id's counts by sign when it is learned. */
static int
text_move(struct db *db, int64_t comment_id, int sign)
{
	struct spam_standing s;

	if (spam_standing_get(db, comment_id, &s) != STORE_OK)
		return STORE_ERR;
	return apply(db, comment_id, s.learned, sign);
}

int
spam_text_changing(struct db *db, int64_t comment_id)
{
	return text_move(db, comment_id, -1);
}

int
spam_text_changed(struct db *db, int64_t comment_id)
{
	return text_move(db, comment_id, +1);
}

/* Un-learn every comment the bound statement st selects (its first column, an id). */
static int
forget_selected(struct db *db, sqlite3_stmt *st)
{
	struct db_rows ids;
	struct arena a;
	size_t i;
	int rc, own;

	if (db_work_begin(db, &own) != STORE_OK) {
		sqlite3_reset(st);
		return STORE_ERR;
	}
	arena_init(&a);
	db_rows_init(&ids, &a, sizeof(int64_t), 0);
	rc = db_rows(db, st, "comments to forget", &ids, db_fill_id, NULL);
	for (i = 0; i < ids.len && rc == STORE_OK; i++)
		rc = spam_learn(db, ((const int64_t *)ids.items)[i], SPAM_CLASS_NONE);
	arena_free(&a);
	return db_work_end(db, own, rc);
}

int
spam_forget_post(struct db *db, const char *slug)
{
	static const char sql[] =
		"SELECT s.comment_id FROM comment_spam s JOIN comments c ON c.id = s.comment_id"
		" JOIN posts p ON p.id = c.post_id WHERE p.slug = ? AND s.learned IS NOT NULL";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	return forget_selected(db, st);
}

int
spam_forget_trash(struct db *db, time_t before)
{
	static const char sql[] =
		"SELECT s.comment_id FROM comment_spam s JOIN comments c INDEXED BY comments_trashed"
		" ON c.id = s.comment_id"
		" WHERE c.status = 'trash' AND c.trashed_at < ? AND s.learned IS NOT NULL";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	return forget_selected(db, st);
}

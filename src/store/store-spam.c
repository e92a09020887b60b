/* store-spam.c: the classifier's counts in SQLite: the per-connection copy, intake's verdict and each comment's standing. */
#include "spam.h"

#include <string.h>

#include "log.h"
#include "rows.h"

/* Longest reason stored with a comment filed as spam. */
#define REASON_MAX 400

int
spam_totals(struct db *db, uint32_t *ham, uint32_t *spam)
{
	static const char sql[] = "SELECT ham, spam FROM spam_model WHERE id = 1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	*ham = *spam = 0;
	if (st == NULL)
		return STORE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ham = (uint32_t)sqlite3_column_int64(st, 0);
		*spam = (uint32_t)sqlite3_column_int64(st, 1);
	} else
		db_log_error(db, "spam model");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

/* One row of spam_tokens into the model ctx (db_each's callback). */
static int
load_token(void *ctx, sqlite3_stmt *st)
{
	if (spam_model_set(ctx, (uint64_t)sqlite3_column_int64(st, 0),
			   (uint32_t)sqlite3_column_int64(st, 1),
			   (uint32_t)sqlite3_column_int64(st, 2)) != 0) {
		log_error("spam model: out of memory");
		return STORE_ERR;
	}
	return DB_ROW_NEXT;
}

/* Read the counts changed since generation since into m.  STORE_OK or STORE_ERR. */
static int
load_tokens(struct db *db, struct spam_model *m, int64_t since)
{
	static const char sql[] = "SELECT token, ham, spam FROM spam_tokens WHERE generation > ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, since);
	return db_each(db, st, "spam tokens", load_token, m);
}

/* Bring db's copy up to date inside a read transaction.  STORE_OK or STORE_ERR. */
static int
refresh(struct db *db)
{
	static const char sql[] =
		"SELECT ham, spam, generation, epoch FROM spam_model WHERE id = 1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int64_t ham, spam, generation, epoch, since;
	int rc;

	if (st == NULL)
		return STORE_ERR;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		db_log_error(db, "spam model");
		sqlite3_reset(st);
		return STORE_ERR;
	}
	ham = sqlite3_column_int64(st, 0);
	spam = sqlite3_column_int64(st, 1);
	generation = sqlite3_column_int64(st, 2);
	epoch = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	if (db->spam_model == NULL) {
		if ((db->spam_model = spam_model_new()) == NULL) {
			log_error("spam model: out of memory");
			return STORE_ERR;
		}
		since = -1;
	} else if (epoch != db->spam_epoch || generation < db->spam_generation) {
		spam_model_clear(db->spam_model);
		since = -1;
	} else if (generation == db->spam_generation)
		return STORE_OK;
	else
		since = db->spam_generation;
	if (load_tokens(db, db->spam_model, since) != STORE_OK) {
		/* Half a refresh is no model: start again next time. */
		spam_model_free(db->spam_model);
		db->spam_model = NULL;
		return STORE_ERR;
	}
	spam_model_set_totals(db->spam_model, (uint32_t)ham, (uint32_t)spam);
	db->spam_generation = generation;
	db->spam_epoch = epoch;
	return STORE_OK;
}

const struct spam_model *
spam_current(struct db *db)
{
	static const char begin[] = "BEGIN";
	static const char commit[] = "COMMIT";
	sqlite3_stmt *st;
	int own = sqlite3_get_autocommit(db->handle), rc;

	/* The totals and the tokens from one snapshot of the database. */
	if (own && ((st = db_stmt(db, begin)) == NULL || db_exec_stmt(db, st) != STORE_OK))
		return NULL;
	rc = refresh(db);
	if (own) {
		if ((st = db_stmt(db, commit)) == NULL || db_exec_stmt(db, st) != STORE_OK) {
			db_rollback(db);
			rc = STORE_ERR;
		}
	}
	return rc == STORE_OK ? db->spam_model : NULL;
}

int
spam_classify(struct db *db, struct arena *a, const struct spam_comment *c,
	      const struct spam_settings *s, struct spam_verdict *out)
{
	const struct spam_model *m = spam_current(db);
	struct spam_features *f;
	char reason[REASON_MAX];

	memset(out, 0, sizeof(*out));
	out->probability = 0.5;
	out->reason = "";
	if (m == NULL)
		return STORE_ERR;
	f = arena_alloc(a, sizeof(*f));
	spam_features_of(c, f);
	spam_model_score(m, f, &out->score);
	spam_model_totals(m, &out->ham, &out->spam);
	out->probability = out->score.probability;
	out->acting = out->ham >= (uint32_t)s->min_examples && out->spam >= (uint32_t)s->min_examples;
	out->is_spam = out->acting && out->probability > s->threshold;
	spam_score_reason(&out->score, reason, sizeof(reason));
	out->reason = arena_strdup(a, reason);
	return STORE_OK;
}

int
spam_record(struct db *db, int64_t comment_id, const struct spam_verdict *v, int form_seconds)
{
	static const char sql[] =
		"INSERT INTO comment_spam (comment_id, probability, form_seconds) VALUES (?, ?, ?)"
		" ON CONFLICT (comment_id) DO UPDATE SET probability = excluded.probability,"
		" form_seconds = excluded.form_seconds";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, comment_id);
	if (v != NULL && v->acting)
		sqlite3_bind_double(st, 2, v->probability);
	if (form_seconds >= 0)
		sqlite3_bind_int(st, 3, form_seconds);
	return db_exec_stmt(db, st);
}

int
spam_standing_get(struct db *db, int64_t comment_id, struct spam_standing *out)
{
	static const char sql[] =
		"SELECT coalesce(probability, -1), coalesce(form_seconds, -1), coalesce(learned, '')"
		" FROM comment_spam WHERE comment_id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	out->probability = -1;
	out->form_seconds = -1;
	out->learned = SPAM_CLASS_NONE;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, comment_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->probability = sqlite3_column_double(st, 0);
		out->form_seconds = sqlite3_column_int(st, 1);
		out->learned = spam_class_parse(db_col_text(st, 2));
	} else if (rc != SQLITE_DONE)
		db_log_error(db, "comment spam standing");
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

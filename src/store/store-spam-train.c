/* store-spam-train.c: the classifier trained in memory on every learned decision: rebuilding the counts, cross-validation. */
#include "spam.h"

#include <stdlib.h>
#include <string.h>

#include "rows.h"

/* One learned comment, read for training in memory. */
struct example {
	struct spam_comment c;
	enum spam_class cls;
};

/* One learned comment's row into item, a struct example (a db_fill_fn). */
static int
read_example(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct example *e = item;

	e->c.author = arena_strdup(a, db_col_text(st, 0));
	e->c.email = arena_strdup(a, db_col_text(st, 1));
	e->c.url = arena_strdup(a, db_col_text(st, 2));
	e->c.body_md = arena_strdup(a, db_col_text(st, 3));
	e->c.form_seconds = sqlite3_column_int(st, 4);
	e->cls = spam_class_parse(db_col_text(st, 5));
	return DB_ROW_NEXT;
}

/* Every learned comment, oldest id first, strings in a.  STORE_OK or STORE_ERR. */
static int
load_examples(struct db *db, struct arena *a, struct example **out, size_t *len)
{
	static const char sql[] =
		"SELECT c.author, c.email, c.url, c.body_md, coalesce(s.form_seconds, -1), s.learned"
		" FROM comment_spam s JOIN comments c ON c.id = s.comment_id"
		" WHERE s.learned IS NOT NULL ORDER BY c.id";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	db_rows_init(&rows, a, sizeof(**out), 0);
	rc = db_rows(db, st, "reading learned comments", &rows, read_example, NULL);
	*out = rows.items;
	*len = rows.len;
	return rc;
}

/* Train m on every example.  0 or -1. */
static int
train_all(struct spam_model *m, const struct example *ex, size_t n, struct spam_features *f)
{
	size_t i;

	for (i = 0; i < n; i++) {
		spam_features_of(&ex[i].c, f);
		if (spam_model_learn(m, f, ex[i].cls, +1) != 0)
			return -1;
	}
	return 0;
}

/* What write_token needs. */
struct write_ctx {
	struct db *db;
	int64_t generation;
};

/* Store one count of the rebuilt model (spam_model_each's callback).  0 or -1. */
static int
write_token(void *ctx, uint64_t token, uint32_t ham, uint32_t spam)
{
	static const char sql[] =
		"INSERT INTO spam_tokens (token, ham, spam, generation) VALUES (?, ?, ?, ?)";
	struct write_ctx *w = ctx;
	sqlite3_stmt *st = db_stmt(w->db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)token);
	sqlite3_bind_int64(st, 2, ham);
	sqlite3_bind_int64(st, 3, spam);
	sqlite3_bind_int64(st, 4, w->generation);
	return db_exec_stmt(w->db, st) == STORE_OK ? 0 : -1;
}

int
spam_rebuild(struct db *db)
{
	static const char clear[] = "DELETE FROM spam_tokens";
	static const char model[] =
		"UPDATE spam_model SET ham = ?, spam = ?, generation = generation + 1,"
		" epoch = epoch + 1, built = 1 WHERE id = 1 RETURNING generation";
	struct arena a;
	struct example *ex;
	struct spam_model *m = spam_model_new();
	struct spam_features *f = malloc(sizeof(*f));
	struct write_ctx w;
	sqlite3_stmt *st;
	int64_t generation = 0;
	uint32_t ham, spam;
	size_t n;
	int rc = STORE_ERR;

	arena_init(&a);
	if (m == NULL || f == NULL || db_begin(db) != STORE_OK)
		goto out;
	if (load_examples(db, &a, &ex, &n) != STORE_OK || train_all(m, ex, n, f) != 0)
		goto fail;
	spam_model_totals(m, &ham, &spam);
	if ((st = db_stmt(db, clear)) == NULL || db_exec_stmt(db, st) != STORE_OK)
		goto fail;
	if ((st = db_stmt(db, model)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, ham);
	sqlite3_bind_int64(st, 2, spam);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_log_error(db, "spam model rebuild");
		sqlite3_reset(st);
		goto fail;
	}
	generation = sqlite3_column_int64(st, 0);
	sqlite3_step(st);
	sqlite3_reset(st);
	w.db = db;
	w.generation = generation;
	if (spam_model_each(m, write_token, &w) != 0 || db_commit(db) != STORE_OK)
		goto fail;
	rc = STORE_OK;
	goto out;
fail:
	db_rollback(db);
out:
	spam_model_free(m);
	free(f);
	arena_free(&a);
	return rc;
}

int
spam_ensure_built(struct db *db)
{
	static const char sql[] = "SELECT built FROM spam_model WHERE id = 1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc, built;

	if (st == NULL)
		return STORE_ERR;
	rc = sqlite3_step(st);
	built = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		db_log_error(db, "spam model");
		return STORE_ERR;
	}
	if (built)
		return 0;
	return spam_rebuild(db) == STORE_OK ? 1 : STORE_ERR;
}

int
spam_cross_validate(struct db *db, int max_folds, double threshold, struct spam_cv *out)
{
	struct arena a;
	struct example *ex;
	struct spam_model *m = spam_model_new();
	struct spam_features *f = malloc(sizeof(*f));
	struct spam_score score;
	size_t n, i, folds;
	int rc = STORE_ERR, fold;

	memset(out, 0, sizeof(*out));
	arena_init(&a);
	if (m == NULL || f == NULL || load_examples(db, &a, &ex, &n) != STORE_OK)
		goto out;
	rc = STORE_OK;
	/* Each fold must leave something to train on and hold something to test. */
	folds = n < (size_t)max_folds ? n : (size_t)max_folds;
	if (folds < 2)
		goto out;
	rc = STORE_ERR;
	if (train_all(m, ex, n, f) != 0)
		goto out;
	out->folds = (int)folds;
	for (fold = 0; fold < (int)folds; fold++) {
		/* Take the fold out, score it, put it back. */
		for (i = (size_t)fold; i < n; i += folds) {
			spam_features_of(&ex[i].c, f);
			spam_model_learn(m, f, ex[i].cls, -1);
		}
		for (i = (size_t)fold; i < n; i += folds) {
			int filed;
			spam_features_of(&ex[i].c, f);
			spam_model_score(m, f, &score);
			filed = score.probability > threshold;
			if (ex[i].cls == SPAM_CLASS_SPAM) {
				out->spam++;
				out->caught += filed;
			} else {
				out->ham++;
				out->false_alarms += filed;
			}
		}
		for (i = (size_t)fold; i < n; i += folds) {
			spam_features_of(&ex[i].c, f);
			if (spam_model_learn(m, f, ex[i].cls, +1) != 0)
				goto out;
		}
	}
	rc = STORE_OK;
out:
	spam_model_free(m);
	free(f);
	arena_free(&a);
	return rc;
}

/* store-spam.c: the classifier's counts in SQLite: learning and un-learning decisions, the per-connection copy, intake's verdict, cross-validation. */
#include "spam.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Longest reason stored with a comment filed as spam. */
#define REASON_MAX 400

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

/* Read the counts changed since generation since into m.  STORE_OK or STORE_ERR. */
static int
load_tokens(struct db *db, struct spam_model *m, int64_t since)
{
	static const char sql[] = "SELECT token, ham, spam FROM spam_tokens WHERE generation > ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (spam_model_set(m, (uint64_t)sqlite3_column_int64(st, 0),
				   (uint32_t)sqlite3_column_int64(st, 1),
				   (uint32_t)sqlite3_column_int64(st, 2)) != 0) {
			log_error("spam model: out of memory");
			sqlite3_reset(st);
			return STORE_ERR;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "spam tokens");
		return STORE_ERR;
	}
	return STORE_OK;
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
	int64_t *ids = NULL, *more;
	size_t n = 0, cap = 0, i;
	int rc, own;

	if (db_work_begin(db, &own) != STORE_OK) {
		sqlite3_reset(st);
		return STORE_ERR;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((more = realloc(ids, cap * sizeof(*ids))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = more;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	rc = rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
	for (i = 0; i < n && rc == STORE_OK; i++)
		rc = spam_learn(db, ids[i], SPAM_CLASS_NONE);
	free(ids);
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
		"SELECT s.comment_id FROM comment_spam s JOIN comments c ON c.id = s.comment_id"
		" WHERE c.status = 'trash' AND c.trashed_at < ? AND s.learned IS NOT NULL";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	return forget_selected(db, st);
}

/* One learned comment, read for training in memory. */
struct example {
	struct spam_comment c;
	enum spam_class cls;
};

/* Every learned comment, oldest id first, strings in a.  STORE_OK or STORE_ERR. */
static int
load_examples(struct db *db, struct arena *a, struct example **out, size_t *len)
{
	static const char sql[] =
		"SELECT c.author, c.email, c.url, c.body_md, coalesce(s.form_seconds, -1), s.learned"
		" FROM comment_spam s JOIN comments c ON c.id = s.comment_id"
		" WHERE s.learned IS NOT NULL ORDER BY c.id";
	sqlite3_stmt *st = db_stmt(db, sql);
	size_t cap = 0;
	int rc;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct example *e;
		if (*len == cap)
			*out = arena_grow(a, *out, *len, &cap, sizeof(**out));
		e = &(*out)[(*len)++];
		e->c.author = arena_strdup(a, db_col_text(st, 0));
		e->c.email = arena_strdup(a, db_col_text(st, 1));
		e->c.url = arena_strdup(a, db_col_text(st, 2));
		e->c.body_md = arena_strdup(a, db_col_text(st, 3));
		e->c.form_seconds = sqlite3_column_int(st, 4);
		e->cls = spam_class_parse(db_col_text(st, 5));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "reading learned comments");
		return STORE_ERR;
	}
	return STORE_OK;
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

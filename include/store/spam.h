/* spam.h: the spam classifier in the database: learning from moderators' decisions, the verdict at intake, cross-validation. */
#ifndef PARLEY_SPAM_H
#define PARLEY_SPAM_H

#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "comments.h"
#include "db.h"
#include "spam_model.h"

/*
 * The tables (sql/0005_spam.sql): spam_tokens holds, per feature hash, how
 * many learned comments of each class held it; spam_model the totals and a
 * generation that moves with every change; comment_spam each comment's
 * score at intake, its form time and the decision learned from it.  No
 * table of the classifier holds a reader's text.
 *
 * Invariant: the counts are the sum, over comments with comment_spam.learned
 * set, of the features of each comment's current text.  Every store function
 * that changes a decision, a learned comment's text, or deletes comments
 * keeps it (comments_set_status, comments_update_text, comments_edit,
 * comments_erase_email, comments_delete, comments_purge_trash,
 * posts_delete); spam_rebuild restores it from the decisions.  Trash and
 * restore leave a decision as it was.
 */

/* The configuration's spam_threshold and spam_min_examples. */
struct spam_settings {
	double threshold;       /* above this probability a comment is filed as spam: 0.9 */
	int min_examples;       /* of each class before the classifier acts: 20 */
};

struct spam_verdict {
	int acting;             /* at least min_examples of each class are learned */
	int is_spam;            /* acting and probability above the threshold */
	double probability;
	const char *reason;     /* "classifier: 97% spam; ..." in the arena */
	uint32_t ham, spam;     /* decisions learned */
	struct spam_score score;
};

/*
 * The model as this connection holds it in memory, first brought up to date
 * with the database (one query when nothing changed, else only the changed
 * counts are read).  Owned by db; NULL after logging on a database error.
 */
const struct spam_model *spam_current(struct db *db);

/*
 * Score comment c: out is filled, out->reason allocated in a.  Reads only
 * (never a write transaction): intake calls it through moderation_classify.
 * STORE_OK or STORE_ERR (out then says not acting).
 */
int spam_classify(struct db *db, struct arena *a, const struct spam_comment *c,
		  const struct spam_settings *s, struct spam_verdict *out);

/*
 * Keep intake's score (NULL when not acting) and form time (-1: unknown)
 * for comment id, in the caller's transaction.  STORE_OK or STORE_ERR.
 */
int spam_record(struct db *db, int64_t comment_id, const struct spam_verdict *v,
		int form_seconds);

/*
 * A person decided on comment id: learn it as cls, un-learning what it was
 * learned as before (SPAM_CLASS_NONE: no longer an example).  Learning the
 * same class again changes nothing.  Atomic: in the caller's transaction
 * when one is open, else in its own.  STORE_OK, STORE_NOTFOUND, STORE_ERR.
 */
int spam_learn(struct db *db, int64_t comment_id, enum spam_class cls);
/*
 * What a move to status teaches: approved is ham, spam is spam, pending and
 * rejected are no example; -1 for a status that leaves the decision alone.
 */
int spam_class_for_status(int status);

/*
 * Before and after changing the author, email, url or body of comment id
 * (in the caller's transaction): a learned comment's counts follow its new
 * text.  STORE_OK or STORE_ERR.
 */
int spam_text_changing(struct db *db, int64_t comment_id);
int spam_text_changed(struct db *db, int64_t comment_id);

/*
 * Un-learn every comment of a post about to be deleted, or every comment in
 * trash since before now (about to be purged).  STORE_OK or STORE_ERR.
 */
int spam_forget_post(struct db *db, const char *slug);
int spam_forget_trash(struct db *db, time_t before);

/*
 * Recount every token from the decisions in comment_spam, in one
 * transaction of its own.  STORE_OK or STORE_ERR.
 */
int spam_rebuild(struct db *db);
/* spam_rebuild once after the migration (parley init): 1 rebuilt, 0 not needed, STORE_ERR. */
int spam_ensure_built(struct db *db);

/* The learned decisions of each class.  STORE_OK or STORE_ERR. */
int spam_totals(struct db *db, uint32_t *ham, uint32_t *spam);

/* Cross-validation on the site's own decisions. */
struct spam_cv {
	int folds;              /* 0 when there were too few decisions to test */
	int64_t ham, spam;      /* decisions tested */
	int64_t caught;         /* spam scored above the threshold */
	int64_t false_alarms;   /* approved comments scored above it */
};

/*
 * Split the learned comments into folds (at most max_folds; by id), train
 * on all but one fold in memory, score that fold at threshold, for every
 * fold.  The database is only read.  STORE_OK or STORE_ERR.
 */
int spam_cross_validate(struct db *db, int max_folds, double threshold, struct spam_cv *out);

/* What comment_spam holds for one comment; probability -1 and form_seconds -1 when unknown. */
struct spam_standing {
	double probability;
	int form_seconds;
	enum spam_class learned;
};
/* STORE_OK (a comment with no row reads as unknown) or STORE_ERR. */
int spam_standing_get(struct db *db, int64_t comment_id, struct spam_standing *out);

#endif

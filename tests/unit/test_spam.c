/* test_spam.c: the spam classifier: features, training and un-learning, thresholds, the explanation, the counts in SQLite. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "commenter.h"
#include "comments.h"
#include "db.h"
#include "fixture.h"
#include "moderation.h"
#include "posts.h"
#include "render.h"
#include "spam.h"
#include "spam_model.h"

static char dir[] = "/tmp/parley-test-spam-XXXXXX";
static struct arena arena;

/* Honest comments and spam, varied enough to learn from. */
static const char *const ham_words[] = {
	"I agree with your point about the union meeting",
	"Thanks for writing this, it matches what we saw on the ward",
	"Could you say more about the training for peer workers?",
	"We tried something similar in our town and it worked well",
	"The part about supervision made me think of my first year",
};
static const char *const spam_words[] = {
	"Cheap pills online, buy now at https://pills.shop.example/buy",
	"Best casino bonus https://casino.example/win [click](https://casino.example/go)",
	"SEO services to rank your site, visit https://seo.example/offer now",
	"Buy followers cheap https://followers.example/ best price casino",
	"Free money casino win big https://casino.example/free",
};

/* The i-th synthetic comment of a class. */
static struct spam_comment
example(int spam, int i)
{
	static char bodies[2][64][200];
	struct spam_comment c;
	char *b = bodies[spam][i % 64];

	snprintf(b, 200, "%s (%d)", spam ? spam_words[i % 5] : ham_words[i % 5], i);
	c.author = spam ? "Cheap SEO Agency" : (i % 2 ? "Sam" : "Rivera");
	c.email = spam ? "sales@bulk.example" : (i % 2 ? "sam@example.org" : "");
	c.url = spam ? "https://seo.example/" : "";
	c.body_md = b;
	c.form_seconds = spam ? 2 : 45 + i;
	return c;
}

/* Is there a feature whose description is want? */
static int
has_feature(const struct spam_features *f, const char *want)
{
	char buf[128];
	size_t i;

	for (i = 0; i < f->len; i++) {
		spam_feature_describe(&f->items[i], buf, sizeof(buf));
		if (strcmp(buf, want) == 0)
			return 1;
	}
	return 0;
}

static void
test_features(void)
{
	struct spam_comment c = {
		"Cheap SEO", "Sales@Mail.Example", "https://www.shop.example/a",
		"Visit https://shop.casino.example/x and ![img](https://i.example/p.png) "
		"or [here](http://b.example) www.c.example, casino CASINO.", 4,
	};
	struct spam_features f;

	spam_features_of(&c, &f);
	CHECK(has_feature(&f, "word \"casino\""));
	CHECK(has_feature(&f, "word \"Visit\""));
	CHECK(has_feature(&f, "name \"Cheap\""));
	CHECK(has_feature(&f, "name \"SEO\""));
	CHECK(has_feature(&f, "link to shop.casino.example"));
	CHECK(has_feature(&f, "link to casino.example"));
	CHECK(has_feature(&f, "link to b.example"));
	CHECK(has_feature(&f, "link to www.c.example"));
	CHECK(has_feature(&f, "email at Mail.Example"));
	CHECK(has_feature(&f, "website www.shop.example"));
	CHECK(has_feature(&f, "website shop.example"));
	CHECK(has_feature(&f, "4 to 9 links"));
	CHECK(has_feature(&f, "1 Markdown link"));
	CHECK(has_feature(&f, "an image"));
	CHECK(has_feature(&f, "sent within 10 s of the form"));
	/* A feature counts once; a word's capitals make another, a host's do not. */
	CHECK(has_feature(&f, "word \"CASINO\""));
	{
		size_t i, n = 0;
		char buf[128];
		for (i = 0; i < f.len; i++) {
			spam_feature_describe(&f.items[i], buf, sizeof(buf));
			n += strcasecmp(buf, "word \"casino\"") == 0;
		}
		CHECK(n == 2);
	}
	CHECK(has_feature(&f, "few capital letters"));
	CHECK(has_feature(&f, "an exclamation mark or two"));   /* the image's "!" */

	c.author = NULL;
	c.email = NULL;
	c.url = NULL;
	c.body_md = "";
	c.form_seconds = -1;
	spam_features_of(&c, &f);
	CHECK(has_feature(&f, "no email"));
	CHECK(has_feature(&f, "no website"));
	CHECK(has_feature(&f, "no links"));
	CHECK(has_feature(&f, "form time unknown"));

	/* A huge text stops at SPAM_FEATURES_MAX and keeps its structure features. */
	{
		char *big = malloc(200000);
		size_t i, len = 0;
		for (i = 0; i < 20000; i++)
			len += (size_t)sprintf(big + len, "w%zu ", i);
		c.body_md = big;
		spam_features_of(&c, &f);
		CHECK(f.len == SPAM_FEATURES_MAX);
		CHECK(has_feature(&f, "very long text"));
		free(big);
	}
}

static void
test_model(void)
{
	struct spam_model *m = spam_model_new();
	struct spam_features f;
	struct spam_score s;
	struct spam_comment c;
	char reason[400];
	uint32_t ham, spam;
	int i;

	/* Nothing learned: no opinion. */
	c = example(1, 0);
	spam_features_of(&c, &f);
	spam_model_score(m, &f, &s);
	CHECK(s.probability == 0.5 && s.ntop == 0);

	for (i = 0; i < 25; i++) {
		c = example(0, i);
		spam_features_of(&c, &f);
		CHECK(spam_model_learn(m, &f, SPAM_CLASS_HAM, +1) == 0);
		c = example(1, i);
		spam_features_of(&c, &f);
		CHECK(spam_model_learn(m, &f, SPAM_CLASS_SPAM, +1) == 0);
	}
	spam_model_totals(m, &ham, &spam);
	CHECK(ham == 25 && spam == 25);

	/* New spam about a casino, and a new honest comment. */
	c.author = "Lucky Casino";
	c.email = "win@bulk.example";
	c.url = "https://seo.example/";
	c.body_md = "Big casino bonus today https://casino.example/today";
	c.form_seconds = 1;
	spam_features_of(&c, &f);
	spam_model_score(m, &f, &s);
	CHECK(s.probability > 0.9);
	CHECK(s.ntop > 0 && s.ntop <= SPAM_EXPLAIN_MAX);
	CHECK(s.top[0].spamminess > 0.5 && s.top[0].spam > 0);
	for (i = 1; i < (int)s.ntop; i++)
		CHECK(s.top[i].spamminess <= s.top[i - 1].spamminess);
	spam_score_reason(&s, reason, sizeof(reason));
	CHECK(strncmp(reason, "classifier: ", 12) == 0);
	CHECK_CONTAINS(reason, "% spam; ");
	CHECK_CONTAINS(reason, " approved)");
	CHECK_CONTAINS(reason, "; website seo.example (25 spam, 0 approved), ");
	/* A short buffer cuts the reason, never overruns. */
	spam_score_reason(&s, reason, 20);
	CHECK(strlen(reason) == 19);

	c.author = "Sam";
	c.email = "sam@example.org";
	c.url = "";
	c.body_md = "I agree, the training for peer workers on the ward matters";
	c.form_seconds = 80;
	spam_features_of(&c, &f);
	spam_model_score(m, &f, &s);
	CHECK(s.probability < 0.1);

	/* Un-learning everything gives back an empty model. */
	for (i = 0; i < 25; i++) {
		c = example(0, i);
		spam_features_of(&c, &f);
		spam_model_learn(m, &f, SPAM_CLASS_HAM, -1);
		c = example(1, i);
		spam_features_of(&c, &f);
		spam_model_learn(m, &f, SPAM_CLASS_SPAM, -1);
	}
	spam_model_totals(m, &ham, &spam);
	CHECK(ham == 0 && spam == 0);
	{
		uint32_t h = 1, sp = 1;
		spam_model_lookup(m, f.items[0].hash, &h, &sp);
		CHECK(h == 0 && sp == 0);
	}
	/* And un-learning more than was learned never goes below zero. */
	spam_model_learn(m, &f, SPAM_CLASS_SPAM, -1);
	spam_model_totals(m, &ham, &spam);
	CHECK(spam == 0);
	spam_model_free(m);
	spam_model_free(NULL);
}

/* Tokens whose home slots are five neighbours: their probe runs merge into one. */
static uint64_t
token_of(uint64_t k)
{
	return k << 20 | ((k % 5) * 3 + 7);
}

/*
 * The counts in memory hold only tokens with a count: un-learned and
 * zeroed tokens leave the table (the table shrinks again), and every other
 * token stays found, also across the probe runs removals cut into.
 */
static void
test_model_prunes(void)
{
	struct spam_model *m = spam_model_new();
	struct spam_features f;
	struct spam_comment c;
	uint32_t h, s;
	uint64_t k;
	int i, found = 1, gone = 1;

	for (k = 1; k <= 6000; k++)
		CHECK(spam_model_set(m, token_of(k), (uint32_t)k, 1) == 0);
	CHECK(spam_model_size(m) == 6000);
	for (k = 1; k <= 6000; k += 2)
		CHECK(spam_model_set(m, token_of(k), 0, 0) == 0);
	CHECK(spam_model_size(m) == 3000);
	for (k = 1; k <= 6000; k++) {
		spam_model_lookup(m, token_of(k), &h, &s);
		if (k % 2 == 0 && (h != (uint32_t)k || s != 1))
			found = 0;
		if (k % 2 == 1 && (h != 0 || s != 0))
			gone = 0;
	}
	CHECK(found && gone);
	/* Zeroing a token never held adds nothing. */
	CHECK(spam_model_set(m, 12345, 0, 0) == 0 && spam_model_size(m) == 3000);
	for (k = 2; k <= 6000; k += 2)
		CHECK(spam_model_set(m, token_of(k), 0, 0) == 0);
	CHECK(spam_model_size(m) == 0);

	/* Learning and un-learning comments leaves nothing behind. */
	for (i = 0; i < 200; i++) {
		c = example(i % 2, i);
		spam_features_of(&c, &f);
		CHECK(spam_model_learn(m, &f, i % 2 ? SPAM_CLASS_SPAM : SPAM_CLASS_HAM, +1) == 0);
	}
	CHECK(spam_model_size(m) > 0);
	for (i = 0; i < 200; i++) {
		c = example(i % 2, i);
		spam_features_of(&c, &f);
		CHECK(spam_model_learn(m, &f, i % 2 ? SPAM_CLASS_SPAM : SPAM_CLASS_HAM, -1) == 0);
	}
	CHECK(spam_model_size(m) == 0);
	/* Un-learning what was never learned makes no entries. */
	CHECK(spam_model_learn(m, &f, SPAM_CLASS_SPAM, -1) == 0 && spam_model_size(m) == 0);
	spam_model_free(m);
}

/* A post and n comments of each class, pending; ids in ham_ids and spam_ids. */
static void
seed(struct db *db, int n, int64_t *ham_ids, int64_t *spam_ids)
{
	int i;

	CHECK(sqlite3_exec(db->handle, "INSERT INTO posts (slug, title, published_at, updated_at,"
			   " body_md, body_html, body_text) VALUES ('p', 'P', 1, 1, '', '', '')",
			   NULL, NULL, NULL) == SQLITE_OK);
	for (i = 0; i < 2 * n; i++) {
		struct spam_comment e = example(i % 2, i / 2);
		struct comment c;

		memset(&c, 0, sizeof(c));
		c.post_id = 1;
		c.status = COMMENT_PENDING;
		c.author = e.author;
		c.email = e.email;
		c.url = e.url;
		c.body_md = e.body_md;
		c.body_html = markdown_html(&arena, c.body_md, strlen(c.body_md), MARKDOWN_COMMENT);
		c.created_at = 100 + i;
		CHECK(comments_insert(db, &c) == STORE_OK);
		CHECK(spam_record(db, c.id, NULL, e.form_seconds) == STORE_OK);
		if (i % 2)
			spam_ids[i / 2] = c.id;
		else
			ham_ids[i / 2] = c.id;
	}
}

/* The spam_tokens table as one string, to compare before and after a rebuild. */
static const char *
tokens_dump(struct db *db)
{
	sqlite3_stmt *st;
	char *out = arena_strdup(&arena, "");

	sqlite3_prepare_v2(db->handle, "SELECT token, ham, spam FROM spam_tokens"
			   " WHERE ham > 0 OR spam > 0 ORDER BY token", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		out = arena_printf(&arena, "%s%lld:%d:%d ", out, sqlite3_column_int64(st, 0),
				   sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
	sqlite3_finalize(st);
	return out;
}

static int
count_rows(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_store(struct db *db)
{
	int64_t ham_ids[30], spam_ids[30];
	struct spam_settings settings = { 0.9, 20 };
	struct spam_comment probe = {
		"Casino King", "x@bulk.example", "https://seo.example/",
		"Casino bonus, buy now https://casino.example/now", 1,
	};
	struct spam_verdict v;
	struct spam_standing st;
	struct moderation_verdict mv;
	struct moderation_input mi = {
		"Casino King", "x@bulk.example", "https://seo.example/", "", probe.body_md, 1, 0.9, 20, 0,
	};
	struct spam_cv cv;
	const char *before;
	uint32_t ham, spam;
	char path[256];
	char err[256];
	struct db *other;
	int i;

	seed(db, 30, ham_ids, spam_ids);
	CHECK(spam_classify(db, &arena, &probe, &settings, &v) == STORE_OK);
	CHECK(!v.acting && !v.is_spam && v.ham == 0 && v.spam == 0);

	/* Decisions teach it: approve is ham, spam is spam. */
	for (i = 0; i < 19; i++) {
		CHECK(comments_set_status(db, ham_ids[i], COMMENT_APPROVED) == STORE_OK);
		CHECK(comments_set_status(db, spam_ids[i], COMMENT_SPAM) == STORE_OK);
	}
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19 && spam == 19);
	CHECK(spam_standing_get(db, ham_ids[0], &st) == STORE_OK && st.learned == SPAM_CLASS_HAM);
	CHECK(st.form_seconds == 45);
	/* Learning the same decision twice counts once. */
	CHECK(comments_set_status(db, ham_ids[0], COMMENT_APPROVED) == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19);

	/* Below spam_min_examples it holds back, however sure it is. */
	CHECK(spam_classify(db, &arena, &probe, &settings, &v) == STORE_OK);
	CHECK(!v.acting && !v.is_spam && v.probability > 0.9);
	moderation_classify(db, &arena, &mi, &mv);
	CHECK(mv.status == COMMENT_PENDING);
	CHECK_STR(mv.reason, "");

	CHECK(comments_set_status(db, ham_ids[19], COMMENT_APPROVED) == STORE_OK);
	CHECK(comments_set_status(db, spam_ids[19], COMMENT_SPAM) == STORE_OK);
	CHECK(spam_classify(db, &arena, &probe, &settings, &v) == STORE_OK);
	CHECK(v.acting && v.is_spam && v.ham == 20 && v.spam == 20);
	moderation_classify(db, &arena, &mi, &mv);
	CHECK(mv.status == COMMENT_SPAM);
	CHECK(strncmp(mv.reason, "classifier: ", 12) == 0);
	CHECK_CONTAINS(mv.reason, "website seo.example (20 spam, 0 approved)");
	/* Only a probability above the threshold files it: at its own probability it waits. */
	mi.spam_threshold = mv.spam.probability;
	moderation_classify(db, &arena, &mi, &mv);
	CHECK(mv.status == COMMENT_PENDING && mv.spam.acting && mv.spam.probability > 0.9);
	mi.spam_threshold = 0.9;
	/* An honest comment waits. */
	mi.author = "Sam";
	mi.email = "sam@example.org";
	mi.url = "";
	mi.body_md = "Thanks, the union meeting point is a good one";
	mi.form_seconds = 60;
	moderation_classify(db, &arena, &mi, &mv);
	CHECK(mv.status == COMMENT_PENDING && mv.spam.probability < 0.5);

	/* A changed decision un-learns the old one. */
	CHECK(comments_set_status(db, spam_ids[0], COMMENT_APPROVED) == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 21 && spam == 19);
	CHECK(comments_set_status(db, spam_ids[0], COMMENT_PENDING) == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 20 && spam == 19);
	CHECK(comments_set_status(db, ham_ids[1], COMMENT_REJECTED) == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19 && spam == 19);
	CHECK(comments_set_status(db, ham_ids[1], COMMENT_SPAM) == STORE_OK);
	CHECK(comments_delete(db, spam_ids[2]) == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19 && spam == 19);

	/*
	 * Through moderation_act, the one function the admin pages, the
	 * moderator-mail page and the command line share: confirming spam the
	 * engine filed teaches it, though the status does not move; trash and
	 * restore leave the decision alone.
	 */
	{
		char *sql = arena_printf(&arena, "UPDATE comments SET status = 'spam', spam_reason ="
					 " 'classifier: 99%% spam' WHERE id = %lld",
					 (long long)spam_ids[28]);
		CHECK(sqlite3_exec(db->handle, sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	CHECK(spam_standing_get(db, spam_ids[28], &st) == STORE_OK && st.learned == SPAM_CLASS_NONE);
	CHECK(db_begin(db) == STORE_OK);
	CHECK(moderation_act(db, &arena, spam_ids[28], "spam", "mail:mod@example.org", 5, NULL) ==
	      STORE_OK);
	CHECK(moderation_act(db, &arena, spam_ids[28], "delete", "admin", 6, NULL) == STORE_OK);
	CHECK(moderation_act(db, &arena, spam_ids[28], "restore", "admin", 7, NULL) == STORE_OK);
	CHECK(db_commit(db) == STORE_OK);
	CHECK(spam_standing_get(db, spam_ids[28], &st) == STORE_OK && st.learned == SPAM_CLASS_SPAM);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19 && spam == 20);
	CHECK(comments_set_status(db, spam_ids[28], COMMENT_PENDING) == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19 && spam == 19);

	/* The incremental counts are what a recount from the decisions gives. */
	before = tokens_dump(db);
	CHECK(strlen(before) > 0);
	CHECK(spam_rebuild(db) == STORE_OK);
	CHECK_STR(tokens_dump(db), before);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 19 && spam == 19);

	/* Another connection's decisions reach this one's copy in memory, also after a rebuild. */
	snprintf(path, sizeof(path), "%s/test.db", dir);
	other = db_open(path, DB_OPEN_READWRITE, err, sizeof(err));
	CHECK(other != NULL);
	CHECK(spam_current(db) != NULL);
	CHECK(comments_set_status(other, ham_ids[25], COMMENT_APPROVED) == STORE_OK);
	CHECK(spam_classify(db, &arena, &probe, &settings, &v) == STORE_OK && v.ham == 20);
	CHECK(spam_rebuild(other) == STORE_OK);
	CHECK(spam_classify(db, &arena, &probe, &settings, &v) == STORE_OK && v.ham == 20);
	db_close(other);

	/* Erasing a commenter: their name and email domain leave the counts. */
	CHECK(comments_set_status(db, spam_ids[3], COMMENT_SPAM) == STORE_OK);
	CHECK(sqlite3_exec(db->handle, "UPDATE comments SET spam_reason ="
			   " 'classifier: 97% spam; name \"Cheap\" (3 spam, 0 approved)'"
			   " WHERE email = 'sales@bulk.example'", NULL, NULL, NULL) == SQLITE_OK);
	{
		int erased = 0;
		CHECK(comments_erase_email(db, "SALES@bulk.example", &erased) == STORE_OK);
		CHECK(erased == 30 - 1);
	}
	CHECK(count_rows(db, "SELECT count(*) FROM comments WHERE spam_reason LIKE '%Cheap%'") == 0);
	CHECK(count_rows(db, "SELECT count(*) FROM comments WHERE spam_reason = 'classifier: 97% spam'") > 0);
	before = tokens_dump(db);
	CHECK(spam_rebuild(db) == STORE_OK);
	CHECK_STR(tokens_dump(db), before);
	probe.author = "Cheap SEO Agency";
	probe.email = "";
	probe.body_md = "";
	probe.url = "";
	probe.form_seconds = -1;
	{
		struct spam_features f;
		uint32_t h, s;
		spam_features_of(&probe, &f);
		spam_model_lookup(spam_current(db), f.items[f.len - 1].hash, &h, &s);
		CHECK(h == 0 && s == 0);   /* name "Agency" */
	}

	/* Cross-validation on the site's own decisions. */
	CHECK(spam_cross_validate(db, 10, 0.9, &cv) == STORE_OK);
	CHECK(cv.folds == 10);
	CHECK(cv.ham + cv.spam == (int64_t)count_rows(db, "SELECT count(*) FROM comment_spam"
						       " WHERE learned IS NOT NULL"));
	/* One "spam" is an honest text marked spam: it is not caught. */
	CHECK(cv.caught >= cv.spam * 3 / 4 && cv.caught < cv.spam);
	CHECK(cv.false_alarms == 0);

	/* Deleting the post forgets its comments, also in the copy in memory. */
	CHECK(spam_current(db) != NULL && spam_model_size(spam_current(db)) > 0);
	CHECK(posts_delete(db, "p") == STORE_OK);
	CHECK(spam_totals(db, &ham, &spam) == STORE_OK && ham == 0 && spam == 0);
	CHECK(count_rows(db, "SELECT count(*) FROM spam_tokens WHERE ham > 0 OR spam > 0") == 0);
	CHECK(spam_current(db) != NULL && spam_model_size(spam_current(db)) == 0);
	CHECK(spam_cross_validate(db, 10, 0.9, &cv) == STORE_OK && cv.folds == 0);
}

int
main(void)
{
	struct db *db;

	if (sodium_init() < 0)
		return 1;
	arena_init(&arena);
	test_features();
	test_model();
	test_model_prunes();
	db = test_db_create(dir);
	test_store(db);
	test_db_remove(db, dir);
	arena_free(&arena);
	return check_summary();
}

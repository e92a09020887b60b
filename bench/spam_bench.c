/* spam_bench.c: the spam classifier on a labelled corpus: train on a few decisions, test on the rest, time one verdict. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "comments.h"
#include "db.h"
#include "spam.h"
#include "spam_model.h"

/*
 * usage: parley-spam-bench CORPUS.tsv [THRESHOLD]
 *
 * CORPUS.tsv is what bench/spam_corpus.py writes.  For each training size
 * (60, 200 and 1000 decisions of each class) and each of SEEDS random
 * draws, the model learns that many approved and spam comments in memory
 * and scores every other comment of the corpus; a comment above THRESHOLD
 * (0.9, spam_threshold's default) counts as filed as spam.  Then, for the
 * 60-per-class draw of the first seed, the same decisions are made through
 * the store (comments_set_status in a scratch database) and
 * spam_classify, the call intake makes, is timed over the test set.
 */

#define SEEDS 10
#define LINE_MAX_BYTES (64 * 1024)

struct row {
	enum spam_class cls;
	int hard;               /* hard-ham-1: honest mail that looks like spam */
	struct spam_comment c;
};

static struct row *rows;
static size_t nrows;

/* Undo spam_corpus.py's escapes in place. */
static char *
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r != '\0') {
		if (*r == '\\' && r[1] != '\0') {
			r++;
			*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
			r++;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return s;
}

static void
load(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = malloc(LINE_MAX_BYTES);
	size_t cap = 0;

	if (f == NULL || line == NULL) {
		fprintf(stderr, "parley-spam-bench: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, LINE_MAX_BYTES, f) != NULL) {
		char *field[5], *p = line;
		int i;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 5; i++) {
			field[i] = p;
			p = strchr(p, '\t');
			if (p == NULL && i < 4)
				break;
			if (p != NULL)
				*p++ = '\0';
		}
		if (i < 4)
			continue;
		if (nrows == cap) {
			cap = cap ? cap * 2 : 1024;
			rows = realloc(rows, cap * sizeof(*rows));
			if (rows == NULL)
				exit(2);
		}
		rows[nrows].cls = strcmp(field[0], "spam") == 0 ? SPAM_CLASS_SPAM : SPAM_CLASS_HAM;
		rows[nrows].hard = strcmp(field[1], "hard-ham-1") == 0;
		rows[nrows].c.author = strdup(unescape(field[2]));
		rows[nrows].c.email = strdup(unescape(field[3]));
		rows[nrows].c.url = "";
		rows[nrows].c.body_md = strdup(unescape(field[4]));
		rows[nrows].c.form_seconds = -1;
		nrows++;
	}
	fclose(f);
	free(line);
}

/* A small PRNG of our own so every run draws the same comments. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Mark the first n of each class, after a shuffle by seed, in train[]. */
static void
draw(unsigned seed, size_t n, unsigned char *train)
{
	size_t *order = malloc(nrows * sizeof(*order)), i, taken[3] = { 0, 0, 0 };
	uint64_t state = 0x9e3779b97f4a7c15ULL * (seed + 1);

	for (i = 0; i < nrows; i++)
		order[i] = i;
	for (i = nrows; i > 1; i--) {
		size_t j = (size_t)(next_random(&state) % i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	memset(train, 0, nrows);
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[order[i]];
		if (taken[r->cls] < n) {
			taken[r->cls]++;
			train[order[i]] = 1;
		}
	}
	free(order);
}

/*
 * The thread's CPU time: on a shared machine, wall-clock time would count
 * the other programs' turns too.
 */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
	double caught, false_alarms;    /* fractions of the test spam and ham */
	double easy_alarms;             /* false alarms among the easy (not hard-ham) messages */
};

static struct result
run(unsigned seed, size_t n, double threshold, struct spam_features *f)
{
	struct spam_model *m = spam_model_new();
	unsigned char *train = malloc(nrows);
	struct spam_score s;
	size_t i, spam = 0, ham = 0, caught = 0, alarms = 0, easy = 0, easy_alarms = 0;
	struct result res;

	draw(seed, n, train);
	for (i = 0; i < nrows; i++)
		if (train[i]) {
			spam_features_of(&rows[i].c, f);
			spam_model_learn(m, f, rows[i].cls, +1);
		}
	for (i = 0; i < nrows; i++) {
		if (train[i])
			continue;
		spam_features_of(&rows[i].c, f);
		spam_model_score(m, f, &s);
		if (rows[i].cls == SPAM_CLASS_SPAM) {
			spam++;
			caught += s.probability > threshold;
		} else {
			ham++;
			alarms += s.probability > threshold;
			if (!rows[i].hard) {
				easy++;
				easy_alarms += s.probability > threshold;
			}
		}
	}
	res.caught = spam ? (double)caught / spam : 0;
	res.false_alarms = ham ? (double)alarms / ham : 0;
	res.easy_alarms = easy ? (double)easy_alarms / easy : 0;
	spam_model_free(m);
	free(train);
	return res;
}

/* Learn the first seed's 60 + 60 through the store, then time spam_classify on the rest. */
static void
time_intake(double threshold)
{
	char dir[] = "/tmp/parley-spam-bench-XXXXXX", path[256], err[256];
	struct spam_settings settings = { threshold, 20 };
	unsigned char *train = malloc(nrows);
	struct arena a;
	struct db *db;
	struct spam_verdict v;
	double t0, total = 0, short_total = 0, worst = 0;
	size_t i, n = 0, nshort = 0;

	if (mkdtemp(dir) == NULL)
		exit(2);
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	if ((db = db_open(path, DB_OPEN_CREATE, err, sizeof(err))) == NULL ||
	    db_migrate(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "parley-spam-bench: %s\n", err);
		exit(2);
	}
	arena_init(&a);
	db_exec(db, "INSERT INTO posts (slug, title, published_at, updated_at, body_md, body_html,"
		" body_text) VALUES ('p', 'P', 1, 1, '', '', '')");
	draw(0, 60, train);
	db_begin(db);
	for (i = 0; i < nrows; i++) {
		struct comment c;
		if (!train[i])
			continue;
		memset(&c, 0, sizeof(c));
		c.post_id = 1;
		c.status = COMMENT_PENDING;
		c.author = rows[i].c.author;
		c.email = rows[i].c.email;
		c.url = "";
		c.body_md = rows[i].c.body_md;
		c.body_html = html_trust("");   /* never shown: only its text is learned */
		c.created_at = 1;
		if (comments_insert(db, &c) != STORE_OK ||
		    comments_set_status(db, c.id, rows[i].cls == SPAM_CLASS_SPAM ? COMMENT_SPAM :
					COMMENT_APPROVED) != STORE_OK) {
			fprintf(stderr, "parley-spam-bench: could not learn\n");
			exit(2);
		}
	}
	db_commit(db);
	for (i = 0; i < nrows; i++) {
		double dt;
		if (train[i])
			continue;
		t0 = now_seconds();
		spam_classify(db, &a, &rows[i].c, &settings, &v);
		dt = now_seconds() - t0;
		arena_reset(&a);
		total += dt;
		n++;
		if (dt > worst)
			worst = dt;
		if (strlen(rows[i].c.body_md) < 1000) {
			short_total += dt;
			nshort++;
		}
	}
	printf("spam_classify (intake's call: model in memory, one generation query), 60+60 learned,"
	       " CPU time:\n");
	printf("  every test message: mean %.1f us over %zu (slowest %.0f us)\n",
	       total / (double)n * 1e6, n, worst * 1e6);
	printf("  messages under 1000 bytes, comment-sized: mean %.1f us over %zu\n",
	       short_total / (double)(nshort ? nshort : 1) * 1e6, nshort);
	arena_free(&a);
	db_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		fprintf(stderr, "parley-spam-bench: could not remove %s\n", dir);
	free(train);
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 60, 200, 1000 };
	struct spam_features *f = malloc(sizeof(*f));
	double threshold = argc > 2 ? strtod(argv[2], NULL) : 0.9;
	size_t k, nspam = 0;
	unsigned seed;

	if (argc < 2 || f == NULL) {
		fprintf(stderr, "usage: parley-spam-bench CORPUS.tsv [THRESHOLD]\n");
		return 2;
	}
	load(argv[1]);
	for (k = 0; k < nrows; k++)
		nspam += rows[k].cls == SPAM_CLASS_SPAM;
	printf("corpus: %zu messages, %zu spam and %zu ham; threshold %.2f; %d draws each\n\n",
	       nrows, nspam, nrows - nspam, threshold, SEEDS);
	printf("| decisions learned | spam caught: mean (worst) | honest filed as spam: mean (worst) | the same without hard-ham |\n");
	printf("|-------------------|---------------------------|------------------------------------|---------------------------|\n");
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		double c = 0, fa = 0, cmin = 1, famax = 0, ea = 0, eamax = 0;
		for (seed = 0; seed < SEEDS; seed++) {
			struct result r = run(seed, sizes[k], threshold, f);
			c += r.caught;
			fa += r.false_alarms;
			ea += r.easy_alarms;
			if (r.easy_alarms > eamax)
				eamax = r.easy_alarms;
			if (r.caught < cmin)
				cmin = r.caught;
			if (r.false_alarms > famax)
				famax = r.false_alarms;
		}
		printf("| %4zu of each       | %5.1f%% (%5.1f%%)           | %5.2f%% (%5.2f%%)                    | %5.2f%% (%5.2f%%)           |\n",
		       sizes[k], 100 * c / SEEDS, 100 * cmin, 100 * fa / SEEDS, 100 * famax,
		       100 * ea / SEEDS, 100 * eamax);
	}
	printf("\n");
	time_intake(threshold);
	free(f);
	return 0;
}

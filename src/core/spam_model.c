/* spam_model.c: token counts in a hash table, Robinson-Fisher scoring and its explanation. */
#include "spam_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Robinson's constants as SpamBayes ships them: a feature seen n times has
 * spamminess (S * X + n * p) / (S + n), so rare features stay near X; only
 * features at least MIN_DEVIATION from 0.5 count, the MAX_CLUES strongest.
 */
#define STRENGTH 0.45
#define UNKNOWN_PROBABILITY 0.5
#define MIN_DEVIATION 0.1
#define MAX_CLUES 150

const char *
spam_class_name(enum spam_class c)
{
	return c == SPAM_CLASS_HAM ? "ham" : c == SPAM_CLASS_SPAM ? "spam" : "";
}

enum spam_class
spam_class_parse(const char *name)
{
	if (name != NULL && strcmp(name, "ham") == 0)
		return SPAM_CLASS_HAM;
	if (name != NULL && strcmp(name, "spam") == 0)
		return SPAM_CLASS_SPAM;
	return SPAM_CLASS_NONE;
}

/* The table's slots when new, and the fewest it shrinks to: a power of two. */
#define MODEL_SLOTS_MIN 1024

/*
 * The counts: open addressing on the token hash (linear probing), 0
 * marking an empty slot.  Only tokens with a count are held: one whose
 * counts fall to zero leaves the table, and the table shrinks when it is
 * under an eighth full, so the memory follows the vocabulary of the
 * comments learned now, not of every comment ever learned.
 */
struct spam_entry {
	uint64_t token;
	uint32_t ham, spam;
};

struct spam_model {
	struct spam_entry *slots;
	size_t cap;             /* a power of two */
	size_t used;
	uint32_t ham, spam;     /* learned comments of each class */
};

struct spam_model *
spam_model_new(void)
{
	struct spam_model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cap = MODEL_SLOTS_MIN;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
spam_model_free(struct spam_model *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

void
spam_model_clear(struct spam_model *m)
{
	struct spam_entry *small;

	if (m->cap > MODEL_SLOTS_MIN &&
	    (small = calloc(MODEL_SLOTS_MIN, sizeof(*small))) != NULL) {
		free(m->slots);
		m->slots = small;
		m->cap = MODEL_SLOTS_MIN;
	} else
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->used = 0;
	m->ham = m->spam = 0;
}

size_t
spam_model_size(const struct spam_model *m)
{
	return m->used;
}

static struct spam_entry *
model_find(const struct spam_model *m, uint64_t token)
{
	size_t i;

	for (i = token & (m->cap - 1); m->slots[i].token != 0; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].token == token)
			return &m->slots[i];
	return NULL;
}

/* Move the table to cap slots (a power of two, over used).  0 or -1 (the table unchanged). */
static int
model_resize(struct spam_model *m, size_t cap)
{
	struct spam_entry *old = m->slots;
	size_t oldcap = m->cap, i, j;

	if ((m->slots = calloc(cap, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		return -1;
	}
	m->cap = cap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].token == 0)
			continue;
		for (j = old[i].token & (m->cap - 1); m->slots[j].token != 0; j = (j + 1) & (m->cap - 1))
			;
		m->slots[j] = old[i];
	}
	free(old);
	return 0;
}

/* The entry of token, made (with zero counts) when missing; NULL when out of memory. */
static struct spam_entry *
model_entry(struct spam_model *m, uint64_t token)
{
	size_t i;

	if (token == 0)
		token = 1;
	for (i = token & (m->cap - 1); m->slots[i].token != 0; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].token == token)
			return &m->slots[i];
	/* Keep the table at most half full. */
	if ((m->used + 1) * 2 > m->cap) {
		if (model_resize(m, m->cap * 2) != 0)
			return NULL;
		return model_entry(m, token);
	}
	m->slots[i].token = token;
	m->used++;
	return &m->slots[i];
}

/*
 * Take e (its counts both zero) out of the table: later entries of its
 * probe run move back into the hole unless their home slot lies after it,
 * so every token stays reachable from its home (no tombstones).  Then
 * halve a table under an eighth full (kept as it is when memory is short).
 */
static void
model_remove(struct spam_model *m, struct spam_entry *e)
{
	size_t mask = m->cap - 1, hole = (size_t)(e - m->slots), j = hole, home;

	for (;;) {
		j = (j + 1) & mask;
		if (m->slots[j].token == 0)
			break;
		home = m->slots[j].token & mask;
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			m->slots[hole] = m->slots[j];
			hole = j;
		}
	}
	memset(&m->slots[hole], 0, sizeof(m->slots[hole]));
	m->used--;
	if (m->cap > MODEL_SLOTS_MIN && m->used * 8 < m->cap)
		(void)model_resize(m, m->cap / 2);
}

int
spam_model_set(struct spam_model *m, uint64_t token, uint32_t ham, uint32_t spam)
{
	struct spam_entry *e;

	if (ham == 0 && spam == 0) {
		if ((e = model_find(m, token == 0 ? 1 : token)) != NULL)
			model_remove(m, e);
		return 0;
	}
	if ((e = model_entry(m, token)) == NULL)
		return -1;
	e->ham = ham;
	e->spam = spam;
	return 0;
}

void
spam_model_lookup(const struct spam_model *m, uint64_t token, uint32_t *ham, uint32_t *spam)
{
	const struct spam_entry *e = model_find(m, token == 0 ? 1 : token);

	*ham = e ? e->ham : 0;
	*spam = e ? e->spam : 0;
}

int
spam_model_each(const struct spam_model *m,
		int (*fn)(void *ctx, uint64_t token, uint32_t ham, uint32_t spam), void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].token != 0 && (m->slots[i].ham != 0 || m->slots[i].spam != 0) &&
		    (rc = fn(ctx, m->slots[i].token, m->slots[i].ham, m->slots[i].spam)) != 0)
			return rc;
	return 0;
}

void
spam_model_set_totals(struct spam_model *m, uint32_t ham, uint32_t spam)
{
	m->ham = ham;
	m->spam = spam;
}

void
spam_model_totals(const struct spam_model *m, uint32_t *ham, uint32_t *spam)
{
	*ham = m->ham;
	*spam = m->spam;
}

/* Add delta to a count, never below zero. */
static void
count_add(uint32_t *count, int delta)
{
	if (delta < 0 && *count == 0)
		return;
	*count = (uint32_t)((int64_t)*count + delta);
}

int
spam_model_learn(struct spam_model *m, const struct spam_features *f, enum spam_class cls,
		 int sign)
{
	size_t i;

	if (cls == SPAM_CLASS_NONE)
		return 0;
	for (i = 0; i < f->len; i++) {
		uint64_t token = f->items[i].hash == 0 ? 1 : f->items[i].hash;
		struct spam_entry *e = sign > 0 ? model_entry(m, token) : model_find(m, token);

		if (e == NULL) {
			if (sign > 0)
				return -1;
			continue;       /* nothing to un-learn */
		}
		count_add(cls == SPAM_CLASS_SPAM ? &e->spam : &e->ham, sign);
		if (e->ham == 0 && e->spam == 0)
			model_remove(m, e);
	}
	count_add(cls == SPAM_CLASS_SPAM ? &m->spam : &m->ham, sign);
	return 0;
}

/*
 * The probability that a chi-squared variable with v (even) degrees of
 * freedom is at least x2 (Numerical Recipes' series, as SpamBayes uses).
 */
static double
chi2_q(double x2, size_t v)
{
	double m = x2 / 2.0, term = exp(-m), sum = term;
	size_t i;

	for (i = 1; i < v / 2; i++) {
		term *= m / (double)i;
		sum += term;
	}
	return sum < 1.0 ? sum : 1.0;
}

/* One feature's standing, for sorting. */
struct clue {
	double f;
	size_t at;
	uint32_t ham, spam;
	int kind;
};

/* Strongest deviation from 0.5 first. */
static int
clue_by_strength(const void *a, const void *b)
{
	const struct clue *x = a, *y = b;
	double dx = fabs(x->f - 0.5), dy = fabs(y->f - 0.5);

	return dx > dy ? -1 : dx < dy;
}

/* How telling a kind of feature is to a moderator, for ties: lower first. */
static const unsigned char kind_rank[SPAM_FEATURE__MAX] = {
	[SPAM_FEATURE_HOST] = 0, [SPAM_FEATURE_SITE] = 1, [SPAM_FEATURE_WORD] = 2,
	[SPAM_FEATURE_NAME] = 3, [SPAM_FEATURE_EMAIL] = 4, [SPAM_FEATURE_MARKDOWN] = 5,
	[SPAM_FEATURE_LINKS] = 6, [SPAM_FEATURE_STYLE] = 7, [SPAM_FEATURE_TIME] = 8,
	[SPAM_FEATURE_LENGTH] = 9,
};

/* Most spam-like first; among equals, the one seen in more spam, then the more telling kind. */
static int
clue_by_spamminess(const void *a, const void *b)
{
	const struct clue *x = a, *y = b;

	if (x->f != y->f)
		return x->f > y->f ? -1 : 1;
	if (x->spam != y->spam)
		return x->spam > y->spam ? -1 : 1;
	return (int)kind_rank[x->kind] - (int)kind_rank[y->kind];
}

void
spam_model_score(const struct spam_model *m, const struct spam_features *f,
		 struct spam_score *out)
{
	struct clue clues[SPAM_FEATURES_MAX];
	double sum_ln_f = 0.0, sum_ln_notf = 0.0, h, s;
	size_t n = 0, i;

	memset(out, 0, sizeof(*out));
	out->probability = 0.5;
	if (m->ham == 0 && m->spam == 0)
		return;
	for (i = 0; i < f->len; i++) {
		const struct spam_entry *e = model_find(m, f->items[i].hash);
		double ps, ph, p, fw, seen;

		if (e == NULL || (e->ham == 0 && e->spam == 0))
			continue;
		ps = m->spam > 0 ? (double)e->spam / m->spam : 0.0;
		ph = m->ham > 0 ? (double)e->ham / m->ham : 0.0;
		if (ps > 1.0)
			ps = 1.0;
		if (ph > 1.0)
			ph = 1.0;
		if (ps + ph <= 0.0)
			continue;
		p = ps / (ps + ph);
		seen = (double)e->ham + (double)e->spam;
		fw = (STRENGTH * UNKNOWN_PROBABILITY + seen * p) / (STRENGTH + seen);
		if (fabs(fw - 0.5) < MIN_DEVIATION)
			continue;
		clues[n].f = fw;
		clues[n].at = i;
		clues[n].ham = e->ham;
		clues[n].spam = e->spam;
		clues[n].kind = f->items[i].kind;
		n++;
	}
	if (n == 0)
		return;
	qsort(clues, n, sizeof(clues[0]), clue_by_strength);
	if (n > MAX_CLUES)
		n = MAX_CLUES;
	for (i = 0; i < n; i++) {
		sum_ln_f += log(clues[i].f);
		sum_ln_notf += log(1.0 - clues[i].f);
	}
	/* h: how ham-like, s: how spam-like; each 0..1. */
	h = 1.0 - chi2_q(-2.0 * sum_ln_f, 2 * n);
	s = 1.0 - chi2_q(-2.0 * sum_ln_notf, 2 * n);
	out->probability = (s - h + 1.0) / 2.0;
	out->nclues = n;

	qsort(clues, n, sizeof(clues[0]), clue_by_spamminess);
	for (i = 0; i < n && out->ntop < SPAM_EXPLAIN_MAX && clues[i].f > 0.5; i++) {
		struct spam_clue *c = &out->top[out->ntop++];
		c->feature = f->items[clues[i].at];
		c->spamminess = clues[i].f;
		c->ham = clues[i].ham;
		c->spam = clues[i].spam;
	}
}

void
spam_score_reason(const struct spam_score *s, char *buf, size_t size)
{
	size_t used, i;
	double pct = s->probability * 100.0;

	if (size == 0)
		return;
	if (pct >= 99.0 && pct < 99.95)
		snprintf(buf, size, "classifier: %.1f%% spam", pct);
	else
		snprintf(buf, size, "classifier: %.0f%% spam", pct);
	for (i = 0; i < s->ntop; i++) {
		char what[SPAM_WORD_MAX + 32];

		used = strlen(buf);
		if (used + 1 >= size)
			break;
		spam_feature_describe(&s->top[i].feature, what, sizeof(what));
		snprintf(buf + used, size - used, "%s %s (%u spam, %u approved)", i == 0 ? ";" : ",",
			 what, (unsigned)s->top[i].spam, (unsigned)s->top[i].ham);
	}
}

/* spam_model.h: the spam classifier's pure parts: a comment's features, token counts in memory, the verdict and its explanation. */
#ifndef PARLEY_SPAM_MODEL_H
#define PARLEY_SPAM_MODEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The classifier is a Robinson-Fisher naive Bayes (the method of
 * SpamBayes and bogofilter) over binary features: each feature of a comment
 * counts once, and the model keeps, for each feature, how many learned
 * comments of each class held it.  Features are kept as 64-bit hashes of
 * their names, so the counts never hold a reader's text.
 */

/* What a comment was learned as. */
enum spam_class {
	SPAM_CLASS_NONE = 0,    /* not an example */
	SPAM_CLASS_HAM = 1,     /* approved by a person: not spam */
	SPAM_CLASS_SPAM = 2,    /* marked spam by a person */
};

/* "ham", "spam" ("" for none); and back (SPAM_CLASS_NONE when unknown). */
const char *spam_class_name(enum spam_class c);
enum spam_class spam_class_parse(const char *name);

/* What the classifier reads of a comment. */
struct spam_comment {
	const char *author;
	const char *email;      /* "" or NULL when none */
	const char *url;        /* the website field, "" or NULL when none */
	const char *body_md;
	int form_seconds;       /* from the form being served to its post; -1 unknown */
};

/* Kinds of feature, which say how one reads in an explanation. */
enum spam_feature_kind {
	SPAM_FEATURE_WORD,      /* a word of the body, as spelt ("FREE" is not "free") */
	SPAM_FEATURE_NAME,      /* a word of the author's name */
	SPAM_FEATURE_HOST,      /* the host (or its domain) of a link in the body */
	SPAM_FEATURE_SITE,      /* the host of the website field */
	SPAM_FEATURE_EMAIL,     /* the email's domain, or "none" */
	SPAM_FEATURE_LINKS,     /* how many web links the body holds (a bucket) */
	SPAM_FEATURE_MARKDOWN,  /* Markdown links, images and raw HTML links (buckets) */
	SPAM_FEATURE_TIME,      /* time from form to post (a bucket) */
	SPAM_FEATURE_LENGTH,    /* length of the body (a bucket) */
	SPAM_FEATURE_STYLE,     /* capital letters, exclamation marks, currency signs, quoting */
	SPAM_FEATURE__MAX
};

/* Distinct features taken from one comment; the rest are ignored. */
#define SPAM_FEATURES_MAX 400
/* Longest word or host kept as a feature, in bytes; longer ones are cut. */
#define SPAM_WORD_MAX 40

struct spam_feature {
	uint64_t hash;
	const char *text;       /* the word, host or bucket phrase; not NUL-terminated */
	uint16_t len;
	uint8_t kind;           /* enum spam_feature_kind */
};

struct spam_features {
	struct spam_feature items[SPAM_FEATURES_MAX];
	size_t len;
};

/*
 * The distinct features of c into out.  Texts point into c's strings or
 * static phrases, so out is valid while c's strings are.
 */
void spam_features_of(const struct spam_comment *c, struct spam_features *out);
/* A feature as a moderator reads it ("word \"casino\"", "link to x.example"), in buf. */
void spam_feature_describe(const struct spam_feature *f, char *buf, size_t size);

/* Token counts in memory: what the database holds, or a model trained in memory. */
struct spam_model;

/* A new empty model; NULL when out of memory.  spam_model_free accepts NULL. */
struct spam_model *spam_model_new(void);
void spam_model_free(struct spam_model *m);
/* Forget every count. */
void spam_model_clear(struct spam_model *m);
/*
 * How many tokens m holds: those with a count (a token whose counts fall
 * to zero is dropped), so a copy costs what the learned comments' current
 * vocabulary does: 16 bytes a slot, two to eight slots a token (and never
 * fewer than 1024 slots).
 */
size_t spam_model_size(const struct spam_model *m);
/* Set one token's counts as stored.  0, or -1 when out of memory. */
int spam_model_set(struct spam_model *m, uint64_t token, uint32_t ham, uint32_t spam);
/* One token's counts (0 and 0 when unknown). */
void spam_model_lookup(const struct spam_model *m, uint64_t token, uint32_t *ham, uint32_t *spam);
/*
 * Call fn for every token with a count, in no particular order; stops at
 * the first non-zero return and returns it, else 0.
 */
int spam_model_each(const struct spam_model *m,
		    int (*fn)(void *ctx, uint64_t token, uint32_t ham, uint32_t spam), void *ctx);
/* The number of learned comments of each class. */
void spam_model_set_totals(struct spam_model *m, uint32_t ham, uint32_t spam);
void spam_model_totals(const struct spam_model *m, uint32_t *ham, uint32_t *spam);
/*
 * Learn (sign +1) or un-learn (sign -1) one comment's features as cls, in
 * memory (the benchmark and cross-validation train this way).  Counts never
 * go below zero.  0, or -1 when out of memory.
 */
int spam_model_learn(struct spam_model *m, const struct spam_features *f,
		     enum spam_class cls, int sign);

/* Features an explanation names at most. */
#define SPAM_EXPLAIN_MAX 4

/* One feature that weighed in a verdict, with what the model knew of it. */
struct spam_clue {
	struct spam_feature feature;
	double spamminess;      /* 0 (only in approved comments) .. 1 (only in spam) */
	uint32_t ham, spam;     /* learned comments of each class that held it */
};

struct spam_score {
	double probability;     /* 0 .. 1; 0.5 when nothing is known */
	size_t nclues;          /* features that counted */
	struct spam_clue top[SPAM_EXPLAIN_MAX];   /* those that pointed most to spam, strongest first */
	size_t ntop;
};

/* Score features f against m.  Never fails; an empty model gives 0.5. */
void spam_model_score(const struct spam_model *m, const struct spam_features *f,
		      struct spam_score *out);

/*
 * The reason stored with a comment filed as spam: "classifier: 97% spam;
 * link to x.example (12 spam, 0 approved), ...", in buf (cut to size).
 */
void spam_score_reason(const struct spam_score *s, char *buf, size_t size);

#endif

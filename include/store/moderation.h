/* moderation.h: moderation rules (settings 'rule.*'), address and email blocks, intake classification. */
#ifndef PARLEY_MODERATION_H
#define PARLEY_MODERATION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "comments.h"
#include "db.h"
#include "spam.h"

/* Longest blocked-words list kept, in bytes. */
#define MODERATION_WORDS_MAX 20000
/* Largest link limit an admin may set. */
#define MODERATION_LINKS_MAX 1000

/*
 * The rules an admin sets on the rules page (WordPress's discussion
 * settings).  Every comment is held for moderation unless a rule says
 * otherwise.
 */
struct moderation_rules {
	int auto_approve_known;     /* approve known commenters (moderation_input): 0 */
	const char *blocked_words;  /* one word or phrase a line, "" for none: spam */
	int max_links;              /* more links than this: spam; -1 for no limit */
};

/* The rules as stored, defaults for any not yet set; strings in a.  STORE_OK or STORE_ERR. */
int moderation_rules_get(struct db *db, struct arena *a, struct moderation_rules *out);
/* Store all three rules.  STORE_OK or STORE_ERR. */
int moderation_rules_set(struct db *db, const struct moderation_rules *rules);

/* A row of the blocks table. */
struct moderation_block {
	int64_t id;
	const char *kind;           /* "ip" (an address hash) or "email" */
	const char *value;
	time_t created_at;
};

struct moderation_block_list {
	struct moderation_block *items;
	size_t len;
};

/* Every block, newest first; strings in a.  STORE_OK or STORE_ERR. */
int moderation_blocks_list(struct db *db, struct arena *a, struct moderation_block_list *out);
/* One block by id, so the caller can say what it removes: STORE_OK, STORE_NOTFOUND, STORE_ERR. */
int moderation_block_get(struct db *db, struct arena *a, int64_t id, struct moderation_block *out);
/* Remove one block: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int moderation_block_remove(struct db *db, int64_t id);

/* What intake (or an edit) knows of a comment, for moderation_classify. */
struct moderation_input {
	const char *author;
	const char *email;          /* "" when none */
	const char *url;            /* "" when none */
	const char *ip_hash;        /* keyed address hash, "" when unknown */
	const char *body_md;
	int form_seconds;           /* from the form being served to its post; -1 unknown */
	double spam_threshold;      /* the configuration's spam_threshold */
	int spam_min_examples;      /* and spam_min_examples */
	int known_browser;          /* the browser's signed cookie names an approved comment */
};

/* What moderation_classify decided. */
struct moderation_verdict {
	enum comment_status status;
	const char *reason;         /* for spam_reason: "" unless status is COMMENT_SPAM */
	struct spam_verdict spam;   /* the classifier's score (spam.acting 0 while it holds back) */
};

/*
 * The status a comment is stored with, in this order: a blocked address or
 * email, a blocked word (in the author, email, url or body, ignoring ASCII
 * case) or more links than the limit: COMMENT_SPAM; the classifier's
 * probability above spam_threshold once it has learned spam_min_examples
 * of each class: COMMENT_SPAM, the reason naming the probability and the
 * features that weighed most; a known commenter (known_browser, or an
 * email its owner confirmed through a mailed link; never a typed email
 * alone) while auto-approval is on: COMMENT_APPROVED; otherwise
 * COMMENT_PENDING.  Strings in a.  A database error logs and holds the
 * comment (COMMENT_PENDING): a person decides.  Reads only.  Comment intake
 * (src/site/site-comment.c) calls this for every comment that passed its own
 * checks; an edit should call it too.
 */
void moderation_classify(struct db *db, struct arena *a, const struct moderation_input *in,
			 struct moderation_verdict *out);

/* What a moderation action does to one comment. */
enum moderation_act_kind {
	MODERATION_ACT_STATUS,      /* set the status to .status */
	MODERATION_ACT_TRASH,       /* move to trash */
	MODERATION_ACT_RESTORE,     /* back from trash to the status it had */
	MODERATION_ACT_BLOCK,       /* block the comment's address hash or email */
};

/* The moderation actions, in the order the admin pages show their buttons. */
enum moderation_action_id {
	MODERATION_APPROVE,
	MODERATION_REJECT,
	MODERATION_SPAM,
	MODERATION_PENDING,
	MODERATION_DELETE,
	MODERATION_RESTORE,
	MODERATION_BLOCK_ADDRESS,
	MODERATION_BLOCK_EMAIL,
	MODERATION_ACTION__MAX
};

struct moderation_action {
	const char *name;           /* in URLs, the bulk form, the audit log, `parley comments` */
	enum moderation_act_kind kind;
	int status;                 /* MODERATION_ACT_STATUS: where the comment goes; TRASH: trash */
	const char *block;          /* MODERATION_ACT_BLOCK: "ip" or "email" */
};

/*
 * The one table of moderation actions, which the web queue, moderator
 * mails and the command line share: "approve", "reject", "spam",
 * "pending", "delete" (to trash), "restore" (from trash to the status it
 * had), "block-address" (the comment's address hash) and "block-email".
 * moderation_action_find returns the action named name, or NULL.
 */
extern const struct moderation_action moderation_actions[MODERATION_ACTION__MAX];
const struct moderation_action *moderation_action_find(const char *name);

/*
 * moderation_act applies the action named action to comment id and records it in the
 * audit log under user (an admin's name, or "cli:USER"), with the status
 * before, inside the caller's transaction so the log and the data never
 * disagree; *entry (may be NULL) receives the audit entry's id, 0 when the
 * action changed nothing (a comment already where it was asked to go).
 * STORE_OK, STORE_NOTFOUND (no such comment or action, or a restore of a
 * comment not in trash: nothing logged) or STORE_ERR.
 */
int moderation_act(struct db *db, struct arena *a, int64_t id, const char *action,
		   const char *user, time_t now, int64_t *entry);

/* Number of http:// and https:// links in Markdown text (ASCII case ignored). */
int moderation_count_links(const char *text);
/*
 * Does text hold one of the lines of words (trimmed, empty lines skipped),
 * ignoring ASCII case?  1 or 0.
 */
int moderation_has_blocked_word(const char *words, const char *text);

#endif

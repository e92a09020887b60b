/* store-moderation.c: the moderation rules in settings, the blocks list, and intake classification. */
#include "moderation.h"

#include "comment_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "log.h"
#include "rows.h"
#include "subscriptions.h"

static const char sql_rule_get[] = "SELECT value FROM settings WHERE key = ?";
static const char sql_rule_set[] =
	"INSERT INTO settings (key, value) VALUES (?, ?)"
	" ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/* The value of setting key in a, or NULL when unset (*rc STORE_ERR on failure). */
static const char *
rule_get(struct db *db, struct arena *a, const char *key, int *rc)
{
	sqlite3_stmt *st = db_stmt(db, sql_rule_get);
	const char *value = NULL;
	int step;

	if (st == NULL) {
		*rc = STORE_ERR;
		return NULL;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		value = arena_strdup(a, db_col_text(st, 0));
	else if (step != SQLITE_DONE) {
		db_log_error(db, "rule lookup");
		*rc = STORE_ERR;
	}
	sqlite3_reset(st);
	return value;
}

static int
rule_set(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = db_stmt(db, sql_rule_set);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return db_exec_stmt(db, st);
}

int
moderation_rules_get(struct db *db, struct arena *a, struct moderation_rules *out)
{
	const char *v;
	int rc = STORE_OK;

	out->auto_approve_known = 0;
	out->blocked_words = "";
	out->max_links = -1;
	if ((v = rule_get(db, a, "rule.auto_approve_known", &rc)) != NULL)
		out->auto_approve_known = strcmp(v, "1") == 0;
	if ((v = rule_get(db, a, "rule.blocked_words", &rc)) != NULL)
		out->blocked_words = v;
	if ((v = rule_get(db, a, "rule.max_links", &rc)) != NULL && *v != '\0') {
		char *end;
		long n = strtol(v, &end, 10);
		if (*end == '\0' && n >= 0 && n <= MODERATION_LINKS_MAX)
			out->max_links = (int)n;
	}
	return rc;
}

int
moderation_rules_set(struct db *db, const struct moderation_rules *rules)
{
	char links[16] = "";

	if (rules->max_links >= 0)
		snprintf(links, sizeof(links), "%d", rules->max_links);
	if (rule_set(db, "rule.auto_approve_known", rules->auto_approve_known ? "1" : "0") != STORE_OK ||
	    rule_set(db, "rule.blocked_words", rules->blocked_words ? rules->blocked_words : "") != STORE_OK ||
	    rule_set(db, "rule.max_links", links) != STORE_OK)
		return STORE_ERR;
	return STORE_OK;
}

/* One row of the blocks table into item, a struct moderation_block (a db_fill_fn). */
static int
block_read(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct moderation_block *b = item;

	b->id = sqlite3_column_int64(st, 0);
	b->kind = arena_strdup(a, db_col_text(st, 1));
	b->value = arena_strdup(a, db_col_text(st, 2));
	b->created_at = (time_t)sqlite3_column_int64(st, 3);
	return DB_ROW_NEXT;
}

int
moderation_blocks_list(struct db *db, struct arena *a, struct moderation_block_list *out)
{
	static const char sql[] =
		"SELECT id, kind, value, created_at FROM blocks ORDER BY created_at DESC, id DESC";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	out->items = NULL;
	out->len = 0;
	if (st == NULL)
		return STORE_ERR;
	db_rows_init(&rows, a, sizeof(*out->items), 0);
	rc = db_rows(db, st, "blocks list", &rows, block_read, NULL);
	out->items = rows.items;
	out->len = rows.len;
	return rc;
}

int
moderation_block_get(struct db *db, struct arena *a, int64_t id, struct moderation_block *out)
{
	static const char sql[] = "SELECT id, kind, value, created_at FROM blocks WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return db_row(db, st, "block lookup", a, out, sizeof(*out), block_read, NULL);
}

int
moderation_block_remove(struct db *db, int64_t id)
{
	static const char sql[] = "DELETE FROM blocks WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st);
}

int
moderation_count_links(const char *text)
{
	const char *p;
	int n = 0;

	if (text == NULL)
		return 0;
	for (p = text; *p != '\0'; p++) {
		if ((*p == 'h' || *p == 'H') && (strncasecmp(p, "http://", 7) == 0 ||
		    strncasecmp(p, "https://", 8) == 0))
			n++;
	}
	return n;
}

/* Does hay hold needle[0..len), ignoring ASCII case? */
static int
contains_nocase(const char *hay, const char *needle, size_t len)
{
	size_t hlen = strlen(hay), i;

	if (len == 0 || len > hlen)
		return 0;
	for (i = 0; i + len <= hlen; i++)
		if (strncasecmp(hay + i, needle, len) == 0)
			return 1;
	return 0;
}

int
moderation_has_blocked_word(const char *words, const char *text)
{
	const char *line = words, *end, *s, *e;

	if (words == NULL || text == NULL)
		return 0;
	while (*line != '\0') {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		for (s = line; s < end && (*s == ' ' || *s == '\t' || *s == '\r'); s++)
			;
		for (e = end; e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
			;
		if (e > s && contains_nocase(text, s, (size_t)(e - s)))
			return 1;
		line = *end ? end + 1 : end;
	}
	return 0;
}

/*
 * Is this commenter known to the "auto-approve known commenters" rule?
 * Only when their browser's signed cookie names a comment a moderator
 * approved (in->known_browser): an email merely typed into the form never
 * is, since anyone can type a regular's address.  Or when the email is
 * one its owner confirmed through a mailed link (SPEC "Mail").  1, 0 or
 * STORE_ERR.
 */
static int
commenter_known(struct db *db, const struct moderation_input *in)
{
	if (in->known_browser)
		return 1;
	/* An address its owner confirmed by a mailed link is known too. */
	return subscribers_confirmed(db, in->email);
}

void
moderation_classify(struct db *db, struct arena *a, const struct moderation_input *in,
		    struct moderation_verdict *out)
{
	struct moderation_rules rules;
	struct spam_comment sc = { in->author, in->email, in->url, in->body_md, in->form_seconds };
	struct spam_settings ss = { in->spam_threshold, in->spam_min_examples };
	int blocked;

	memset(out, 0, sizeof(*out));
	out->status = COMMENT_PENDING;
	out->reason = "";
	blocked = comments_blocked(db, in->ip_hash ? in->ip_hash : "", in->email ? in->email : "");
	if (blocked == STORE_ERR || moderation_rules_get(db, a, &rules) != STORE_OK)
		return;
	/* Every comment is scored, so the queue can show it, whatever the rules say. */
	if (spam_classify(db, a, &sc, &ss, &out->spam) != STORE_OK)
		memset(&out->spam, 0, sizeof(out->spam));
	if (blocked == 1) {
		out->status = COMMENT_SPAM;
		out->reason = "blocked address or email";
	} else if (*rules.blocked_words != '\0' &&
	    (moderation_has_blocked_word(rules.blocked_words, in->body_md) ||
	    moderation_has_blocked_word(rules.blocked_words, in->author) ||
	    moderation_has_blocked_word(rules.blocked_words, in->email) ||
	    moderation_has_blocked_word(rules.blocked_words, in->url))) {
		out->status = COMMENT_SPAM;
		out->reason = "blocked word";
	} else if (rules.max_links >= 0 && moderation_count_links(in->body_md) > rules.max_links) {
		out->status = COMMENT_SPAM;
		out->reason = "too many links";
	} else if (out->spam.is_spam) {
		out->status = COMMENT_SPAM;
		out->reason = out->spam.reason;
	} else if (rules.auto_approve_known && commenter_known(db, in) == 1)
		out->status = COMMENT_APPROVED;
}

const struct moderation_action moderation_actions[MODERATION_ACTION__MAX] = {
	[MODERATION_APPROVE] = { "approve", MODERATION_ACT_STATUS, COMMENT_APPROVED, NULL },
	[MODERATION_REJECT] = { "reject", MODERATION_ACT_STATUS, COMMENT_REJECTED, NULL },
	[MODERATION_SPAM] = { "spam", MODERATION_ACT_STATUS, COMMENT_SPAM, NULL },
	[MODERATION_PENDING] = { "pending", MODERATION_ACT_STATUS, COMMENT_PENDING, NULL },
	[MODERATION_DELETE] = { "delete", MODERATION_ACT_TRASH, COMMENT_TRASH, NULL },
	[MODERATION_RESTORE] = { "restore", MODERATION_ACT_RESTORE, -1, NULL },
	[MODERATION_BLOCK_ADDRESS] = { "block-address", MODERATION_ACT_BLOCK, -1, "ip" },
	[MODERATION_BLOCK_EMAIL] = { "block-email", MODERATION_ACT_BLOCK, -1, "email" },
};

const struct moderation_action *
moderation_action_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < MODERATION_ACTION__MAX; i++)
		if (strcmp(moderation_actions[i].name, name) == 0)
			return &moderation_actions[i];
	return NULL;
}

int
moderation_act(struct db *db, struct arena *a, int64_t id, const char *action,
	       const char *user, time_t now, int64_t *entry)
{
	struct comment c;
	enum comment_status before;
	const char *detail;
	const struct moderation_action *act = moderation_action_find(action);
	int64_t unused;
	int rc;

	if (entry == NULL)
		entry = &unused;
	*entry = 0;
	if (act == NULL)
		return STORE_NOTFOUND;
	if ((rc = comments_get(db, a, id, &c)) != STORE_OK)
		return rc;
	before = c.status;
	switch (act->kind) {
	case MODERATION_ACT_BLOCK: {
		const char *kind = act->block;
		const char *value = strcmp(kind, "ip") == 0 ? c.ip_hash : c.email;

		if (value == NULL || *value == '\0')
			return STORE_OK;
		if (comments_block_add(db, kind, value, now) != STORE_OK)
			return STORE_ERR;
		detail = arena_printf(a, "%s %s (from comment by %s)", kind, value, c.author);
		break;
	}
	case MODERATION_ACT_TRASH:
		if (c.status == COMMENT_TRASH)
			return STORE_OK;
		if ((rc = comments_trash(db, id, now, &before)) != STORE_OK)
			return rc;
		detail = arena_printf(a, "was %s, by %s on %s", comment_status_name(before),
				      c.author, c.post_slug);
		break;
	case MODERATION_ACT_RESTORE: {
		enum comment_status restored;

		if ((rc = comments_restore(db, id, &restored)) != STORE_OK)
			return rc;
		detail = arena_printf(a, "back to %s", comment_status_name(restored));
		break;
	}
	default:
		/*
		 * Nothing to change, nothing to log; but confirming the engine's
		 * own verdict (spam it filed, a comment it approved) is a
		 * decision the spam classifier learns.
		 */
		if ((int)c.status == act->status) {
			int cls = spam_class_for_status(act->status);
			return cls > 0 ? spam_learn(db, id, (enum spam_class)cls) : STORE_OK;
		}
		if ((rc = comments_set_status(db, id, (enum comment_status)act->status)) !=
		    STORE_OK)
			return rc;
		detail = arena_printf(a, "was %s", comment_status_name(before));
		break;
	}
	return audit_add_change(db, now, user, action, id, comment_status_name(before), detail,
				entry);
}

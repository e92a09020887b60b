/* admin-rules.c: the rules page: auto-approval, blocked words, link limit, and the blocks list. */
#include "admin.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "moderation.h"
#include "sessions.h"
#include "utf8.h"

#define EMAIL_MAX 254

/* The rules page for rules, with field errors (NULL when none) and status. */
static int
rules_page(struct admin_req *admin, const struct moderation_rules *rules, const char *max_links_text,
	   const char *words_error, const char *links_error, int status)
{
	struct req *r = admin->r;
	struct moderation_block_list blocks;
	struct mu_map *ctx;
	struct mu_list *rows;
	size_t i;

	if (moderation_blocks_list(r->db, r->arena, &blocks) != STORE_OK)
		return 500;
	ctx = admin_context(admin, "Rules", "rules");
	mu_set_str(ctx, "return", "/admin/rules");
	mu_set_bool(ctx, "auto_approve_known", rules->auto_approve_known);
	mu_set_str(ctx, "blocked_words", rules->blocked_words);
	mu_set_str(ctx, "max_links", max_links_text);
	if (words_error != NULL)
		mu_set_str(ctx, "words_error", words_error);
	if (links_error != NULL)
		mu_set_str(ctx, "links_error", links_error);
	if (status == 200 && req_query(r, "saved") != NULL)
		mu_set_bool(ctx, "saved", 1);
	rows = mu_list_new(r->arena);
	for (i = 0; i < blocks.len; i++) {
		const struct moderation_block *b = &blocks.items[i];
		struct mu_map *m = mu_list_push_map(rows);

		mu_set_int(m, "id", b->id);
		mu_set_str(m, "kind", strcmp(b->kind, "ip") == 0 ? "Address" : "Email");
		mu_set_str(m, "value", b->value);
		mu_set_str(m, "age", admin_age(r->arena, r->now, b->created_at));
	}
	mu_set_list(ctx, "blocks", rows);
	return admin_render(r, "admin_rules", ctx, status);
}

/* GET /admin/rules */
int
admin_rules(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct moderation_rules rules;
	const char *links = "";

	if (moderation_rules_get(r->db, r->arena, &rules) != STORE_OK)
		return 500;
	if (rules.max_links >= 0)
		links = arena_printf(r->arena, "%d", rules.max_links);
	return rules_page(admin, &rules, links, NULL, NULL, 200);
}

/* The word list with CR removed, in the arena. */
static char *
words_normalise(struct req *r, const char *s)
{
	char *out = arena_strdup(r->arena, s), *o = out;

	for (; *s != '\0'; s++)
		if (*s != '\r')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* POST /admin/rules: check and store the three rules; 422 with the form refilled when bad. */
int
admin_rules_save(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct moderation_rules rules;
	const char *words = req_form(r, "blocked_words"), *links = req_form(r, "max_links");
	const char *words_error = NULL, *links_error = NULL;
	char *end;
	long n;

	rules.auto_approve_known = req_form(r, "auto_approve_known") != NULL;
	rules.blocked_words = words_normalise(r, words ? words : "");
	rules.max_links = -1;
	if (strlen(rules.blocked_words) > MODERATION_WORDS_MAX)
		words_error = "The list is too long: keep it under 20,000 characters.";
	else if (!utf8_valid_text(rules.blocked_words, strlen(rules.blocked_words)))
		words_error = "The list holds characters that are not text.";
	if (links == NULL)
		links = "";
	while (*links == ' ')
		links++;
	if (*links != '\0') {
		n = strtol(links, &end, 10);
		while (*end == ' ')
			end++;
		if (*end != '\0' || *links == '-' || *links == '+' || n < 0 || n > MODERATION_LINKS_MAX)
			links_error = "Give a whole number from 0 to 1000, or leave it empty for no limit.";
		else
			rules.max_links = (int)n;
	}
	if (words_error != NULL || links_error != NULL)
		return rules_page(admin, &rules, links, words_error, links_error, 422);
	if (db_begin(r->db) != STORE_OK)
		return 500;
	if (moderation_rules_set(r->db, &rules) != STORE_OK ||
	    audit_add(r->db, r->now, admin->session->user_name, "rules", 0,
		      arena_printf(r->arena, "auto-approve %s, %s, link limit %s",
				   rules.auto_approve_known ? "on" : "off",
				   *rules.blocked_words ? "blocked words set" : "no blocked words",
				   rules.max_links >= 0 ? links : "none")) != STORE_OK ||
	    db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return resp_redirect(r, 303, "/admin/rules?saved=1");
}

/* POST /admin/blocks: block an email address typed by the admin. */
int
admin_block_add(struct admin_req *admin)
{
	struct req *r = admin->r;
	const char *email = req_form(r, "email");
	size_t len;

	if (email == NULL)
		return 400;
	while (*email == ' ')
		email++;
	len = strlen(email);
	while (len > 0 && email[len - 1] == ' ')
		len--;
	email = arena_strndup(r->arena, email, len);
	if (len == 0 || len > EMAIL_MAX || strchr(email, '@') == NULL ||
	    !utf8_valid_text(email, len) || strpbrk(email, " \t\r\n") != NULL)
		return resp_redirect(r, 303, "/admin/rules");
	if (db_begin(r->db) != STORE_OK)
		return 500;
	if (comments_block_add(r->db, "email", email, r->now) != STORE_OK ||
	    audit_add(r->db, r->now, admin->session->user_name, "block-email", 0,
		      arena_printf(r->arena, "email %s", email)) != STORE_OK ||
	    db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return resp_redirect(r, 303, "/admin/rules");
}

/* POST /admin/blocks/ID/delete */
int
admin_block_delete(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct moderation_block b;
	int64_t id = admin_parse_id(r->params[0]);
	int rc;

	if (id == 0)
		return 404;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = moderation_block_get(r->db, r->arena, id, &b);
	if (rc == STORE_OK)
		rc = moderation_block_remove(r->db, id);
	if (rc == STORE_OK)
		rc = audit_add(r->db, r->now, admin->session->user_name, "unblock", 0,
			       arena_printf(r->arena, "%s %s", b.kind, b.value));
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return rc == STORE_NOTFOUND ? 404 : 500;
	}
	return resp_redirect(r, 303, "/admin/rules");
}

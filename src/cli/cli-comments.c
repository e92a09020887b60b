/* cli-comments.c: `parley comments`: list, moderate, delete and erase readers' comments. */
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commenter.h"
#include "comments.h"
#include "log.h"
#include "moderation.h"
#include "render.h"
#include "text.h"

#define USAGE "usage: parley comments list [--status pending|approved|rejected|spam]" \
	" | approve|reject|spam|delete ID... | erase --email ADDRESS | export --email ADDRESS"
/* Characters of the body's first line that `list` shows. */
#define LIST_EXCERPT 60

/* Print s on one line: tabs and line breaks become spaces, at most max bytes (0: all). */
static void
print_field(const char *s, size_t max)
{
	size_t i, len = strlen(s);

	if (max > 0 && len > max) {
		/* Cut on a character boundary. */
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < len; i++) {
		char ch = s[i];
		putchar(ch == '\t' || ch == '\r' || ch == '\n' ? ' ' : ch);
	}
	if (len < strlen(s))
		fputs("…", stdout);
}

/* The first non-blank line of s, in the arena. */
static const char *
first_line(struct arena *a, const char *s)
{
	const char *end;

	while (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
		s++;
	end = s + strcspn(s, "\r\n");
	return arena_strndup(a, s, (size_t)(end - s));
}

static int
comments_list_cmd(struct cli *c, int argc, char **argv)
{
	struct comment_list list;
	int status = -1, i;
	size_t k;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--status=", 9) == 0)
			v = argv[i] + 9;
		else {
			log_error("%s", USAGE);
			return CLI_USAGE;
		}
		if ((status = comment_status_parse(v)) < 0) {
			log_error("unknown status '%s' (pending, approved, rejected or spam)", v);
			return CLI_USAGE;
		}
	}
	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (comments_by_status(c->db, &c->arena, status, 0, 1, 0, &list) != STORE_OK) {
		log_error("could not list comments");
		return CLI_FAILED;
	}
	for (k = 0; k < list.len; k++) {
		const struct comment *cm = &list.items[k];
		printf("%" PRId64 "\t%s\t%s\t%s\t", cm->id, comment_status_name(cm->status),
		       cm->post_slug, date_rfc3339(&c->arena, cm->created_at));
		print_field(cm->author, 0);
		putchar('\t');
		print_field(first_line(&c->arena, cm->body_md), LIST_EXCERPT);
		putchar('\n');
	}
	return CLI_OK;
}

/* Parse a comment id: a positive decimal.  0 or -1. */
static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* The audit log's name for whoever runs this command: "cli:" and the Unix user. */
static const char *
cli_actor(struct arena *a)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return arena_printf(a, "cli:%s", pw->pw_name);
	return arena_printf(a, "cli:%ld", (long)getuid());
}

/* The store's moderation actions `parley comments` offers, and what it prints after each. */
static const struct {
	enum moderation_action_id id;
	const char *done;
} comment_changes[] = {
	{ MODERATION_APPROVE, "approved" },
	{ MODERATION_REJECT, "rejected" },
	{ MODERATION_SPAM, "marked as spam" },
	{ MODERATION_DELETE, "deleted" },
};

/*
 * approve|reject|spam|delete ID...: every id is tried, each change in its
 * own transaction with its audit row; done is printed before each id
 * changed; exit 1 if any is missing.
 */
static int
comments_change_cmd(struct cli *c, int argc, char **argv, const char *done)
{
	const char *action = argv[0], *actor;
	int64_t *ids, id;
	int i, rc, status = CLI_OK;

	if (argc < 2) {
		log_error("usage: parley comments %s ID...", action);
		return CLI_USAGE;
	}
	ids = arena_alloc(&c->arena, (size_t)argc * sizeof(*ids));
	for (i = 1; i < argc; i++)
		if (parse_id(argv[i], &ids[i]) != 0) {
			log_error("'%s' is not a comment id", argv[i]);
			return CLI_USAGE;
		}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	actor = cli_actor(&c->arena);
	c->mail_kick = 1;
	for (i = 1; i < argc; i++) {
		id = ids[i];
		rc = db_begin(c->db);
		if (rc == STORE_OK)
			rc = moderation_act(c->db, &c->arena, id, action, actor, time(NULL), NULL);
		if (rc == STORE_OK)
			rc = db_commit(c->db);
		if (rc == STORE_OK)
			printf("%s %" PRId64 "\n", done, id);
		else {
			db_rollback(c->db);
			if (rc == STORE_NOTFOUND)
				log_error("no comment %" PRId64, id);
			else
				log_error("could not change comment %" PRId64, id);
			status = CLI_FAILED;
		}
	}
	return status;
}

/* The ADDRESS of "--email ADDRESS" or "--email=ADDRESS" as the only argument; NULL when absent. */
static const char *
email_argument(int argc, char **argv)
{
	const char *email = NULL;

	if (argc == 3 && strcmp(argv[1], "--email") == 0)
		email = argv[2];
	else if (argc == 2 && strncmp(argv[1], "--email=", 8) == 0)
		email = argv[1] + 8;
	return email != NULL && *email != '\0' ? email : NULL;
}

/* Everything held about one address (commenter_erase), in one transaction. */
static int
comments_erase_cmd(struct cli *c, int argc, char **argv)
{
	const char *email = email_argument(argc, argv);
	struct commenter_erased n;

	if (email == NULL) {
		log_error("usage: parley comments erase --email ADDRESS");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	if (commenter_erase(c->db, email, &n) != STORE_OK) {
		log_error("could not erase the data of %s", email);
		return CLI_FAILED;
	}
	printf("erased %d comment%s\n", n.comments, n.comments == 1 ? "" : "s");
	if (n.subscriptions > 0 || n.mails > 0)
		printf("erased %d subscription%s and %d mail%s\n", n.subscriptions,
		       n.subscriptions == 1 ? "" : "s", n.mails, n.mails == 1 ? "" : "s");
	if (n.likes > 0)
		printf("unlinked %d like%s\n", n.likes, n.likes == 1 ? "" : "s");
	return CLI_OK;
}

/* Everything held about that commenter as JSON on stdout (commenter_export). */
static int
comments_export_cmd(struct cli *c, int argc, char **argv)
{
	const char *email = email_argument(argc, argv), *json;

	if (email == NULL) {
		log_error("usage: parley comments export --email ADDRESS");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (commenter_export(c->db, &c->arena, email, &json) != STORE_OK) {
		log_error("could not export the data of %s", email);
		return CLI_FAILED;
	}
	printf("%s\n", json);
	return CLI_OK;
}

int
cli_comments(struct cli *c, int argc, char **argv)
{
	size_t i;

	/* argv[0] is "comments"; the action follows. */
	if (argc < 2) {
		log_error("%s", USAGE);
		return CLI_USAGE;
	}
	argc--;
	argv++;
	if (strcmp(argv[0], "list") == 0)
		return comments_list_cmd(c, argc, argv);
	if (strcmp(argv[0], "erase") == 0)
		return comments_erase_cmd(c, argc, argv);
	if (strcmp(argv[0], "export") == 0)
		return comments_export_cmd(c, argc, argv);
	for (i = 0; i < sizeof(comment_changes) / sizeof(comment_changes[0]); i++)
		if (strcmp(argv[0], moderation_actions[comment_changes[i].id].name) == 0)
			return comments_change_cmd(c, argc, argv, comment_changes[i].done);
	log_error("%s", USAGE);
	return CLI_USAGE;
}

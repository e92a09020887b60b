/* cli-mail.c: `parley mail`: the outgoing mail queue for the sysadmin: list it, retry it now. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "mailer.h"
#include "mailqueue.h"
#include "render.h"

#define USAGE "usage: parley mail queue | retry"
/* Rows `mail queue` shows: everything waiting, then the latest others. */
#define QUEUE_SHOWN 200

/* Print s on one line (tabs and line breaks as spaces). */
static void
print_flat(const char *s)
{
	for (; *s != '\0'; s++)
		putchar(*s == '\t' || *s == '\r' || *s == '\n' ? ' ' : *s);
}

/* id, state, tries, when (next try or end), kind, recipient, subject, last error: tab-separated. */
static int
mail_queue_cmd(struct cli *c)
{
	struct mail_item *items;
	size_t n, i;

	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (mailqueue_list(c->db, &c->arena, QUEUE_SHOWN, &items, &n) != STORE_OK) {
		log_error("could not read the mail queue");
		return CLI_FAILED;
	}
	for (i = 0; i < n; i++) {
		const struct mail_item *m = &items[i];
		printf("%" PRId64 "\t%s\t%d\t%s\t%s\t%s\t", m->id, m->state, m->tries,
		       date_rfc3339(&c->arena, m->next_at), m->kind, m->rcpt);
		print_flat(m->subject);
		putchar('\t');
		print_flat(m->last_error);
		putchar('\n');
	}
	return CLI_OK;
}

/* Make every waiting and failed message due now, then send them in the foreground. */
static int
mail_retry_cmd(struct cli *c)
{
	struct mail_item *items;
	size_t n, i, left = 0;
	int count;

	if (!mailer_enabled(&c->cfg)) {
		log_error("mail is off: set mail_from (and mail_command) in the configuration");
		return CLI_FAILED;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	if (mailqueue_retry_all(c->db, time(NULL), &count) != STORE_OK) {
		log_error("could not reschedule the mail queue");
		return CLI_FAILED;
	}
	mailer_pass(c->db, &c->cfg);
	if (mailqueue_list(c->db, &c->arena, QUEUE_SHOWN, &items, &n) != STORE_OK) {
		log_error("could not read the mail queue");
		return CLI_FAILED;
	}
	for (i = 0; i < n; i++)
		if (strcmp(items[i].state, "queued") == 0)
			left++;
	printf("retried %d message%s; %zu still queued\n", count, count == 1 ? "" : "s", left);
	return left == 0 ? CLI_OK : CLI_FAILED;
}

int
cli_mail(struct cli *c, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "queue") == 0)
		return mail_queue_cmd(c);
	if (argc == 2 && strcmp(argv[1], "retry") == 0)
		return mail_retry_cmd(c);
	log_error("%s", USAGE);
	return CLI_USAGE;
}

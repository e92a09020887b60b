/* cli-importer.c: what the WordPress and Disqus imports share: commenter fields made safe, each stored comment, the tally. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "ratelimit.h"
#include "render.h"
#include "spam.h"

/* At most max characters of valid UTF-8 s, in the arena. */
static const char *
first_chars(struct arena *a, const char *s, size_t max)
{
	size_t i = 0, n = 0;

	while (s[i] != '\0' && n < max) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	return arena_strndup(a, s, i);
}

void
import_comment_person(struct cli *c, struct comment *cm, const char *author, const char *email,
		      const char *url, const char *address)
{
	char *hash;

	if (!utf8_valid_text(author, strlen(author)) || strpbrk(author, "\r\n\t") != NULL)
		author = "";
	cm->author = *author ? first_chars(&c->arena, author, 100) : "Anonymous";
	cm->email = utf8_valid_text(email, strlen(email)) && strlen(email) <= 254 &&
	    strchr(email, '@') != NULL && strpbrk(email, " \t\r\n<>\"") == NULL ? email : "";
	/* Only http(s) addresses: anything else is dropped, never linked. */
	cm->url = url_web_scheme(url) > 0 && strlen(url) <= 2000 &&
	    strpbrk(url, " \"<>\\`\t\r\n") == NULL ? url : "";
	/* The address itself is never stored: only its keyed hash, as intake does. */
	hash = arena_alloc(&c->arena, RATELIMIT_HASH_HEX);
	ratelimit_address_hash(c->db, address ? address : "", hash);
	cm->ip_hash = hash;
}

/*
 * Every comment an import stores passes here once, after it is written
 * (inside the import's transaction), with its final status: the place for
 * per-comment work.  The spam classifier learns approved as not spam and
 * spam as spam (a re-import that changed the status re-teaches it).
 * CLI_OK, or CLI_FAILED to abandon the import.
 */
int
import_comment_stored(struct cli *c, struct import_tally *t, const struct comment *cm,
		      int created)
{
	/* The source's approvals and spam are decisions: the classifier learns them. */
	int cls = spam_class_for_status(cm->status);

	if ((cls > 0 || (!created && cls == 0)) &&
	    spam_learn(c->db, cm->id, (enum spam_class)cls) == STORE_ERR) {
		log_error("could not teach the spam classifier (nothing imported)");
		return CLI_FAILED;
	}
	if (created)
		t->comments_new++;
	else
		t->comments_updated++;
	if ((unsigned)cm->status < COMMENT_STATUS__MAX)
		t->by_status[cm->status]++;
	return CLI_OK;
}

int
import_finish(struct cli *c, const char *path, int read_rc, const char *err)
{
	if (read_rc != 0) {
		/* A failing callback has said why in its own line. */
		if (read_rc < 0)
			log_error("%s: %s (nothing imported)", path, err);
		db_rollback(c->db);
		return CLI_FAILED;
	}
	if (db_commit(c->db) != STORE_OK) {
		db_rollback(c->db);
		log_error("%s: nothing imported (the database refused the commit)", path);
		return CLI_FAILED;
	}
	return CLI_OK;
}

void
import_tally_print(const struct import_tally *t)
{
	static const enum comment_status order[] = {
		COMMENT_APPROVED, COMMENT_PENDING, COMMENT_REJECTED, COMMENT_SPAM, COMMENT_TRASH
	};
	size_t i;
	int any = 0;

	printf("comments: %d new, %d updated", t->comments_new, t->comments_updated);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (t->by_status[order[i]] > 0) {
			printf("%s%d %s", any ? ", " : " (", t->by_status[order[i]],
			       comment_status_name(order[i]));
			any = 1;
		}
	printf("%s\n", any ? ")" : "");
}

/* cli-post.c: `parley post`: publish or update Markdown files, list and remove posts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "frontmatter.h"
#include "log.h"
#include "mailer.h"
#include "posts.h"
#include "render.h"
#include "text.h"

#define POST_FILE_MAX (16 * 1024 * 1024)

void
cli_post_render(struct cli *c, struct post_input *in)
{
	const char *md = in->body_md ? in->body_md : "";

	in->body_html = markdown_html(&c->arena, md, strlen(md),
	    c->cfg.allow_raw_html ? MARKDOWN_POST_RAW : MARKDOWN_POST);
	in->body_text = markdown_text(&c->arena, md, strlen(md));
}

int
cli_post_add_file(struct cli *c, const char *path)
{
	struct frontmatter fm;
	struct post_input in;
	char err[512], *text;
	size_t len = 0;
	struct post old;
	int64_t id;
	int created, before;

	if ((text = cli_read_file(&c->arena, path, POST_FILE_MAX, &len)) == NULL)
		return CLI_FAILED;
	if (frontmatter_parse(&c->arena, path, text, len, &fm, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return CLI_FAILED;
	}
	memset(&in, 0, sizeof(in));
	in.slug = fm.slug;
	in.title = fm.title;
	in.author = fm.author;
	in.published_at = fm.date;     /* 0: now when new, kept on update */
	in.draft = fm.draft;
	in.comments_open = fm.comments_open;
	in.body_md = fm.body;
	in.tags = fm.tags;
	in.ntags = fm.ntags;
	cli_post_render(c, &in);
	/* Published for the first time (new, or a draft no longer): subscribers hear of it, once. */
	before = posts_get(c->db, &c->arena, fm.slug, 1, &old);
	if (before == STORE_ERR || db_begin(c->db) != STORE_OK ||
	    posts_save(c->db, &in, &id, &created) != STORE_OK ||
	    (!in.draft && (before == STORE_NOTFOUND || old.draft) &&
	    mailer_post_published(c->db, &c->cfg, id, time(NULL)) != STORE_OK) ||
	    db_commit(c->db) != STORE_OK) {
		db_rollback(c->db);
		log_error("%s: could not save post %s", path, fm.slug);
		return CLI_FAILED;
	}
	c->mail_kick = 1;
	printf("%s %s\n", created ? "added" : "updated", fm.slug);
	return CLI_OK;
}

/* Each file on its own: a bad one is reported and the rest still go in. */
static int
post_add(struct cli *c, int argc, char **argv)
{
	int i, rc = CLI_OK;

	if (argc < 3) {
		log_error("usage: parley post add FILE.md ...");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	for (i = 2; i < argc; i++)
		if (cli_post_add_file(c, argv[i]) != CLI_OK)
			rc = CLI_FAILED;
	return rc;
}

/* slug, date, draft/published, title, approved comments: tab-separated, newest first. */
static int
post_list(struct cli *c)
{
	struct post_list l;
	size_t i;

	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (posts_all(c->db, &c->arena, &l) != STORE_OK) {
		log_error("could not list posts");
		return CLI_FAILED;
	}
	for (i = 0; i < l.len; i++) {
		const struct post *p = &l.items[i];
		printf("%s\t%s\t%s\t%s\t%d\n", p->slug, date_rfc3339(&c->arena, p->published_at),
		       p->draft ? "draft" : "published", p->title, p->comment_count);
	}
	return CLI_OK;
}

static int
post_rm(struct cli *c, const char *slug)
{
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	switch (posts_delete(c->db, slug)) {
	case STORE_OK:
		printf("removed %s\n", slug);
		return CLI_OK;
	case STORE_NOTFOUND:
		log_error("no post %s", slug);
		return CLI_FAILED;
	default:
		log_error("could not remove post %s", slug);
		return CLI_FAILED;
	}
}

int
cli_post(struct cli *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return post_add(c, argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return post_list(c);
	if (argc == 3 && strcmp(argv[1], "rm") == 0)
		return post_rm(c, argv[2]);
	log_error("usage: parley post add FILE.md ... | list | rm SLUG");
	return CLI_USAGE;
}

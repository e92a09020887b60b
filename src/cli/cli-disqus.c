/* cli-disqus.c: `parley import-disqus FILE.xml`: comments from a Disqus export, threads matched to posts by address, in one transaction. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "comments.h"
#include "imports.h"
#include "log.h"
#include "posts.h"
#include "render.h"
#include "wxr.h"

/* A Disqus thread matched to a post. */
struct dsq_match {
	char *thread;           /* dsq:id */
	int64_t post_id;
};

/* A reply whose parent came later in the file: linked once everything is in. */
struct dsq_orphan {
	int64_t comment_id;
	char *parent;           /* the parent's dsq:id */
};

struct dsq_run {
	struct cli *c;
	struct arena keep;      /* the whole run */
	struct dsq_match *threads;
	size_t nthreads, cap_threads;
	struct dsq_orphan *orphans;
	size_t norphans, cap_orphans;
	int threads_matched, threads_unmatched, unmatched_comments;
	struct import_tally tally;
};

/* The path of an address below its host, query and fragment removed, in the arena. */
static const char *
link_path(struct arena *a, const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : url;
	if (p == NULL)
		return "/";
	return arena_strndup(a, p, strcspn(p, "?#"));
}

/*
 * The post a thread's page became: its old permalink (also below a
 * folder the old site lived in), /posts/SLUG, the WordPress id of its
 * identifier, or the last part of its path as a slug.  0 when none.
 */
static int64_t
match_thread(struct dsq_run *run, const struct dsq_thread *t)
{
	struct cli *c = run->c;
	const char *path = link_path(&c->arena, t->link), *p, *slug = NULL;
	int64_t id = 0, old;
	struct post post;
	size_t n;

	for (p = path; p != NULL && slug == NULL; p = strchr(p + 1, '/'))
		if (imports_find_by_path(c->db, &c->arena, p, &slug) != STORE_OK)
			slug = NULL;
	if (slug == NULL && isdigit((unsigned char)*t->ident)) {
		old = strtoll(t->ident, NULL, 10);
		if (imports_find_by_id(c->db, &c->arena, old, &slug) != STORE_OK)
			slug = NULL;
	}
	if (slug == NULL) {
		/* /posts/SLUG, or the last segment of the path. */
		n = strlen(path);
		while (n > 0 && path[n - 1] == '/')
			n--;
		p = path + n;
		while (p > path && p[-1] != '/')
			p--;
		slug = arena_strndup(&c->arena, p, (size_t)(path + n - p));
	}
	if (slug_valid(slug) && posts_get(c->db, &c->arena, slug, 1, &post) == STORE_OK)
		id = post.id;
	return id;
}

static int
on_thread(void *ctx, const struct dsq_thread *t)
{
	struct dsq_run *run = ctx;
	struct dsq_match *m;
	int64_t post_id = match_thread(run, t);

	arena_reset(&run->c->arena);
	if (post_id == 0) {
		run->threads_unmatched++;
		return 0;
	}
	run->threads_matched++;
	if (run->nthreads == run->cap_threads)
		run->threads = arena_grow(&run->keep, run->threads, run->nthreads,
					  &run->cap_threads, sizeof(*run->threads));
	m = &run->threads[run->nthreads++];
	m->thread = arena_strdup(&run->keep, t->id);
	m->post_id = post_id;
	return 0;
}

static int64_t
thread_post(const struct dsq_run *run, const char *thread)
{
	size_t i;

	/* Threads are few next to comments; most exports hold a few thousand. */
	for (i = run->nthreads; i > 0; i--)
		if (strcmp(run->threads[i - 1].thread, thread) == 0)
			return run->threads[i - 1].post_id;
	return 0;
}

static int
on_post(void *ctx, const struct dsq_post *p)
{
	struct dsq_run *run = ctx;
	struct cli *c = run->c;
	struct comment cm;
	int64_t parent = 0;
	time_t t;
	int created, rc;

	memset(&cm, 0, sizeof(cm));
	if (*p->id == '\0' || (cm.post_id = thread_post(run, p->thread)) == 0) {
		run->unmatched_comments++;
		return 0;
	}
	cm.status = p->spam ? COMMENT_SPAM : p->deleted ? COMMENT_TRASH :
	    p->approved ? COMMENT_APPROVED : COMMENT_PENDING;
	import_comment_person(c, &cm, *p->name ? p->name : p->username, p->email, "", p->ip);
	cm.body_md = wxr_html_to_markdown(&c->arena, p->message, strlen(p->message), NULL);
	cm.body_html = markdown_html(&c->arena, cm.body_md, strlen(cm.body_md), MARKDOWN_COMMENT);
	cm.created_at = date_parse(p->created, &t) == 0 && t > 0 ? t : time(NULL);
	cm.spam_reason = cm.status == COMMENT_SPAM ? "marked as spam in Disqus" : "";
	if (*p->parent != '\0') {
		rc = imports_comment_lookup(c->db, IMPORT_DISQUS, p->parent, &parent);
		if (rc == STORE_ERR)
			return CLI_FAILED;
	}
	cm.parent_id = parent;
	if (imports_comment_save(c->db, IMPORT_DISQUS, p->id, 0, &cm, &created) != STORE_OK) {
		log_error("Disqus post %s: could not store it (nothing imported)", p->id);
		return CLI_FAILED;
	}
	if (*p->parent != '\0' && parent == 0) {
		struct dsq_orphan *o;
		if (run->norphans == run->cap_orphans)
			run->orphans = arena_grow(&run->keep, run->orphans, run->norphans,
						  &run->cap_orphans, sizeof(*run->orphans));
		o = &run->orphans[run->norphans++];
		o->comment_id = cm.id;
		o->parent = arena_strdup(&run->keep, p->parent);
	}
	rc = import_comment_stored(c, &run->tally, &cm, created);
	arena_reset(&c->arena);
	return rc == CLI_OK ? 0 : CLI_FAILED;
}

/* Replies that came before their parents: linked now that every comment is in. */
static int
link_orphans(struct dsq_run *run)
{
	size_t i;
	int64_t parent;
	int rc;

	for (i = 0; i < run->norphans; i++) {
		rc = imports_comment_lookup(run->c->db, IMPORT_DISQUS, run->orphans[i].parent, &parent);
		if (rc == STORE_ERR || (rc == STORE_OK && parent != run->orphans[i].comment_id &&
		    imports_comment_set_parent(run->c->db, run->orphans[i].comment_id, parent) !=
		    STORE_OK)) {
			log_error("could not link a reply to its parent (nothing imported)");
			return CLI_FAILED;
		}
	}
	return CLI_OK;
}

int
cli_import_disqus(struct cli *c, int argc, char **argv)
{
	struct dsq_run run;
	char err[512];
	int rc = CLI_FAILED, r;

	if (argc != 2) {
		log_error("usage: parley import-disqus FILE.xml");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	memset(&run, 0, sizeof(run));
	run.c = c;
	arena_init(&run.keep);
	if (db_begin(c->db) != STORE_OK)
		goto done;
	r = dsq_read_file(argv[1], on_thread, on_post, &run, err, sizeof(err));
	if (r == 0)
		r = link_orphans(&run);
	if (import_finish(c, argv[1], r, err) != CLI_OK)
		goto done;
	printf("threads: %d matched to posts, %d without a post here\n", run.threads_matched,
	       run.threads_unmatched);
	import_tally_print(&run.tally);
	printf("comments on threads without a post: %d (not imported)\n", run.unmatched_comments);
	rc = CLI_OK;
done:
	arena_free(&run.keep);
	return rc;
}

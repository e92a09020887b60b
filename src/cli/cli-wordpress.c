/* cli-wordpress.c: `parley import-wordpress FILE`: posts, tags and comments from a WordPress export (WXR), in one transaction. */
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

#define WXR_MAX_TAGS 64

/* One run of the import: two passes over the file, and what they found. */
struct wp_run {
	struct cli *c;
	struct arena keep;                      /* lives for the whole run */
	struct wxr_attachment *attachments;     /* pass 1: for [gallery] */
	size_t nattachments, cap;
	const char *site_path;                  /* the old site's path ("" or "/blog") */
	int posts_new, posts_updated, pages, skipped, pingbacks;
	int shortcodes[WXR_SC__MAX];
	struct import_tally tally;
};

static int
attachment_cmp(const void *a, const void *b)
{
	const struct wxr_attachment *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Pass 1: every attachment's id, post and address. */
static int
collect_attachment(void *ctx, const struct wxr_site *site, const struct wxr_item *it)
{
	struct wp_run *run = ctx;
	struct wxr_attachment *at;

	(void)site;
	if (strcmp(it->type, "attachment") != 0 || *it->attachment_url == '\0')
		return 0;
	if (run->nattachments == run->cap)
		run->attachments = arena_grow(&run->keep, run->attachments, run->nattachments,
					      &run->cap, sizeof(*run->attachments));
	at = &run->attachments[run->nattachments++];
	at->id = it->id;
	at->parent = it->parent;
	at->url = arena_strdup(&run->keep, it->attachment_url);
	return 0;
}

/* A GMT date, falling back to the local one; 0 when neither parses ("0000-00-00 ..."). */
static time_t
wp_date(const char *gmt, const char *local)
{
	time_t t;

	if (date_parse(gmt, &t) == 0 && t > 0)
		return t;
	if (date_parse(local, &t) == 0 && t > 0)
		return t;
	return 0;
}

/* The path of an address below its host: "https://h/blog/x/" gives "/blog/x/". */
static const char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return url;
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

/*
 * Where a post lived below the old site's root: its link's path without
 * the site's own path ("/2024/05/01/slug/").
 */
static const char *
old_path(struct wp_run *run, const char *link)
{
	const char *p = url_path(link);
	size_t n = strlen(run->site_path);

	if (*link == '\0')
		return "";
	if (n > 0 && strncmp(p, run->site_path, n) == 0 && (p[n] == '/' || p[n] == '?'))
		p += n;
	return p;
}

/* A percent-encoded post_name ("caf%c3%a9") decoded, in the arena. */
static const char *
percent_decode(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hex[3] = { s[1], s[2], '\0' };
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return utf8_valid_text(out, strlen(out)) ? out : "";
}

/*
 * The slug for a post not imported before: its WordPress name when that is
 * a slug, else one made from it or the title; "-2", "-3"... when another
 * post holds it (two posts of one name, or a post of the site's own: an
 * import never overwrites what it did not bring).  NULL on failure.
 */
static const char *
new_slug(struct wp_run *run, const struct wxr_item *it, const char *name, const char *title)
{
	struct arena *a = &run->c->arena;
	const char *base, *slug;
	int owner, n;

	base = slug_valid(name) ? name : slugify(a, *name ? name : title);
	if (*base == '\0')
		base = arena_printf(a, "post-%" PRId64, it->id);
	if (!slug_valid(base))
		return NULL;
	for (n = 1, slug = base; n < 1000; slug = arena_printf(a, "%s-%d", base, ++n)) {
		if ((owner = imports_slug_owner(run->c->db, slug)) == STORE_ERR)
			return NULL;
		if (owner == 0)
			return slug;
	}
	return NULL;
}

/* An item's tags and categories, names as written, no duplicates. */
static size_t
item_tags(const struct wxr_item *it, const char **tags)
{
	size_t i, k, n = 0;

	for (i = 0; i < it->nterms && n < WXR_MAX_TAGS; i++) {
		const struct wxr_term *t = &it->terms[i];
		if (strcmp(t->domain, "post_tag") != 0 && strcmp(t->domain, "category") != 0)
			continue;
		if (*t->name == '\0' || strcmp(t->nicename, "uncategorized") == 0 ||
		    strcmp(t->name, "Uncategorized") == 0)
			continue;
		for (k = 0; k < n && strcmp(tags[k], t->name) != 0; k++)
			;
		if (k == n)
			tags[n++] = t->name;
	}
	return n;
}

static int
comment_cmp(const void *a, const void *b)
{
	const struct wxr_comment *x = *(const struct wxr_comment *const *)a;
	const struct wxr_comment *y = *(const struct wxr_comment *const *)b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x < y ? -1 : x > y;      /* document order: the sort is stable */
}

/* WordPress's comment_approved as a status: trash stays trash. */
static enum comment_status
wp_status(const char *approved)
{
	if (strcmp(approved, "1") == 0 || strcmp(approved, "approve") == 0)
		return COMMENT_APPROVED;
	if (strcmp(approved, "spam") == 0)
		return COMMENT_SPAM;
	if (strcmp(approved, "trash") == 0 || strcmp(approved, "post-trashed") == 0)
		return COMMENT_TRASH;
	return COMMENT_PENDING;
}

/*
 * Store a post's comments, oldest WordPress id first so each parent is in
 * place (and its new id known) before its replies.  CLI_OK or CLI_FAILED.
 */
static int
import_comments(struct wp_run *run, const struct wxr_item *it, int64_t post_id, const char *slug)
{
	struct cli *c = run->c;
	const struct wxr_comment **order;
	size_t i, n = 0;

	order = arena_alloc(&c->arena, (it->ncomments + 1) * sizeof(*order));
	for (i = 0; i < it->ncomments; i++) {
		const char *type = it->comments[i].type;
		if (*type != '\0' && strcmp(type, "comment") != 0) {
			run->pingbacks++;       /* pingbacks and trackbacks stay behind */
			continue;
		}
		order[n++] = &it->comments[i];
	}
	qsort(order, n, sizeof(*order), comment_cmp);
	for (i = 0; i < n; i++) {
		const struct wxr_comment *w = order[i];
		struct comment cm;
		char old_id[24], parent_id[24];
		int64_t parent = 0;
		int created;

		memset(&cm, 0, sizeof(cm));
		cm.post_id = post_id;
		cm.status = wp_status(w->approved);
		import_comment_person(c, &cm, w->author, w->email, w->url, w->ip);
		cm.body_md = wxr_html_to_markdown(&c->arena, w->content, strlen(w->content), NULL);
		cm.body_html = markdown_html(&c->arena, cm.body_md, strlen(cm.body_md),
					     MARKDOWN_COMMENT);
		cm.created_at = wp_date(w->date_gmt, w->date);
		if (cm.created_at == 0)
			cm.created_at = time(NULL);
		cm.spam_reason = cm.status == COMMENT_SPAM ? "marked as spam in WordPress" : "";
		if (w->parent > 0) {
			snprintf(parent_id, sizeof(parent_id), "%" PRId64, w->parent);
			if (imports_comment_lookup(c->db, IMPORT_WORDPRESS, parent_id, &parent) ==
			    STORE_ERR)
				return CLI_FAILED;
		}
		cm.parent_id = parent;      /* 0 when the parent was never exported */
		/* An id met twice in one post (a broken export) names a second comment. */
		if (i > 0 && order[i - 1]->id == w->id)
			snprintf(old_id, sizeof(old_id), "%" PRId64 "/%zu", w->id, i);
		else
			snprintf(old_id, sizeof(old_id), "%" PRId64, w->id);
		if (imports_comment_save(c->db, IMPORT_WORDPRESS, old_id,
		    strchr(old_id, '/') ? 0 : w->id, &cm, &created) != STORE_OK) {
			log_error("%s: could not store comment %s", slug, old_id);
			return CLI_FAILED;
		}
		if (import_comment_stored(c, &run->tally, &cm, created) != CLI_OK)
			return CLI_FAILED;
	}
	return CLI_OK;
}

/* Pass 2, one <item>: a post is stored with its comments; pages and the rest are counted. */
static int
import_item(void *ctx, const struct wxr_site *site, const struct wxr_item *it)
{
	struct wp_run *run = ctx;
	struct cli *c = run->c;
	struct post_input in;
	const char *tags[WXR_MAX_TAGS], *title, *name, *slug = NULL, *date;
	struct wxr_convert conv;
	int64_t id = 0;
	int created, i, found;

	if (run->site_path == NULL) {
		const char *p = url_path(site->link);
		size_t n = strlen(p);
		while (n > 0 && p[n - 1] == '/')
			n--;
		run->site_path = arena_strndup(&run->keep, p, n);
	}
	if (strcmp(it->type, "page") == 0) {
		run->pages++;
		return 0;
	}
	if (strcmp(it->type, "post") != 0 || (strcmp(it->status, "publish") != 0 &&
	    strcmp(it->status, "draft") != 0 && strcmp(it->status, "future") != 0)) {
		if (strcmp(it->type, "attachment") != 0)
			run->skipped++;
		return 0;
	}
	memset(&in, 0, sizeof(in));
	title = it->title;
	if (strpbrk(title, "\r\n") != NULL || *title == '\0')
		title = "(untitled)";
	in.title = title;
	name = percent_decode(&c->arena, it->name);
	found = it->id > 0 ? imports_post_lookup(c->db, &c->arena, IMPORT_WORDPRESS, it->id, &id,
						 &slug) : STORE_NOTFOUND;
	if (found == STORE_ERR)
		return CLI_FAILED;
	if (found != STORE_OK && (slug = new_slug(run, it, name, title)) == NULL) {
		log_error("item %" PRId64 " (%s): no usable slug", it->id, title);
		return CLI_FAILED;
	}
	in.slug = slug;
	in.author = it->creator;
	in.published_at = wp_date(it->date_gmt, it->date);
	in.updated_at = wp_date(it->modified_gmt, it->modified);
	/* Scheduled posts wait as drafts: parley publishes what it shows. */
	in.draft = strcmp(it->status, "publish") != 0;
	in.comments_open = strcmp(it->comment_status, "closed") != 0;
	memset(&conv, 0, sizeof(conv));
	conv.attachments = run->attachments;
	conv.nattachments = run->nattachments;
	conv.post_id = it->id;
	conv.shortcodes = 1;
	/* WordPress HTML passes through (shortcodes expanded) only where raw HTML is allowed. */
	in.body_md = c->cfg.allow_raw_html ?
	    wxr_shortcodes(&c->arena, it->content, strlen(it->content), &conv) :
	    wxr_html_to_markdown(&c->arena, it->content, strlen(it->content), &conv);
	for (i = 0; i < WXR_SC__MAX; i++)
		run->shortcodes[i] += conv.counts[i];
	in.ntags = item_tags(it, tags);
	in.tags = tags;
	cli_post_render(c, &in);
	if (posts_save(c->db, &in, &id, &created) != STORE_OK) {
		log_error("%s: could not save the post", in.slug);
		return CLI_FAILED;
	}
	date = strlen(it->date) >= 10 ? arena_strndup(&c->arena, it->date, 10) : "";
	if (it->id > 0 && imports_post_remember(c->db, IMPORT_WORDPRESS, it->id, id,
	    old_path(run, it->link), name, date) != STORE_OK)
		return CLI_FAILED;
	if (created)
		run->posts_new++;
	else
		run->posts_updated++;
	if (import_comments(run, it, id, in.slug) != CLI_OK)
		return CLI_FAILED;
	/* The command's arena holds one item's work at a time. */
	arena_reset(&c->arena);
	return 0;
}

int
cli_import_wordpress(struct cli *c, int argc, char **argv)
{
	static const char *const sc_names[WXR_SC__MAX] = {
		"caption", "gallery", "embed", "audio", "video", "unknown (removed)"
	};
	struct wp_run run;
	char err[512];
	int rc = CLI_FAILED, r, i;

	if (argc != 2) {
		log_error("usage: parley import-wordpress FILE");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	memset(&run, 0, sizeof(run));
	run.c = c;
	arena_init(&run.keep);
	/* Pass 1 reads the whole file before anything is written: a bad file fails here. */
	if (wxr_read_file(argv[1], collect_attachment, &run, err, sizeof(err)) != 0) {
		log_error("%s: %s (nothing imported)", argv[1], err);
		goto done;
	}
	if (run.nattachments > 0)
		qsort(run.attachments, run.nattachments, sizeof(*run.attachments), attachment_cmp);
	if (db_begin(c->db) != STORE_OK)
		goto done;
	r = wxr_read_file(argv[1], import_item, &run, err, sizeof(err));
	if (import_finish(c, argv[1], r, err) != CLI_OK)
		goto done;
	printf("posts: %d new, %d updated; pages skipped: %d; other items skipped: %d\n",
	       run.posts_new, run.posts_updated, run.pages, run.skipped);
	import_tally_print(&run.tally);
	printf("pingbacks and trackbacks skipped: %d\n", run.pingbacks);
	printf("shortcodes:");
	for (i = 0; i < WXR_SC__MAX; i++)
		printf("%s %d %s", i ? "," : "", run.shortcodes[i], sc_names[i]);
	printf("\n");
	rc = CLI_OK;
done:
	arena_free(&run.keep);
	return rc;
}

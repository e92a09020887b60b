/* cli-wordpress.c: `parley import-wordpress FILE`: posts, tags and comments from a WordPress export (WXR). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "comments.h"
#include "log.h"
#include "posts.h"
#include "ratelimit.h"
#include "render.h"
#include "spam.h"
#include "wxr.h"

/* The largest export read (bigger sites export in parts). */
#define WXR_MAX_BYTES (256L * 1024 * 1024)
#define WXR_MAX_TAGS 64

/* One WordPress comment, before it is stored. */
struct wp_comment {
	int64_t wp_id;
	int64_t wp_parent;
	struct comment c;
};

static int
wp_comment_cmp(const void *a, const void *b)
{
	const struct wp_comment *x = a, *y = b;

	return x->wp_id < y->wp_id ? -1 : x->wp_id > y->wp_id;
}

/* A GMT date field, falling back to the local one; 0 when neither parses. */
static time_t
wp_date(struct arena *a, const struct xml_node *n, const char *gmt, const char *local)
{
	time_t t;

	if (date_parse(xml_child_text(a, n, gmt), &t) == 0 && t > 0)
		return t;
	if (local != NULL && date_parse(xml_child_text(a, n, local), &t) == 0 && t > 0)
		return t;
	return 0;
}

/* Text to store: valid UTF-8 without controls, else NULL. */
static const char *
clean_text(const char *s)
{
	return utf8_valid_text(s, strlen(s)) ? s : NULL;
}

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

/* Collect an item's tags and categories (names as written, no duplicates). */
static size_t
item_tags(struct arena *a, const struct xml_node *item, const char **tags)
{
	const struct xml_node *ch;
	size_t n = 0, k;

	for (ch = item->children; ch != NULL && n < WXR_MAX_TAGS; ch = ch->next) {
		const char *domain, *name;
		if (strcmp(ch->name, "category") != 0)
			continue;
		domain = xml_attr(ch, "domain");
		if (domain == NULL || (strcmp(domain, "post_tag") != 0 &&
		    strcmp(domain, "category") != 0))
			continue;
		name = xml_text(a, ch);
		if (*name == '\0' || clean_text(name) == NULL || strcmp(name, "Uncategorized") == 0)
			continue;
		for (k = 0; k < n && strcmp(tags[k], name) != 0; k++)
			;
		if (k == n)
			tags[n++] = name;
	}
	return n;
}

/*
 * Store the comments of one post: oldest WordPress id first, so a parent is
 * stored before its replies and its new id is known.  One transaction.
 * Returns the number stored, or -1.
 */
static int
import_comments(struct cli *c, const struct xml_node *item, int64_t post_id,
		const char *slug)
{
	const struct xml_node *ch;
	struct wp_comment *list = NULL;
	int64_t *map_wp, *map_id;
	size_t n = 0, cap = 0, i, k;
	int stored = 0;

	for (ch = item->children; ch != NULL; ch = ch->next) {
		struct wp_comment *w;
		const char *type, *approved, *author, *email, *url, *content, *ip;
		char *hash;
		if (strcmp(ch->name, "wp:comment") != 0)
			continue;
		type = xml_child_text(&c->arena, ch, "wp:comment_type");
		if (*type != '\0' && strcmp(type, "comment") != 0)
			continue;       /* pingbacks and trackbacks stay behind */
		if (n == cap)
			list = arena_grow(&c->arena, list, n, &cap,
						sizeof(*list));
		w = &list[n];
		memset(w, 0, sizeof(*w));
		w->wp_id = strtoll(xml_child_text(&c->arena, ch, "wp:comment_id"), NULL, 10);
		w->wp_parent = strtoll(xml_child_text(&c->arena, ch, "wp:comment_parent"), NULL, 10);
		approved = xml_child_text(&c->arena, ch, "wp:comment_approved");
		if (strcmp(approved, "1") == 0)
			w->c.status = COMMENT_APPROVED;
		else if (strcmp(approved, "spam") == 0)
			w->c.status = COMMENT_SPAM;
		else if (strcmp(approved, "trash") == 0)
			w->c.status = COMMENT_REJECTED;
		else
			w->c.status = COMMENT_PENDING;
		author = xml_child_text(&c->arena, ch, "wp:comment_author");
		email = xml_child_text(&c->arena, ch, "wp:comment_author_email");
		url = xml_child_text(&c->arena, ch, "wp:comment_author_url");
		content = xml_child_text(&c->arena, ch, "wp:comment_content");
		ip = xml_child_text(&c->arena, ch, "wp:comment_author_IP");
		if (clean_text(author) == NULL || strpbrk(author, "\r\n\t") != NULL)
			author = "";
		if (*author == '\0')
			author = "Anonymous";
		w->c.author = first_chars(&c->arena, author, 100);
		w->c.email = clean_text(email) && strlen(email) <= 254 && strchr(email, '@') ? email : "";
		/* Only http(s) addresses: anything else is dropped, never linked. */
		w->c.url = (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
		    strlen(url) <= 2000 && strpbrk(url, " \"<>\\`\t\r\n") == NULL ? url : "";
		if (clean_text(content) == NULL)
			content = "";
		w->c.body_md = wxr_html_to_markdown(&c->arena, content, strlen(content));
		w->c.body_html = NULL;    /* rendered by the store, safe mode */
		w->c.created_at = wp_date(&c->arena, ch, "wp:comment_date_gmt", "wp:comment_date");
		if (w->c.created_at == 0)
			w->c.created_at = time(NULL);
		w->c.post_id = post_id;
		hash = arena_alloc(&c->arena, RATELIMIT_HASH_HEX);
		ratelimit_address_hash(c->db, ip, hash);   /* never the address itself */
		w->c.ip_hash = hash;
		w->c.spam_reason = w->c.status == COMMENT_SPAM ? "marked as spam in WordPress" : "";
		n++;
	}
	if (n == 0)
		return 0;
	qsort(list, n, sizeof(*list), wp_comment_cmp);
	map_wp = arena_alloc(&c->arena, n * sizeof(*map_wp));
	map_id = arena_alloc(&c->arena, n * sizeof(*map_id));
	if (db_begin(c->db) != STORE_OK)
		return -1;
	for (i = 0; i < n; i++) {
		struct wp_comment *w = &list[i];
		int cls;

		w->c.parent_id = 0;
		/* A reply keeps its parent when the parent came before it. */
		for (k = 0; k < i && w->wp_parent > 0; k++)
			if (map_wp[k] == w->wp_parent) {
				w->c.parent_id = map_id[k];
				break;
			}
		/* WordPress's approvals and spam are decisions: the classifier learns them. */
		cls = spam_class_for_status(w->c.status);
		if (comments_insert(c->db, &w->c) != STORE_OK ||
		    (cls > 0 && spam_learn(c->db, w->c.id, (enum spam_class)cls) != STORE_OK)) {
			db_rollback(c->db);
			log_error("%s: could not store the comments", slug);
			return -1;
		}
		map_wp[i] = w->wp_id;
		map_id[i] = w->c.id;
		stored++;
	}
	if (db_commit(c->db) != STORE_OK) {
		db_rollback(c->db);
		return -1;
	}
	return stored;
}

/* Import one <item>: 1 imported, 0 skipped, -1 failed. */
static int
import_item(struct cli *c, const struct xml_node *item, int *ncomments, int *created_out)
{
	struct post_input in;
	const char *type, *status, *name, *tags[WXR_MAX_TAGS], *title, *content;
	int64_t id;
	int created, n;

	type = xml_child_text(&c->arena, item, "wp:post_type");
	status = xml_child_text(&c->arena, item, "wp:status");
	if (strcmp(type, "post") != 0 ||
	    (strcmp(status, "publish") != 0 && strcmp(status, "draft") != 0))
		return 0;
	memset(&in, 0, sizeof(in));
	title = xml_child_text(&c->arena, item, "title");
	if (clean_text(title) == NULL || strpbrk(title, "\r\n") != NULL || *title == '\0')
		title = "(untitled)";
	in.title = title;
	name = xml_child_text(&c->arena, item, "wp:post_name");
	if (slug_valid(name))
		in.slug = name;
	else {
		in.slug = slugify(&c->arena, *name ? name : title);
		if (*in.slug == '\0')
			in.slug = arena_printf(&c->arena, "post-%s",
					       xml_child_text(&c->arena, item, "wp:post_id"));
		if (!slug_valid(in.slug))
			in.slug = slugify(&c->arena, in.slug);
	}
	if (!slug_valid(in.slug)) {
		log_error("%s: no usable slug, skipped", title);
		return -1;
	}
	in.author = xml_child_text(&c->arena, item, "dc:creator");
	if (clean_text(in.author) == NULL)
		in.author = "";
	in.published_at = wp_date(&c->arena, item, "wp:post_date_gmt", "wp:post_date");
	in.updated_at = wp_date(&c->arena, item, "wp:post_modified_gmt", "wp:post_modified");
	in.draft = strcmp(status, "draft") == 0;
	in.comments_open = strcmp(xml_child_text(&c->arena, item, "wp:comment_status"),
				  "closed") != 0;
	content = xml_child_text(&c->arena, item, "content:encoded");
	if (clean_text(content) == NULL) {
		log_error("%s: the body is not valid UTF-8 text, skipped", in.slug);
		return -1;
	}
	/* WordPress HTML passes through only where raw HTML is allowed. */
	in.allow_raw_html = c->cfg.allow_raw_html;
	in.body_md = in.allow_raw_html ? content :
	    wxr_html_to_markdown(&c->arena, content, strlen(content));
	in.ntags = item_tags(&c->arena, item, tags);
	in.tags = tags;
	if (posts_save(c->db, &in, &id, &created) != STORE_OK) {
		log_error("%s: could not save the post", in.slug);
		return -1;
	}
	*created_out = created;
	/* A second import of the same file updates posts and adds no comment twice. */
	n = 0;
	if (created && (n = import_comments(c, item, id, in.slug)) < 0)
		return -1;
	*ncomments += n;
	printf("%s %s (%d comment%s)\n", created ? "added" : "updated", in.slug, n,
	       n == 1 ? "" : "s");
	return 1;
}

int
cli_import_wordpress(struct cli *c, int argc, char **argv)
{
	const struct xml_node *root, *channel, *item;
	char err[256], *text;
	size_t len = 0;
	int rc = CLI_OK, posts = 0, added = 0, ncomments = 0, r, created;

	if (argc != 2) {
		log_error("usage: parley import-wordpress FILE");
		return CLI_USAGE;
	}
	if ((text = cli_read_file(&c->arena, argv[1], (size_t)WXR_MAX_BYTES, &len)) == NULL)
		return CLI_FAILED;
	if (memchr(text, '\0', len) != NULL) {
		log_error("%s: not a WordPress export (binary data)", argv[1]);
		return CLI_FAILED;
	}
	if ((root = xml_parse(&c->arena, text, len, err, sizeof(err))) == NULL) {
		log_error("%s: %s", argv[1], err);
		return CLI_FAILED;
	}
	if (strcmp(root->name, "rss") != 0 || (channel = xml_child(root, "channel")) == NULL) {
		log_error("%s: not a WordPress export (no <rss><channel>)", argv[1]);
		return CLI_FAILED;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	for (item = channel->children; item != NULL; item = item->next) {
		if (strcmp(item->name, "item") != 0)
			continue;
		created = 0;
		r = import_item(c, item, &ncomments, &created);
		if (r < 0)
			rc = CLI_FAILED;
		else if (r > 0) {
			posts++;
			added += created;
		}
	}
	printf("imported %d post%s (%d new), %d comment%s\n", posts, posts == 1 ? "" : "s",
	       added, ncomments, ncomments == 1 ? "" : "s");
	return rc;
}

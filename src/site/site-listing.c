/* site-listing.c: posts as template data, summaries and page navigation, shared by the pages. */
#include "site.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "posts.h"
#include "render.h"
#include "text.h"

#define SUMMARY_WORDS 60        /* a summary is cut after this many words */
#define SUMMARY_MIN_WORDS 8     /* shorter paragraphs (headings) are skipped */

/* s, or NULL when it is NULL or empty: empty strings are truthy in Mustache. */
static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Words in s[0..len). */
static size_t
count_words(const char *s, size_t len)
{
	size_t i, n = 0;
	int in_word = 0;

	for (i = 0; i < len; i++) {
		if (is_space(s[i]))
			in_word = 0;
		else if (!in_word) {
			in_word = 1;
			n++;
		}
	}
	return n;
}

/*
 * The summary of a post's plain text: its first block of some length (so a
 * leading heading is passed over), cut after SUMMARY_WORDS words with
 * an ellipsis.  Whitespace runs become one space.  In the arena; NULL when
 * the text is empty.
 */
static const char *
post_summary(struct arena *a, const char *text)
{
	const char *para = NULL, *s = text, *end;
	size_t plen = 0, words = 0, i;
	struct buf out = BUF_INIT;
	const char *result;
	int space = 0;

	if (text == NULL)
		return NULL;
	while (*s != '\0') {
		while (is_space(*s))
			s++;
		if (*s == '\0')
			break;
		/* markdown_to_text ends each block (paragraph, heading, item) with one newline. */
		end = strchr(s, '\n');
		if (end == NULL)
			end = s + strlen(s);
		if (para == NULL || count_words(s, (size_t)(end - s)) >= SUMMARY_MIN_WORDS) {
			para = s;
			plen = (size_t)(end - s);
			if (count_words(s, plen) >= SUMMARY_MIN_WORDS)
				break;
		}
		s = end;
	}
	if (para == NULL)
		return NULL;
	for (i = 0; i < plen; i++) {
		if (is_space(para[i])) {
			space = out.len > 0;
			continue;
		}
		if (space || out.len == 0) {
			if (words == SUMMARY_WORDS) {
				buf_puts(&out, "\xe2\x80\xa6");
				break;
			}
			if (space)
				buf_putc(&out, ' ');
			words++;
			space = 0;
		}
		buf_putc(&out, para[i]);
	}
	result = arena_strndup(a, out.data ? out.data : "", out.len);
	buf_free(&out);
	return result;
}

struct mu_map *
site_post_map(struct req *r, const struct post *p)
{
	struct mu_map *m = mu_map_new(r->arena);
	struct mu_list *tags = mu_list_new(r->arena);
	size_t i;

	mu_set_int(m, "id", p->id);
	mu_set_str(m, "title", p->title);
	mu_set_str(m, "slug", p->slug);
	mu_set_str(m, "url", arena_printf(r->arena, "/posts/%s", p->slug));
	mu_set_str(m, "author", nonempty(p->author));
	mu_set_str(m, "published", date_rfc3339(r->arena, p->published_at));
	mu_set_str(m, "published_human", date_human(r->arena, p->published_at));
	mu_set_str(m, "updated", date_rfc3339(r->arena,
		   p->updated_at > p->published_at ? p->updated_at : p->published_at));
	for (i = 0; i < p->ntags; i++) {
		struct mu_map *t = mu_list_push_map(tags);

		mu_set_str(t, "name", p->tags[i].name);
		mu_set_str(t, "slug", p->tags[i].slug);
		mu_set_str(t, "url", arena_printf(r->arena, "/tags/%s", p->tags[i].slug));
	}
	mu_set_list(m, "tags", tags);
	mu_set_bool(m, "has_tags", p->ntags > 0);
	mu_set_str(m, "summary", post_summary(r->arena, p->body_text));
	mu_set_html(m, "body_html", p->body_html);
	mu_set_int(m, "comment_count", p->comment_count);
	mu_set_str(m, "likes_label", site_like_label(r, p->like_count));
	if (p->comment_count == 0)
		mu_set_str(m, "comments_label", "No comments yet");
	else if (p->comment_count == 1)
		mu_set_str(m, "comments_label", "1 comment");
	else
		mu_set_str(m, "comments_label",
			   arena_printf(r->arena, "%d comments", p->comment_count));
	mu_set_bool(m, "comments_open", site_comments_open(r, p));
	return m;
}

struct mu_list *
site_post_list(struct req *r, const struct post_list *l)
{
	struct mu_list *list = mu_list_new(r->arena);
	size_t i;

	for (i = 0; i < l->len; i++)
		mu_list_push(list, mu_map_value(site_post_map(r, &l->items[i])));
	return list;
}

int
site_page_number(const char *s)
{
	return page_number_parse(s, SITE_PAGE_MAX);
}

void
site_pager(struct req *r, struct mu_map *ctx, const char *first, const char *prefix,
	   int page, int has_more)
{
	render_pager(r->arena, ctx, first, prefix, page, has_more, SITE_PAGE_MAX);
}

int
site_comments_open(const struct req *r, const struct post *p)
{
	int days = r->cfg->comments_open_days;

	if (!p->comments_open)
		return 0;
	return days <= 0 || r->now - p->published_at < (time_t)days * 86400;
}

struct mu_list *
site_tag_counts(struct req *r)
{
	struct mu_list *tl = mu_list_new(r->arena);
	struct tag *tags;
	size_t ntags, i;

	if (posts_tags_all(r->db, r->arena, &tags, &ntags) != STORE_OK)
		return NULL;
	for (i = 0; i < ntags; i++) {
		struct mu_map *t;

		if (tags[i].count <= 0)
			continue;
		t = mu_list_push_map(tl);
		mu_set_str(t, "name", tags[i].name);
		mu_set_str(t, "url", arena_printf(r->arena, "/tags/%s", tags[i].slug));
		mu_set_int(t, "count", tags[i].count);
		mu_set_str(t, "posts_label", tags[i].count == 1 ? "1 post" :
			   arena_printf(r->arena, "%d posts", tags[i].count));
	}
	return tl;
}

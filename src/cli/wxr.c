/* wxr.c: a WordPress export read item by item (the shared reader is wxr-reader.c). */
#include "wxr.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wxr-reader.h"

static int64_t
number(const char *s)
{
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

static int
comment_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	struct wxr_comment *c = out;
	const char *local = (const char *)xmlTextReaderConstLocalName(w->r), *s;
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "comment_author", offsetof(struct wxr_comment, author) },
		{ "comment_author_email", offsetof(struct wxr_comment, email) },
		{ "comment_author_url", offsetof(struct wxr_comment, url) },
		{ "comment_author_IP", offsetof(struct wxr_comment, ip) },
		{ "comment_date", offsetof(struct wxr_comment, date) },
		{ "comment_date_gmt", offsetof(struct wxr_comment, date_gmt) },
		{ "comment_content", offsetof(struct wxr_comment, content) },
		{ "comment_approved", offsetof(struct wxr_comment, approved) },
		{ "comment_type", offsetof(struct wxr_comment, type) },
	};
	size_t i;

	if (ns != NS_WP)
		return wxr_skip(w);
	if (strcmp(local, "comment_id") == 0 || strcmp(local, "comment_parent") == 0) {
		if ((s = wxr_text(w)) == NULL)
			return -1;
		*(strcmp(local, "comment_id") == 0 ? &c->id : &c->parent) = number(s);
		return 0;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(local, fields[i].name) == 0)
			return wxr_text_into(w, (const char **)((char *)c + fields[i].offset));
	return wxr_skip(w);
}

/* Every string field starts as "", never NULL. */
static void
comment_init(struct wxr_comment *c)
{
	memset(c, 0, sizeof(*c));
	c->approved = c->type = c->author = c->email = c->url = c->ip = "";
	c->date_gmt = c->date = c->content = "";
}

static int
item_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	struct wxr_item *it = out;
	const char *local = (const char *)xmlTextReaderConstLocalName(w->r), *s;
	static struct {
		const char *name;
		size_t offset;
	} const wp_fields[] = {
		{ "post_date", offsetof(struct wxr_item, date) },
		{ "post_date_gmt", offsetof(struct wxr_item, date_gmt) },
		{ "post_modified", offsetof(struct wxr_item, modified) },
		{ "post_modified_gmt", offsetof(struct wxr_item, modified_gmt) },
		{ "comment_status", offsetof(struct wxr_item, comment_status) },
		{ "post_name", offsetof(struct wxr_item, name) },
		{ "status", offsetof(struct wxr_item, status) },
		{ "post_type", offsetof(struct wxr_item, type) },
		{ "attachment_url", offsetof(struct wxr_item, attachment_url) },
	};
	size_t i, cap;

	if (wxr_is(w, ns, NS_NONE, "title"))
		return wxr_text_into(w, &it->title);
	if (wxr_is(w, ns, NS_NONE, "link"))
		return wxr_text_into(w, &it->link);
	if (wxr_is(w, ns, NS_DC, "creator"))
		return wxr_text_into(w, &it->creator);
	if (wxr_is(w, ns, NS_CONTENT, "encoded"))
		return wxr_text_into(w, &it->content);
	if (wxr_is(w, ns, NS_NONE, "category")) {
		struct wxr_term t;
		t.domain = wxr_attribute(w, "domain");
		t.nicename = wxr_attribute(w, "nicename");
		if ((t.name = wxr_text(w)) == NULL)
			return -1;
		cap = it->nterms;
		it->terms = arena_grow(&w->item_arena, it->terms, it->nterms, &cap, sizeof(t));
		it->terms[it->nterms++] = t;
		return 0;
	}
	if (ns != NS_WP)
		return wxr_skip(w);
	if (strcmp(local, "post_id") == 0 || strcmp(local, "post_parent") == 0) {
		if ((s = wxr_text(w)) == NULL)
			return -1;
		*(strcmp(local, "post_id") == 0 ? &it->id : &it->parent) = number(s);
		return 0;
	}
	if (strcmp(local, "comment") == 0) {
		struct wxr_comment c;
		comment_init(&c);
		if (wxr_children(w, comment_field, &c) != 0)
			return -1;
		cap = it->ncomments;
		it->comments = arena_grow(&w->item_arena, it->comments, it->ncomments, &cap,
					  sizeof(c));
		it->comments[it->ncomments++] = c;
		return 0;
	}
	for (i = 0; i < sizeof(wp_fields) / sizeof(wp_fields[0]); i++)
		if (strcmp(local, wp_fields[i].name) == 0)
			return wxr_text_into(w, (const char **)((char *)it + wp_fields[i].offset));
	return wxr_skip(w);
}

/* One <item>: read it whole into the item arena, hand it to fn, reset. */
static int
read_item(struct wxr_reader *w)
{
	struct wxr_item it;
	int rc;

	memset(&it, 0, sizeof(it));
	it.title = it.link = it.creator = it.content = it.date_gmt = it.date = "";
	it.modified_gmt = it.modified = "";
	it.comment_status = it.name = it.status = it.type = it.attachment_url = "";
	if (wxr_children(w, item_field, &it) != 0)
		return -1;
	if (!w->wp_seen) {
		wxr_fail(w, "%s", "not a WordPress export (no element in a WordPress namespace)");
		return -1;
	}
	rc = w->fn(w->ctx, &w->site, &it);
	arena_reset(&w->item_arena);
	return rc;
}

static int
channel_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	const char *s;

	(void)out;
	if (wxr_is(w, ns, NS_NONE, "item"))
		return read_item(w);
	if (wxr_is(w, ns, NS_NONE, "link") || wxr_is(w, ns, NS_WP, "base_blog_url")) {
		int base = ns == NS_WP;
		if ((s = wxr_text(w)) == NULL)
			return -1;
		/* wp:base_blog_url names the blog's root; <link> is the fallback. */
		if (*s != '\0' && (base || *w->site.link == '\0'))
			w->site.link = arena_strdup(&w->site_arena, s);
		return 0;
	}
	return wxr_skip(w);
}

/* The WordPress namespace the root declares gives the version. */
static void
root_version(struct wxr_reader *w)
{
	const char *v;

	while (xmlTextReaderMoveToNextAttribute(w->r) == 1) {
		if (!xmlTextReaderIsNamespaceDecl(w->r))
			continue;
		v = (const char *)xmlTextReaderConstValue(w->r);
		if (v == NULL || strncmp(v, WXR_WP_NS, sizeof(WXR_WP_NS) - 1) != 0)
			continue;
		v += sizeof(WXR_WP_NS) - 1;
		if (strcmp(v, "1.0/") == 0 || strcmp(v, "1.1/") == 0 || strcmp(v, "1.2/") == 0)
			w->site.version = arena_strndup(&w->site_arena, v, 3);
		else if (strstr(v, "/excerpt/") == NULL)
			wxr_fail(w, "unknown WXR version (namespace %s; parley reads 1.0 to 1.2)",
			     (const char *)xmlTextReaderConstValue(w->r));
	}
	xmlTextReaderMoveToElement(w->r);
}

/* The document: <rss> holding <channel>, each read through channel_field. */
static int
read_document(struct wxr_reader *w)
{
	int ret, type, seen_root = 0, seen_channel = 0, rc = 0;

	xmlTextReaderSetStructuredErrorHandler(w->r, wxr_on_xml_error, w);
	while (rc == 0 && (ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (wxr_refused_node(w, type))
			return -1;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!seen_root) {
			seen_root = 1;
			if (!wxr_is(w, wxr_element_ns(w), NS_NONE, "rss")) {
				wxr_fail(w, "not a WordPress export (the root element is <%s>, not <rss>)",
				     (const char *)xmlTextReaderConstName(w->r));
				return -1;
			}
			root_version(w);
			if (w->failed)
				return -1;
			continue;
		}
		if (xmlTextReaderDepth(w->r) == 1 && wxr_is(w, wxr_element_ns(w), NS_NONE, "channel")) {
			seen_channel = 1;
			rc = wxr_children(w, channel_field, NULL);
		} else if (wxr_skip(w) != 0)
			return -1;
		if (w->failed)
			return -1;
	}
	if (rc != 0)
		return w->failed ? -1 : rc;
	if (ret != 0 || w->failed) {
		wxr_fail(w, "%s", "malformed XML");
		return -1;
	}
	if (!seen_root) {
		wxr_fail(w, "%s", "not a WordPress export (no XML element at all)");
		return -1;
	}
	if (!seen_channel || (!w->wp_seen && w->site.version == NULL)) {
		wxr_fail(w, "%s", "not a WordPress export (no WordPress channel)");
		return -1;
	}
	return 0;
}

int
wxr_read_file(const char *path, wxr_item_fn fn, void *ctx, char *err, size_t errlen)
{
	return wxr_run_file(path, &(struct wxr_reader){ .fn = fn, .ctx = ctx }, read_document, err,
			    errlen);
}

int
wxr_read_memory(const char *data, size_t len, wxr_item_fn fn, void *ctx, char *err,
		size_t errlen)
{
	return wxr_run_memory(data, len, &(struct wxr_reader){ .fn = fn, .ctx = ctx },
			      read_document, err, errlen);
}

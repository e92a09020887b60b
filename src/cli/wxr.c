/* wxr.c: a WordPress export read item by item with libxml2's streaming xmlTextReader. */
#include "wxr.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "buf.h"
#include "render.h"

/* One field of an item (a post body, a comment) is refused past this. */
#define WXR_MAX_FIELD (32u * 1024 * 1024)

/* The namespaces an export uses, told apart by URI, never by prefix. */
enum wxr_ns {
	NS_NONE,                /* RSS's own elements: rss, channel, item, title, link, category */
	NS_WP,                  /* http://wordpress.org/export/1.N/ */
	NS_CONTENT,             /* http://purl.org/rss/1.0/modules/content/ */
	NS_DC,                  /* http://purl.org/dc/elements/1.1/ */
	NS_DISQUS,              /* http://disqus.com: a Disqus export's elements */
	NS_OTHER,               /* excerpt, wfw, anything else: not read */
};

static const char wp_ns_prefix[] = "http://wordpress.org/export/";
static const char disqus_ns[] = "http://disqus.com";
static const char disqus_internals_ns[] = "http://disqus.com/disqus-internals";

/* The reader's state across one document. */
struct wxr_reader {
	xmlTextReaderPtr r;
	struct arena item_arena;        /* one item's strings; reset after each */
	struct arena site_arena;        /* the channel's strings */
	struct wxr_site site;
	int wp_seen;                    /* an element in the WordPress namespace was met */
	char *err;
	size_t errlen;
	int failed;
	wxr_item_fn fn;
	void *ctx;
	dsq_thread_fn thread_fn;        /* a Disqus export's callbacks */
	dsq_post_fn post_fn;
};

/* Record the first failure as the line the command prints. */
static void fail(struct wxr_reader *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(struct wxr_reader *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return;
	w->failed = 1;
	va_start(ap, fmt);
	vsnprintf(w->err, w->errlen, fmt, ap);
	va_end(ap);
}

/* libxml2's first complaint becomes the one line the command prints. */
static void
on_xml_error(void *arg, xmlErrorPtr e)
{
	struct wxr_reader *w = arg;
	char msg[200];
	size_t n;

	if (w->failed || e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "malformed XML");
	msg[strcspn(msg, "\n")] = '\0';       /* the first line of libxml2's message */
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	w->failed = 1;
	snprintf(w->err, w->errlen, "line %d: %s", e->line, msg);
}

/*
 * No external resource is ever opened while an export is read: a DTD or
 * entity that names a file or an address gets nothing.
 */
static xmlParserInputPtr
refuse_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/*
 * Which namespace an element is in.  A WordPress namespace of another
 * version than 1.0, 1.1 or 1.2 fails the read.
 */
static enum wxr_ns
element_ns(struct wxr_reader *w)
{
	const char *uri = (const char *)xmlTextReaderConstNamespaceUri(w->r);

	if (uri == NULL)
		return NS_NONE;
	if (strcmp(uri, "http://purl.org/rss/1.0/modules/content/") == 0)
		return NS_CONTENT;
	if (strcmp(uri, "http://purl.org/dc/elements/1.1/") == 0)
		return NS_DC;
	if (strcmp(uri, disqus_ns) == 0)
		return NS_DISQUS;
	if (strncmp(uri, wp_ns_prefix, sizeof(wp_ns_prefix) - 1) == 0) {
		const char *v = uri + sizeof(wp_ns_prefix) - 1;
		if (strcmp(v, "1.0/") == 0 || strcmp(v, "1.1/") == 0 || strcmp(v, "1.2/") == 0) {
			w->wp_seen = 1;
			if (w->site.version == NULL)
				w->site.version = arena_strndup(&w->site_arena, v, 3);
			return NS_WP;
		}
		if (strstr(v, "/excerpt/") == NULL) {
			fail(w, "unknown WXR version (namespace %s; parley reads 1.0 to 1.2)", uri);
			return NS_OTHER;
		}
	}
	return NS_OTHER;
}

static int
is(struct wxr_reader *w, enum wxr_ns ns, enum wxr_ns want, const char *local)
{
	return ns == want && strcmp((const char *)xmlTextReaderConstLocalName(w->r), local) == 0;
}

/* Node types that mean the document tries entities: refused outright. */
static int
refused_node(struct wxr_reader *w, int type)
{
	if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
		fail(w, "%s", "a DTD is declared (a WordPress export has none; entities are refused)");
		return 1;
	}
	if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
		fail(w, "%s", "an entity reference to a declared entity (refused)");
		return 1;
	}
	return 0;
}

/*
 * The text inside the element the reader is on (CDATA included, entities
 * decoded by libxml2), read up to its end tag; trimmed, with what
 * utf8_valid_text refuses replaced, in the item arena.  NULL on failure.
 */
static const char *
read_text(struct wxr_reader *w)
{
	struct buf b = BUF_INIT, clean = BUF_INIT;
	int depth, type, ret;
	const char *out = NULL, *s;
	size_t start, end;

	if (xmlTextReaderIsEmptyElement(w->r))
		return "";
	depth = xmlTextReaderDepth(w->r);
	while ((ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (refused_node(w, type))
			goto done;
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(w->r) == depth)
			break;
		if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
		    type == XML_READER_TYPE_WHITESPACE ||
		    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
			s = (const char *)xmlTextReaderConstValue(w->r);
			if (s != NULL)
				buf_append(&b, s, strlen(s));
			if (b.len > WXR_MAX_FIELD) {
				fail(w, "%s", "a field larger than 32 MiB (refused)");
				goto done;
			}
		}
	}
	if (ret != 1) {
		fail(w, "%s", "the export ends in the middle of an element (truncated?)");
		goto done;
	}
	start = 0;
	end = b.len;
	while (start < end && strchr(" \t\r\n", b.data[start]) != NULL)
		start++;
	while (end > start && strchr(" \t\r\n", b.data[end - 1]) != NULL)
		end--;
	utf8_scrub(&clean, b.data ? b.data + start : "", end - start);
	out = arena_strndup(&w->item_arena, clean.data ? clean.data : "", clean.len);
done:
	buf_free(&b);
	buf_free(&clean);
	return out;
}

/* An attribute's value in the item arena ("" when absent). */
static const char *
attribute(struct wxr_reader *w, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(w->r, (const xmlChar *)name);
	struct buf b = BUF_INIT;
	const char *out;

	if (v == NULL)
		return "";
	utf8_scrub(&b, (const char *)v, strlen((const char *)v));
	out = arena_strndup(&w->item_arena, b.data ? b.data : "", b.len);
	buf_free(&b);
	xmlFree(v);
	return out;
}

static int64_t
number(const char *s)
{
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/*
 * Walk the children of the element the reader is on: for each child
 * element, call field(w, ns, out), which reads or skips it; with field
 * NULL, skip them all.  0 at the element's end tag, -1 on failure.
 */
typedef int (*wxr_field_fn)(struct wxr_reader *w, enum wxr_ns ns, void *out);

static int
children(struct wxr_reader *w, wxr_field_fn field, void *out)
{
	int depth, ret, type;

	if (xmlTextReaderIsEmptyElement(w->r))
		return 0;
	depth = xmlTextReaderDepth(w->r);
	while ((ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (refused_node(w, type))
			return -1;
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(w->r) == depth)
			return 0;
		if (type != XML_READER_TYPE_ELEMENT || field == NULL)
			continue;
		if (field(w, element_ns(w), out) != 0 || w->failed)
			return -1;
	}
	fail(w, "%s", "the export ends in the middle of an element (truncated?)");
	return -1;
}

/* Read into *slot the text of the current element. */
/* Skip the element the reader is on, children and all.  0, or -1. */
static int
skip(struct wxr_reader *w)
{
	return children(w, NULL, NULL);
}

static int
text_into(struct wxr_reader *w, const char **slot)
{
	const char *s = read_text(w);

	if (s == NULL)
		return -1;
	*slot = s;
	return 0;
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
		return skip(w);
	if (strcmp(local, "comment_id") == 0 || strcmp(local, "comment_parent") == 0) {
		if ((s = read_text(w)) == NULL)
			return -1;
		*(strcmp(local, "comment_id") == 0 ? &c->id : &c->parent) = number(s);
		return 0;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(local, fields[i].name) == 0)
			return text_into(w, (const char **)((char *)c + fields[i].offset));
	return skip(w);
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

	if (is(w, ns, NS_NONE, "title"))
		return text_into(w, &it->title);
	if (is(w, ns, NS_NONE, "link"))
		return text_into(w, &it->link);
	if (is(w, ns, NS_DC, "creator"))
		return text_into(w, &it->creator);
	if (is(w, ns, NS_CONTENT, "encoded"))
		return text_into(w, &it->content);
	if (is(w, ns, NS_NONE, "category")) {
		struct wxr_term t;
		t.domain = attribute(w, "domain");
		t.nicename = attribute(w, "nicename");
		if ((t.name = read_text(w)) == NULL)
			return -1;
		cap = it->nterms;
		it->terms = arena_grow(&w->item_arena, it->terms, it->nterms, &cap, sizeof(t));
		it->terms[it->nterms++] = t;
		return 0;
	}
	if (ns != NS_WP)
		return skip(w);
	if (strcmp(local, "post_id") == 0 || strcmp(local, "post_parent") == 0) {
		if ((s = read_text(w)) == NULL)
			return -1;
		*(strcmp(local, "post_id") == 0 ? &it->id : &it->parent) = number(s);
		return 0;
	}
	if (strcmp(local, "comment") == 0) {
		struct wxr_comment c;
		comment_init(&c);
		if (children(w, comment_field, &c) != 0)
			return -1;
		cap = it->ncomments;
		it->comments = arena_grow(&w->item_arena, it->comments, it->ncomments, &cap,
					  sizeof(c));
		it->comments[it->ncomments++] = c;
		return 0;
	}
	for (i = 0; i < sizeof(wp_fields) / sizeof(wp_fields[0]); i++)
		if (strcmp(local, wp_fields[i].name) == 0)
			return text_into(w, (const char **)((char *)it + wp_fields[i].offset));
	return skip(w);
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
	if (children(w, item_field, &it) != 0)
		return -1;
	if (!w->wp_seen) {
		fail(w, "%s", "not a WordPress export (no element in a WordPress namespace)");
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
	if (is(w, ns, NS_NONE, "item"))
		return read_item(w);
	if (is(w, ns, NS_NONE, "link") || is(w, ns, NS_WP, "base_blog_url")) {
		int base = ns == NS_WP;
		if ((s = read_text(w)) == NULL)
			return -1;
		/* wp:base_blog_url names the blog's root; <link> is the fallback. */
		if (*s != '\0' && (base || *w->site.link == '\0'))
			w->site.link = arena_strdup(&w->site_arena, s);
		return 0;
	}
	return skip(w);
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
		if (v == NULL || strncmp(v, wp_ns_prefix, sizeof(wp_ns_prefix) - 1) != 0)
			continue;
		v += sizeof(wp_ns_prefix) - 1;
		if (strcmp(v, "1.0/") == 0 || strcmp(v, "1.1/") == 0 || strcmp(v, "1.2/") == 0)
			w->site.version = arena_strndup(&w->site_arena, v, 3);
		else if (strstr(v, "/excerpt/") == NULL)
			fail(w, "unknown WXR version (namespace %s; parley reads 1.0 to 1.2)",
			     (const char *)xmlTextReaderConstValue(w->r));
	}
	xmlTextReaderMoveToElement(w->r);
}

/* The document: <rss> holding <channel>, each read through channel_field. */
static int
read_document(struct wxr_reader *w)
{
	int ret, type, seen_root = 0, seen_channel = 0, rc = 0;

	xmlTextReaderSetStructuredErrorHandler(w->r, on_xml_error, w);
	while (rc == 0 && (ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (refused_node(w, type))
			return -1;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!seen_root) {
			seen_root = 1;
			if (!is(w, element_ns(w), NS_NONE, "rss")) {
				fail(w, "not a WordPress export (the root element is <%s>, not <rss>)",
				     (const char *)xmlTextReaderConstName(w->r));
				return -1;
			}
			root_version(w);
			if (w->failed)
				return -1;
			continue;
		}
		if (xmlTextReaderDepth(w->r) == 1 && is(w, element_ns(w), NS_NONE, "channel")) {
			seen_channel = 1;
			rc = children(w, channel_field, NULL);
		} else if (skip(w) != 0)
			return -1;
		if (w->failed)
			return -1;
	}
	if (rc != 0)
		return w->failed ? -1 : rc;
	if (ret != 0 || w->failed) {
		fail(w, "%s", "malformed XML");
		return -1;
	}
	if (!seen_root) {
		fail(w, "%s", "not a WordPress export (no XML element at all)");
		return -1;
	}
	if (!seen_channel || (!w->wp_seen && w->site.version == NULL)) {
		fail(w, "%s", "not a WordPress export (no WordPress channel)");
		return -1;
	}
	return 0;
}

/* The options every read uses: no network, no DTD loaded, no entity substituted. */
#define WXR_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

/* Read with w's callbacks set: document is read_document or read_disqus. */
static int
run(xmlTextReaderPtr r, struct wxr_reader *wp, int (*document)(struct wxr_reader *), char *err,
    size_t errlen)
{
	struct wxr_reader w = *wp;
	xmlExternalEntityLoader old = xmlGetExternalEntityLoader();
	int rc;

	if (r == NULL) {
		snprintf(err, errlen, "cannot read the export");
		return -1;
	}
	w.r = r;
	w.err = err;
	w.errlen = errlen;
	arena_init(&w.item_arena);
	arena_init(&w.site_arena);
	w.site.link = "";
	xmlSetExternalEntityLoader(refuse_external);
	rc = document(&w);
	xmlSetExternalEntityLoader(old);
	xmlFreeTextReader(r);
	arena_free(&w.item_arena);
	arena_free(&w.site_arena);
	return rc;
}

int
wxr_read_file(const char *path, wxr_item_fn fn, void *ctx, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");

	/* libxml2 says little about a missing file: say it first. */
	if (f == NULL) {
		snprintf(err, errlen, "cannot open the file");
		return -1;
	}
	fclose(f);
	return run(xmlReaderForFile(path, NULL, WXR_PARSE_OPTIONS),
		   &(struct wxr_reader){ .fn = fn, .ctx = ctx }, read_document, err, errlen);
}

int
wxr_read_memory(const char *data, size_t len, wxr_item_fn fn, void *ctx, char *err,
		size_t errlen)
{
	if (len > (size_t)INT32_MAX) {
		snprintf(err, errlen, "too large");
		return -1;
	}
	return run(xmlReaderForMemory(data, (int)len, NULL, NULL, WXR_PARSE_OPTIONS),
		   &(struct wxr_reader){ .fn = fn, .ctx = ctx }, read_document, err, errlen);
}

/* ------------------------------------------------------------ Disqus */

/* The dsq:id attribute of the element the reader is on ("" when absent), in the item arena. */
static const char *
disqus_id(struct wxr_reader *w)
{
	xmlChar *v = xmlTextReaderGetAttributeNs(w->r, (const xmlChar *)"id",
						 (const xmlChar *)disqus_internals_ns);
	const char *out = v ? arena_strdup(&w->item_arena, (const char *)v) : "";

	xmlFree(v);
	return out;
}

static int
flag(const char *s)
{
	return strcmp(s, "true") == 0 || strcmp(s, "1") == 0;
}

/* A Disqus element read as text into the string at offset of a struct. */
struct dsq_text_field {
	const char *name;
	size_t offset;
};

/* Read the current element into out when map names it (1), else 0; -1 on failure. */
static int
dsq_text(struct wxr_reader *w, enum wxr_ns ns, void *out, const struct dsq_text_field *map,
	 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is(w, ns, NS_DISQUS, map[i].name))
			return text_into(w, (const char **)((char *)out + map[i].offset)) == 0 ? 1 : -1;
	return 0;
}

static int
author_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	static const struct dsq_text_field map[] = {
		{ "name", offsetof(struct dsq_post, name) },
		{ "email", offsetof(struct dsq_post, email) },
		{ "username", offsetof(struct dsq_post, username) },
	};
	int rc = dsq_text(w, ns, out, map, sizeof(map) / sizeof(map[0]));

	return rc != 0 ? (rc > 0 ? 0 : -1) : skip(w);
}

static int
post_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	static const struct dsq_text_field map[] = {
		{ "message", offsetof(struct dsq_post, message) },
		{ "createdAt", offsetof(struct dsq_post, created) },
		{ "ipAddress", offsetof(struct dsq_post, ip) },
	};
	struct dsq_post *p = out;
	const char *s;
	int rc = dsq_text(w, ns, out, map, sizeof(map) / sizeof(map[0]));

	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (is(w, ns, NS_DISQUS, "thread") || is(w, ns, NS_DISQUS, "parent")) {
		const char **slot = is(w, ns, NS_DISQUS, "thread") ? &p->thread : &p->parent;
		*slot = disqus_id(w);
		return skip(w);
	}
	if (is(w, ns, NS_DISQUS, "author"))
		return children(w, author_field, p);
	if (is(w, ns, NS_DISQUS, "isDeleted") || is(w, ns, NS_DISQUS, "isSpam") ||
	    is(w, ns, NS_DISQUS, "isApproved")) {
		int *slot = is(w, ns, NS_DISQUS, "isDeleted") ? &p->deleted :
		    is(w, ns, NS_DISQUS, "isSpam") ? &p->spam : &p->approved;
		if ((s = read_text(w)) == NULL)
			return -1;
		*slot = flag(s);
		return 0;
	}
	return skip(w);
}

static int
thread_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	static const struct dsq_text_field map[] = {
		{ "id", offsetof(struct dsq_thread, ident) },
		{ "link", offsetof(struct dsq_thread, link) },
		{ "title", offsetof(struct dsq_thread, title) },
	};
	int rc = dsq_text(w, ns, out, map, sizeof(map) / sizeof(map[0]));

	return rc != 0 ? (rc > 0 ? 0 : -1) : skip(w);
}

static int
disqus_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	int rc;

	(void)out;
	if (is(w, ns, NS_DISQUS, "thread")) {
		struct dsq_thread t = { "", "", "", "" };
		t.id = disqus_id(w);
		if (children(w, thread_field, &t) != 0)
			return -1;
		rc = w->thread_fn(w->ctx, &t);
	} else if (is(w, ns, NS_DISQUS, "post")) {
		struct dsq_post p;
		memset(&p, 0, sizeof(p));
		p.id = p.thread = p.parent = p.message = p.created = "";
		p.name = p.email = p.username = p.ip = "";
		p.approved = 1;
		p.id = disqus_id(w);
		if (children(w, post_field, &p) != 0)
			return -1;
		rc = w->post_fn(w->ctx, &p);
	} else
		return skip(w);
	arena_reset(&w->item_arena);
	return rc;
}

/* <disqus xmlns="http://disqus.com">: categories, then threads, then posts. */
static int
read_disqus(struct wxr_reader *w)
{
	int ret, type, rc = 0, seen = 0;

	xmlTextReaderSetStructuredErrorHandler(w->r, on_xml_error, w);
	while ((ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (refused_node(w, type))
			return -1;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!is(w, element_ns(w), NS_DISQUS, "disqus")) {
			fail(w, "not a Disqus export (the root element is <%s>, not <disqus xmlns=\"%s\">)",
			     (const char *)xmlTextReaderConstName(w->r), disqus_ns);
			return -1;
		}
		seen = 1;
		rc = children(w, disqus_field, NULL);
		break;
	}
	if (rc != 0)
		return w->failed ? -1 : rc;
	if (w->failed || ret < 0) {
		fail(w, "%s", "malformed XML");
		return -1;
	}
	/* Whatever follows the root must still be well-formed. */
	while ((ret = xmlTextReaderRead(w->r)) == 1)
		if (refused_node(w, xmlTextReaderNodeType(w->r)))
			return -1;
	if (ret < 0 || w->failed) {
		fail(w, "%s", "malformed XML");
		return -1;
	}
	if (!seen) {
		fail(w, "%s", "not a Disqus export (no XML element at all)");
		return -1;
	}
	return 0;
}

int
dsq_read_file(const char *path, dsq_thread_fn thread_fn, dsq_post_fn post_fn, void *ctx,
	      char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		snprintf(err, errlen, "cannot open the file");
		return -1;
	}
	fclose(f);
	return run(xmlReaderForFile(path, NULL, WXR_PARSE_OPTIONS),
		   &(struct wxr_reader){ .thread_fn = thread_fn, .post_fn = post_fn, .ctx = ctx },
		   read_disqus, err, errlen);
}

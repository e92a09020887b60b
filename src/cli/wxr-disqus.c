/* wxr-disqus.c: a Disqus export (<disqus xmlns="http://disqus.com">) read thread by thread, post by post. */
#include "wxr.h"

#include <stddef.h>
#include <string.h>

#include "wxr-reader.h"

/* The dsq:id attribute of the element the reader is on ("" when absent), in the item arena. */
static const char *
disqus_id(struct wxr_reader *w)
{
	/* Scrubbed as all text is: the ids become comment_origins rows. */
	return wxr_attribute_ns(w, "id", WXR_DISQUS_INTERNALS_NS);
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
		if (wxr_is(w, ns, NS_DISQUS, map[i].name))
			return wxr_text_into(w, (const char **)((char *)out + map[i].offset)) == 0 ? 1 : -1;
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

	return rc != 0 ? (rc > 0 ? 0 : -1) : wxr_skip(w);
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
	if (wxr_is(w, ns, NS_DISQUS, "thread") || wxr_is(w, ns, NS_DISQUS, "parent")) {
		const char **slot = wxr_is(w, ns, NS_DISQUS, "thread") ? &p->thread : &p->parent;
		*slot = disqus_id(w);
		return wxr_skip(w);
	}
	if (wxr_is(w, ns, NS_DISQUS, "author"))
		return wxr_children(w, author_field, p);
	if (wxr_is(w, ns, NS_DISQUS, "isDeleted") || wxr_is(w, ns, NS_DISQUS, "isSpam") ||
	    wxr_is(w, ns, NS_DISQUS, "isApproved")) {
		int *slot = wxr_is(w, ns, NS_DISQUS, "isDeleted") ? &p->deleted :
		    wxr_is(w, ns, NS_DISQUS, "isSpam") ? &p->spam : &p->approved;
		if ((s = wxr_text(w)) == NULL)
			return -1;
		*slot = flag(s);
		return 0;
	}
	return wxr_skip(w);
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

	return rc != 0 ? (rc > 0 ? 0 : -1) : wxr_skip(w);
}

static int
disqus_field(struct wxr_reader *w, enum wxr_ns ns, void *out)
{
	int rc;

	(void)out;
	if (wxr_is(w, ns, NS_DISQUS, "thread")) {
		struct dsq_thread t = { "", "", "", "" };
		t.id = disqus_id(w);
		if (wxr_children(w, thread_field, &t) != 0)
			return -1;
		rc = w->thread_fn(w->ctx, &t);
	} else if (wxr_is(w, ns, NS_DISQUS, "post")) {
		struct dsq_post p;
		memset(&p, 0, sizeof(p));
		p.id = p.thread = p.parent = p.message = p.created = "";
		p.name = p.email = p.username = p.ip = "";
		p.approved = 1;
		p.id = disqus_id(w);
		if (wxr_children(w, post_field, &p) != 0)
			return -1;
		rc = w->post_fn(w->ctx, &p);
	} else
		return wxr_skip(w);
	arena_reset(&w->item_arena);
	return rc;
}

/* <disqus xmlns="http://disqus.com">: categories, then threads, then posts. */
static int
read_disqus(struct wxr_reader *w)
{
	int ret, type, rc = 0, seen = 0;

	xmlTextReaderSetStructuredErrorHandler(w->r, wxr_on_xml_error, w);
	while ((ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (wxr_refused_node(w, type))
			return -1;
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!wxr_is(w, wxr_element_ns(w), NS_DISQUS, "disqus")) {
			wxr_fail(w, "not a Disqus export (the root element is <%s>, not <disqus xmlns=\"%s\">)",
			     (const char *)xmlTextReaderConstName(w->r), WXR_DISQUS_NS);
			return -1;
		}
		seen = 1;
		rc = wxr_children(w, disqus_field, NULL);
		break;
	}
	if (rc != 0)
		return w->failed ? -1 : rc;
	if (w->failed || ret < 0) {
		wxr_fail(w, "%s", "malformed XML");
		return -1;
	}
	/* Whatever follows the root must still be well-formed. */
	while ((ret = xmlTextReaderRead(w->r)) == 1)
		if (wxr_refused_node(w, xmlTextReaderNodeType(w->r)))
			return -1;
	if (ret < 0 || w->failed) {
		wxr_fail(w, "%s", "malformed XML");
		return -1;
	}
	if (!seen) {
		wxr_fail(w, "%s", "not a Disqus export (no XML element at all)");
		return -1;
	}
	return 0;
}

int
dsq_read_file(const char *path, dsq_thread_fn thread_fn, dsq_post_fn post_fn, void *ctx,
	      char *err, size_t errlen)
{
	return wxr_run_file(path, &(struct wxr_reader){ .thread_fn = thread_fn, .post_fn = post_fn,
			    .ctx = ctx }, read_disqus, err, errlen);
}

int
dsq_read_memory(const char *data, size_t len, dsq_thread_fn thread_fn, dsq_post_fn post_fn,
		void *ctx, char *err, size_t errlen)
{
	return wxr_run_memory(data, len, &(struct wxr_reader){ .thread_fn = thread_fn,
			      .post_fn = post_fn, .ctx = ctx }, read_disqus, err, errlen);
}

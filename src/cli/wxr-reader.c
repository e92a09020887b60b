/* wxr-reader.c: the streaming XML reader (libxml2's xmlTextReader) under the WordPress and Disqus imports. */
#include "wxr-reader.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "buf.h"
#include "render.h"

/* The options every read uses: no network, no DTD loaded, no entity substituted. */
#define WXR_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

void
wxr_fail(struct wxr_reader *w, const char *fmt, ...)
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
void
wxr_on_xml_error(void *arg, xmlErrorPtr e)
{
	struct wxr_reader *w = arg;
	xmlParserCtxtPtr ctxt;
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
	/* libxml2's reader says "Extra content at the end" where the input just stops. */
	ctxt = e->ctxt;
	if (e->code == XML_ERR_DOCUMENT_END && ctxt != NULL && ctxt->nameNr > 0)
		snprintf(w->err, w->errlen, "%s",
			 "the export ends in the middle of an element (truncated?)");
	else
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
enum wxr_ns
wxr_element_ns(struct wxr_reader *w)
{
	const char *uri = (const char *)xmlTextReaderConstNamespaceUri(w->r);

	if (uri == NULL)
		return NS_NONE;
	if (strcmp(uri, "http://purl.org/rss/1.0/modules/content/") == 0)
		return NS_CONTENT;
	if (strcmp(uri, "http://purl.org/dc/elements/1.1/") == 0)
		return NS_DC;
	if (strcmp(uri, WXR_DISQUS_NS) == 0)
		return NS_DISQUS;
	if (strncmp(uri, WXR_WP_NS, sizeof(WXR_WP_NS) - 1) == 0) {
		const char *v = uri + sizeof(WXR_WP_NS) - 1;
		if (strcmp(v, "1.0/") == 0 || strcmp(v, "1.1/") == 0 || strcmp(v, "1.2/") == 0) {
			w->wp_seen = 1;
			if (w->site.version == NULL)
				w->site.version = arena_strndup(&w->site_arena, v, 3);
			return NS_WP;
		}
		if (strstr(v, "/excerpt/") == NULL) {
			wxr_fail(w, "unknown WXR version (namespace %s; parley reads 1.0 to 1.2)", uri);
			return NS_OTHER;
		}
	}
	return NS_OTHER;
}

int
wxr_is(struct wxr_reader *w, enum wxr_ns ns, enum wxr_ns want, const char *local)
{
	return ns == want && strcmp((const char *)xmlTextReaderConstLocalName(w->r), local) == 0;
}

/* Node types that mean the document tries entities: refused outright. */
int
wxr_refused_node(struct wxr_reader *w, int type)
{
	if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
		wxr_fail(w, "%s", "a DTD is declared (an export has none; entities are refused)");
		return 1;
	}
	if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
		wxr_fail(w, "%s", "an entity reference to a declared entity (refused)");
		return 1;
	}
	return 0;
}

/*
 * The text inside the element the reader is on (CDATA included, entities
 * decoded by libxml2), read up to its end tag; trimmed, with what
 * utf8_valid_text refuses replaced, in the item arena.  NULL on failure.
 */
const char *
wxr_text(struct wxr_reader *w)
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
		if (wxr_refused_node(w, type))
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
				wxr_fail(w, "%s", "a field larger than 32 MiB (refused)");
				goto done;
			}
		}
	}
	if (ret != 1) {
		wxr_fail(w, "%s", "the export ends in the middle of an element (truncated?)");
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
/* v scrubbed into the item arena and freed ("" when NULL). */
static const char *
scrubbed(struct wxr_reader *w, xmlChar *v)
{
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

const char *
wxr_attribute(struct wxr_reader *w, const char *name)
{
	return scrubbed(w, xmlTextReaderGetAttribute(w->r, (const xmlChar *)name));
}

const char *
wxr_attribute_ns(struct wxr_reader *w, const char *name, const char *uri)
{
	return scrubbed(w, xmlTextReaderGetAttributeNs(w->r, (const xmlChar *)name,
						       (const xmlChar *)uri));
}

/*
 * Walk the children of the element the reader is on: for each child
 * element, call field(w, ns, out), which reads or skips it; with field
 * NULL, skip them all.  0 at the element's end tag, -1 on failure.
 */
int
wxr_children(struct wxr_reader *w, wxr_field_fn field, void *out)
{
	int depth, ret, type;

	if (xmlTextReaderIsEmptyElement(w->r))
		return 0;
	depth = xmlTextReaderDepth(w->r);
	while ((ret = xmlTextReaderRead(w->r)) == 1) {
		type = xmlTextReaderNodeType(w->r);
		if (wxr_refused_node(w, type))
			return -1;
		if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(w->r) == depth)
			return 0;
		if (type != XML_READER_TYPE_ELEMENT || field == NULL)
			continue;
		if (field(w, wxr_element_ns(w), out) != 0 || w->failed)
			return -1;
	}
	wxr_fail(w, "%s", "the export ends in the middle of an element (truncated?)");
	return -1;
}

/* Read into *slot the text of the current element. */
/* Skip the element the reader is on, children and all.  0, or -1. */
int
wxr_skip(struct wxr_reader *w)
{
	return wxr_children(w, NULL, NULL);
}

int
wxr_text_into(struct wxr_reader *w, const char **slot)
{
	const char *s = wxr_text(w);

	if (s == NULL)
		return -1;
	*slot = s;
	return 0;
}

/* Read with w's callbacks set: document is the WXR or the Disqus reader. */
static int
run(xmlTextReaderPtr r, const struct wxr_reader *wp, wxr_document_fn document, char *err,
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
wxr_run_file(const char *path, const struct wxr_reader *w, wxr_document_fn document, char *err,
	     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	int empty;

	/* libxml2 says little about a missing or empty file: say it first. */
	if (f == NULL) {
		snprintf(err, errlen, "cannot open the file");
		return -1;
	}
	empty = fgetc(f) == EOF;
	fclose(f);
	if (empty) {
		snprintf(err, errlen, "the file is empty");
		return -1;
	}
	return run(xmlReaderForFile(path, NULL, WXR_PARSE_OPTIONS), w, document, err, errlen);
}

int
wxr_run_memory(const char *data, size_t len, const struct wxr_reader *w,
	       wxr_document_fn document, char *err, size_t errlen)
{
	if (len > (size_t)INT32_MAX) {
		snprintf(err, errlen, "too large");
		return -1;
	}
	return run(xmlReaderForMemory(data, (int)len, NULL, NULL, WXR_PARSE_OPTIONS), w, document,
		   err, errlen);
}

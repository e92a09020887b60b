/* wxr-reader.h: the streaming XML reader the WordPress and Disqus imports share (src/cli only). */
#ifndef PARLEY_WXR_READER_H
#define PARLEY_WXR_READER_H

#include <stddef.h>

#include <libxml/xmlreader.h>

#include "arena.h"
#include "wxr.h"

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

#define WXR_WP_NS "http://wordpress.org/export/"            /* then 1.0/, 1.1/ or 1.2/ */
#define WXR_DISQUS_NS "http://disqus.com"
#define WXR_DISQUS_INTERNALS_NS "http://disqus.com/disqus-internals"

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
void wxr_fail(struct wxr_reader *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* libxml2's first complaint becomes that line (a structured error handler). */
void wxr_on_xml_error(void *arg, xmlErrorPtr e);
/* Which namespace the element is in; an unknown WordPress version fails the read. */
enum wxr_ns wxr_element_ns(struct wxr_reader *w);
/* Is the element in namespace want (ns being its own) and named local? */
int wxr_is(struct wxr_reader *w, enum wxr_ns ns, enum wxr_ns want, const char *local);
/* A DTD or a declared entity's reference: fails the read, 1; else 0. */
int wxr_refused_node(struct wxr_reader *w, int type);
/*
 * The text inside the element the reader is on (CDATA included, entities
 * decoded by libxml2), read up to its end tag; trimmed, with what
 * utf8_valid_text refuses replaced, in the item arena.  NULL on failure.
 */
const char *wxr_text(struct wxr_reader *w);
/* wxr_text into *slot: 0, or -1. */
int wxr_text_into(struct wxr_reader *w, const char **slot);
/* An attribute's value in the item arena ("" when absent). */
const char *wxr_attribute(struct wxr_reader *w, const char *name);
/* The same for an attribute in the namespace uri. */
const char *wxr_attribute_ns(struct wxr_reader *w, const char *name, const char *uri);

/*
 * Walk the children of the element the reader is on: for each child
 * element, call field(w, ns, out), which reads or skips it; with field
 * NULL, skip them all.  0 at the element's end tag, -1 on failure.
 */
typedef int (*wxr_field_fn)(struct wxr_reader *w, enum wxr_ns ns, void *out);
int wxr_children(struct wxr_reader *w, wxr_field_fn field, void *out);
/* Skip the element the reader is on, children and all.  0, or -1. */
int wxr_skip(struct wxr_reader *w);

/*
 * Read a file, or a document in memory, with w's callbacks set (w is
 * copied): document (the WXR or the Disqus reader) walks it.  No network,
 * no DTD loaded, no entity substituted, no external resource opened.
 * document's value, or -1 with one line in err.
 */
typedef int (*wxr_document_fn)(struct wxr_reader *w);
int wxr_run_file(const char *path, const struct wxr_reader *w, wxr_document_fn document,
		 char *err, size_t errlen);
int wxr_run_memory(const char *data, size_t len, const struct wxr_reader *w,
		   wxr_document_fn document, char *err, size_t errlen);

#endif

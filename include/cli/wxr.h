/* wxr.h: reading a WordPress export (WXR 1.0-1.2) with libxml2's streaming reader, and its HTML as Markdown. */
#ifndef PARLEY_WXR_H
#define PARLEY_WXR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/*
 * Only the parley command links libxml2: this header and
 * src/cli/wxr*.c are never part of a responder.
 */

/* One <wp:comment>, its fields as exported (strings UTF-8, trimmed, never NULL). */
struct wxr_comment {
	int64_t id;             /* wp:comment_id */
	int64_t parent;         /* wp:comment_parent, 0 for none */
	const char *approved;   /* wp:comment_approved: "1", "0", "spam", "trash", ... */
	const char *type;       /* wp:comment_type: "", "comment", "pingback", "trackback" */
	const char *author, *email, *url, *ip;
	const char *date_gmt, *date;   /* "YYYY-MM-DD HH:MM:SS" */
	const char *content;    /* HTML as stored by WordPress */
};

/* A <category> of an item: a tag or a category, by its domain attribute. */
struct wxr_term {
	const char *domain;     /* "post_tag", "category", ... */
	const char *nicename;   /* the slug at the source */
	const char *name;
};

/* One <item> of the channel: a post, a page, an attachment, a menu item... */
struct wxr_item {
	const char *title, *link, *creator;
	const char *content;            /* content:encoded, HTML */
	int64_t id;                     /* wp:post_id */
	int64_t parent;                 /* wp:post_parent */
	const char *date_gmt, *date;    /* wp:post_date_gmt, wp:post_date */
	const char *modified_gmt, *modified;    /* wp:post_modified_gmt, wp:post_modified */
	const char *comment_status;     /* "open", "closed" */
	const char *name;               /* wp:post_name, the slug */
	const char *status;             /* "publish", "draft", "private", "trash", ... */
	const char *type;               /* "post", "page", "attachment", ... */
	const char *attachment_url;     /* attachments only */
	struct wxr_term *terms;
	size_t nterms;
	struct wxr_comment *comments;   /* in document order */
	size_t ncomments;
};

/* What the channel said about the site, known once the first item is read. */
struct wxr_site {
	const char *version;    /* "1.0", "1.1" or "1.2" (from the namespace) */
	const char *link;       /* the site's address: channel <link> or wp:base_blog_url */
};

/*
 * Called once per <item>, in document order; strings live in the arena
 * given, which is reset after each item, so memory follows the largest item
 * and never the file.  Returns 0 to go on, or non-zero to stop the read
 * (wxr_read then returns that value, err untouched).
 */
typedef int (*wxr_item_fn)(void *ctx, const struct wxr_site *site, const struct wxr_item *item);

/*
 * Stream a WordPress export through fn with libxml2's xmlTextReader: the
 * declared encoding is honoured (text reaches fn as UTF-8), namespaces are
 * matched by URI whatever prefix binds them, the network is never used and
 * no DTD is allowed, so neither an external entity nor an entity bomb gets
 * in.  Returns 0 after the last item, fn's value when it stopped the read,
 * or -1 with one line in err (malformed or truncated XML, not WXR, an
 * unknown WXR version).  A caller that must import nothing of a bad file
 * holds one transaction over the whole read.
 */
int wxr_read_file(const char *path, wxr_item_fn fn, void *ctx, char *err, size_t errlen);
/* The same over a document held in memory (tests and the fuzzer). */
int wxr_read_memory(const char *data, size_t len, wxr_item_fn fn, void *ctx, char *err,
		    size_t errlen);

/* A Disqus export (<disqus xmlns="http://disqus.com">): its threads, then its posts. */
struct dsq_thread {
	const char *id;         /* dsq:id */
	const char *ident;      /* <id>: the site's identifier ("123 https://...?p=123" from WordPress) */
	const char *link;       /* the page's address */
	const char *title;
};
struct dsq_post {
	const char *id;         /* dsq:id */
	const char *thread;     /* its thread's dsq:id */
	const char *parent;     /* the dsq:id it replies to, "" for none */
	const char *message;    /* HTML */
	const char *created;    /* "2024-05-02T10:00:00Z" */
	const char *name, *email, *username, *ip;
	int deleted, spam, approved;    /* isDeleted, isSpam, isApproved (1 when absent) */
};
typedef int (*dsq_thread_fn)(void *ctx, const struct dsq_thread *t);
typedef int (*dsq_post_fn)(void *ctx, const struct dsq_post *p);
/*
 * Stream a Disqus export through the callbacks, with the same reader and
 * safeguards as wxr_read_file; strings live until the callback returns.
 * 0, a callback's non-zero value, or -1 with one line in err.
 */
int dsq_read_file(const char *path, dsq_thread_fn thread_fn, dsq_post_fn post_fn, void *ctx,
		  char *err, size_t errlen);
/* The same over a document held in memory (tests and the fuzzer). */
int dsq_read_memory(const char *data, size_t len, dsq_thread_fn thread_fn, dsq_post_fn post_fn,
		    void *ctx, char *err, size_t errlen);

/* WordPress shortcodes met while converting, for the import's summary. */
enum wxr_shortcode {
	WXR_SC_CAPTION,         /* [caption]: the image with its caption */
	WXR_SC_GALLERY,         /* [gallery]: its images, or a line saying one was here */
	WXR_SC_EMBED,           /* [embed], [youtube], [vimeo], ...: a link */
	WXR_SC_AUDIO,           /* [audio]: a link to the file */
	WXR_SC_VIDEO,           /* [video]: a link to the file */
	WXR_SC_UNKNOWN,         /* anything else: the tags removed, enclosed text kept */
	WXR_SC__MAX
};

/* An attachment of the export, for [gallery]: its id, its post, its file. */
struct wxr_attachment {
	int64_t id;
	int64_t parent;
	const char *url;
};

/* How WordPress HTML becomes Markdown. */
struct wxr_convert {
	const struct wxr_attachment *attachments;  /* sorted by id; may be NULL */
	size_t nattachments;
	int64_t post_id;        /* the item's id, for [gallery] without ids */
	int shortcodes;         /* expand shortcodes (posts); comments keep the text */
	int counts[WXR_SC__MAX];  /* incremented as shortcodes are met */
};

/*
 * Turn WordPress HTML into CommonMark: shortcodes first (when conv asks),
 * then HTML5's named character references as numeric ones
 * (wxr_html5_entities), then libxml2's HTML parser (broken markup
 * mended), then the tree as Markdown: paragraphs (WordPress's blank lines
 * too), line breaks, emphasis, code, links and images (http, https,
 * mailto and relative addresses only), lists, quotes, headings, rules,
 * figures with captions, tables as one line a row with cells separated by
 * " | "; script, style and forms dropped; Markdown punctuation in text
 * escaped.  The result is acceptable text (utf8_valid_text), in the arena.
 */
char *wxr_html_to_markdown(struct arena *a, const char *html, size_t len,
			   struct wxr_convert *conv);

/*
 * Append s to out with every HTML5 named character reference that ends in
 * ';' ("&check;", "&NewLine;", "&bigstar;": the WHATWG list, generated
 * into wxr-entity-table.inc) written as numeric ones ("&#x2192;"), which
 * libxml2's HTML parser, knowing HTML 4's names only, reads; as text,
 * so "&LT;" never becomes markup.  Unknown names stay as written.
 */
struct buf;
void wxr_html5_entities(struct buf *out, const char *s, size_t len);

/*
 * The shortcode pass alone: WordPress HTML in, HTML out with [caption],
 * [gallery], [embed], [audio] and [video] as HTML and other shortcodes
 * removed, counted in conv.  "[[x]]" is WordPress's way to write "[x]".
 */
char *wxr_shortcodes(struct arena *a, const char *html, size_t len, struct wxr_convert *conv);

#endif

/* wxr-shortcodes.c: WordPress shortcodes ([caption], [gallery], [embed], ...) turned into plain HTML before conversion. */
#include "wxr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

/* A shortcode's opening tag is at most this long; longer brackets are text. */
#define SC_MAX_TAG 4096
#define SC_MAX_ATTRS 16

/* Names read as embeds: WordPress's own and WordPress.com's. */
static const char *const embed_names[] = {
	"embed", "youtube", "vimeo", "soundcloud", "spotify", "tweet", "twitter",
	"instagram", "dailymotion", "ted", "flickr", "slideshare", "googlemaps",
};
/* Plugin shortcodes common enough to be removed even when written bare ([toc]). */
static const char *const bare_unknown_names[] = {
	"toc", "contact-form", "contact-form-7", "wpforms", "playlist", "archives",
	"sitemap", "polldaddy", "slideshow", "recipe", "gravityform", "mailpoet_form",
	"more", "nextpage", "fbcomments", "ninja_form", "sharethis",
};

struct sc_attr {
	const char *name;       /* NULL for a positional value */
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct sc_tag {
	const char *name;
	size_t name_len;
	struct sc_attr attrs[SC_MAX_ATTRS];
	size_t nattrs;
	size_t len;             /* bytes of the opening tag, brackets included */
	int self_closing;
};

static int
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static int
name_is(const struct sc_tag *t, const char *name)
{
	return t->name_len == strlen(name) && strncasecmp(t->name, name, t->name_len) == 0;
}

static int
name_in(const struct sc_tag *t, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (name_is(t, names[i]))
			return 1;
	return 0;
}

/*
 * Parse an opening tag at s ('[' first): name, then attributes
 * (name="v", name='v', name=v, "v", v) up to ']'.  0 when s holds none.
 */
static int
parse_tag(const char *s, size_t len, struct sc_tag *t)
{
	size_t i = 1, max = len < SC_MAX_TAG ? len : SC_MAX_TAG;

	memset(t, 0, sizeof(*t));
	t->name = s + 1;
	while (i < max && name_char(s[i]))
		i++;
	t->name_len = i - 1;
	if (t->name_len == 0 || !isalpha((unsigned char)s[1]) || i >= max ||
	    (s[i] != ']' && s[i] != ' ' && s[i] != '/' && s[i] != '\t' && s[i] != '\n'))
		return 0;
	for (;;) {
		struct sc_attr a = { NULL, 0, NULL, 0 };
		while (i < max && isspace((unsigned char)s[i]))
			i++;
		if (i >= max || s[i] == '[')
			return 0;
		if (s[i] == ']') {
			t->len = i + 1;
			return 1;
		}
		if (s[i] == '/' && i + 1 < max && s[i + 1] == ']') {
			t->self_closing = 1;
			t->len = i + 2;
			return 1;
		}
		if (s[i] != '"' && s[i] != '\'') {
			size_t start = i;
			while (i < max && name_char(s[i]))
				i++;
			if (i < max && s[i] == '=' && i > start) {
				a.name = s + start;
				a.name_len = i - start;
				i++;
			} else
				i = start;
		}
		if (i < max && (s[i] == '"' || s[i] == '\'')) {
			char quote = s[i];
			size_t start = ++i;
			while (i < max && s[i] != quote)
				i++;
			if (i >= max)
				return 0;
			a.value = s + start;
			a.value_len = i - start;
			i++;
		} else {
			size_t start = i;
			while (i < max && !isspace((unsigned char)s[i]) && s[i] != ']' &&
			       !(s[i] == '/' && i + 1 < max && s[i + 1] == ']'))
				i++;
			if (i == start)
				return 0;
			a.value = s + start;
			a.value_len = i - start;
		}
		if (t->nattrs < SC_MAX_ATTRS)
			t->attrs[t->nattrs++] = a;
	}
}

/* Does the tag have a name="value" attribute (what sets a shortcode apart from "[a note]")? */
static int
named_attrs(const struct sc_tag *t)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].name != NULL)
			return 1;
	return 0;
}

/* The named attribute's value as a string in the arena, or NULL. */
static const char *
attr(struct arena *a, const struct sc_tag *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].name != NULL && t->attrs[i].name_len == strlen(name) &&
		    strncasecmp(t->attrs[i].name, name, t->attrs[i].name_len) == 0)
			return arena_strndup(a, t->attrs[i].value, t->attrs[i].value_len);
	return NULL;
}

/* The first positional value ([youtube URL]), or NULL. */
static const char *
positional(struct arena *a, const struct sc_tag *t)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].name == NULL)
			return arena_strndup(a, t->attrs[i].value, t->attrs[i].value_len);
	return NULL;
}

/* Where "[/name]" closes the tag, searching from s; NULL when it is not closed. */
static const char *
find_close(const char *s, const char *end, const struct sc_tag *t)
{
	const char *p;

	for (p = s; p + t->name_len + 3 <= end; p++)
		if (p[0] == '[' && p[1] == '/' && strncasecmp(p + 2, t->name, t->name_len) == 0 &&
		    p[2 + t->name_len] == ']')
			return p;
	return NULL;
}

/*
 * Write s as the value of an HTML attribute in double quotes.  s is
 * WordPress HTML source already, so entities stay as written; only what
 * would end the attribute or open a tag is escaped.
 */
static void
put_attr(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			buf_puts(out, "&quot;");
		else if (*s == '<')
			buf_puts(out, "&lt;");
		else if (*s == '>')
			buf_puts(out, "&gt;");
		else
			buf_putc(out, *s);
	}
}

/* Trim white space and a pair of quotes; "" stays "". */
static const char *
trimmed(struct arena *a, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return arena_strndup(a, s, len);
}

static int
web_url(const char *u)
{
	return u != NULL && (strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0) &&
	    strpbrk(u, " \t\r\n\"<>") == NULL;
}

/* A link on its own line: "Label: URL", or the URL alone. */
static void
put_link(struct buf *out, const char *label, const char *url)
{
	buf_puts(out, "\n\n<p>");
	if (label != NULL) {
		buf_puts(out, label);
		buf_puts(out, ": ");
	}
	buf_puts(out, "<a href=\"");
	put_attr(out, url);
	buf_puts(out, "\">");
	put_attr(out, url);
	buf_puts(out, "</a></p>\n\n");
}

/*
 * [caption id=".." align=".." width=".." caption="old style"]<a><img></a>
 * Caption text[/caption]: a figure holding the image, then the caption.
 */
static void
put_caption(struct arena *a, struct buf *out, const struct sc_tag *t, const char *inner,
	    size_t len)
{
	const char *img = NULL, *p, *end = inner + len, *cut, *text;

	for (p = inner; p + 4 <= end; p++)
		if (strncasecmp(p, "<img", 4) == 0)
			img = p;
	cut = inner;
	if (img != NULL) {
		cut = memchr(img, '>', (size_t)(end - img));
		cut = cut ? cut + 1 : end;
		p = cut;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p >= 4 && strncasecmp(p, "</a>", 4) == 0)
			cut = p + 4;
	}
	text = trimmed(a, cut, (size_t)(end - cut));
	if (*text == '\0' && (p = attr(a, t, "caption")) != NULL)
		text = p;
	buf_puts(out, "\n\n<figure>");
	buf_append(out, inner, (size_t)(cut - inner));
	if (*text != '\0') {
		buf_puts(out, "<figcaption>");
		buf_puts(out, text);
		buf_puts(out, "</figcaption>");
	}
	buf_puts(out, "</figure>\n\n");
}

static int
attachment_cmp(const void *key, const void *elem)
{
	int64_t id = *(const int64_t *)key;
	const struct wxr_attachment *at = elem;

	return id < at->id ? -1 : id > at->id;
}

static void
put_image(struct buf *out, const char *url)
{
	buf_puts(out, "<img src=\"");
	put_attr(out, url);
	buf_puts(out, "\" alt=\"\"> ");
}

/* [gallery ids="1,2"] or [gallery] (the post's own attachments): a figure of images. */
static void
put_gallery(struct arena *a, struct buf *out, const struct sc_tag *t, const struct wxr_convert *conv)
{
	const char *ids = attr(a, t, "ids"), *p;
	size_t i, n = 0;

	buf_puts(out, "\n\n<figure>");
	if (ids != NULL) {
		for (p = ids; *p; ) {
			char *next;
			int64_t id = strtoll(p, &next, 10);
			const struct wxr_attachment *at = conv->attachments == NULL ? NULL :
			    bsearch(&id, conv->attachments, conv->nattachments,
				    sizeof(*conv->attachments), attachment_cmp);
			if (at != NULL && web_url(at->url)) {
				put_image(out, at->url);
				n++;
			}
			if (next == p)
				next++;
			p = next;
			while (*p == ',' || *p == ' ')
				p++;
		}
	} else {
		for (i = 0; i < conv->nattachments; i++)
			if (conv->attachments[i].parent == conv->post_id &&
			    conv->post_id != 0 && web_url(conv->attachments[i].url)) {
				put_image(out, conv->attachments[i].url);
				n++;
			}
	}
	if (n == 0)
		buf_puts(out, "<figcaption>(A gallery was here; its images are not in the export.)</figcaption>");
	buf_puts(out, "</figure>\n\n");
}

/* The address an [audio] or [video] names: src, or one of its format attributes. */
static const char *
media_url(struct arena *a, const struct sc_tag *t, const char *const *keys, size_t nkeys,
	  const char *inner)
{
	const char *u;
	size_t i;

	for (i = 0; i < nkeys; i++)
		if ((u = attr(a, t, keys[i])) != NULL && web_url(u))
			return u;
	if ((u = positional(a, t)) != NULL && web_url(u))
		return u;
	return web_url(inner) ? inner : NULL;
}

char *
wxr_shortcodes(struct arena *a, const char *html, size_t len, struct wxr_convert *conv)
{
	static const char *const audio_keys[] = { "src", "mp3", "m4a", "ogg", "wav", "url" };
	static const char *const video_keys[] = { "src", "mp4", "m4v", "webm", "ogv", "flv", "url" };
	const char *end = html + len, *p = html, *close, *inner_start;
	struct buf out = BUF_INIT;
	struct sc_tag t;
	char *result;

	while (p < end) {
		const char *bracket = memchr(p, '[', (size_t)(end - p));
		const char *inner = "";
		size_t inner_len = 0, after;
		if (bracket == NULL) {
			buf_append(&out, p, (size_t)(end - p));
			break;
		}
		buf_append(&out, p, (size_t)(bracket - p));
		p = bracket;
		/* [[name ...]] is WordPress's way to show a shortcode as text. */
		if (end - p > 2 && p[1] == '[' && parse_tag(p + 1, (size_t)(end - p - 1), &t) &&
		    p + 1 + t.len < end && p[1 + t.len] == ']') {
			buf_append(&out, p + 1, t.len);
			p += t.len + 2;
			continue;
		}
		/* A stray closing tag of a shortcode: dropped. */
		if (end - p > 3 && p[1] == '/') {
			const char *q = p + 2;
			while (q < end && name_char(*q))
				q++;
			if (q < end && *q == ']' && q > p + 2) {
				struct sc_tag named;
				memset(&named, 0, sizeof(named));
				named.name = p + 2;
				named.name_len = (size_t)(q - p - 2);
				if (name_is(&named, "caption") || name_is(&named, "embed") ||
				    name_in(&named, embed_names, sizeof(embed_names) / sizeof(*embed_names)) ||
				    name_is(&named, "audio") || name_is(&named, "video") ||
				    name_is(&named, "gallery")) {
					p = q + 1;
					continue;
				}
			}
		}
		if (!parse_tag(p, (size_t)(end - p), &t)) {
			buf_putc(&out, '[');
			p++;
			continue;
		}
		inner_start = p + t.len;
		close = t.self_closing ? NULL : find_close(inner_start, end, &t);
		if (close != NULL) {
			inner = inner_start;
			inner_len = (size_t)(close - inner_start);
			after = (size_t)(close - p) + t.name_len + 3;
		} else
			after = t.len;
		if (name_is(&t, "caption") || name_is(&t, "wp_caption")) {
			conv->counts[WXR_SC_CAPTION]++;
			put_caption(a, &out, &t, inner, inner_len);
		} else if (name_is(&t, "gallery")) {
			conv->counts[WXR_SC_GALLERY]++;
			put_gallery(a, &out, &t, conv);
		} else if (name_in(&t, embed_names, sizeof(embed_names) / sizeof(*embed_names))) {
			const char *u = trimmed(a, inner, inner_len);
			conv->counts[WXR_SC_EMBED]++;
			if (!web_url(u))
				u = attr(a, &t, "url");
			if (!web_url(u))
				u = attr(a, &t, "src");
			if (!web_url(u))
				u = positional(a, &t);
			if (web_url(u))
				put_link(&out, NULL, u);
		} else if (name_is(&t, "audio") || name_is(&t, "video")) {
			int audio = name_is(&t, "audio");
			const char *u = media_url(a, &t, audio ? audio_keys : video_keys,
			    audio ? sizeof(audio_keys) / sizeof(*audio_keys) :
				    sizeof(video_keys) / sizeof(*video_keys),
			    trimmed(a, inner, inner_len));
			conv->counts[audio ? WXR_SC_AUDIO : WXR_SC_VIDEO]++;
			if (u != NULL)
				put_link(&out, audio ? "Audio" : "Video", u);
		} else if (close != NULL || named_attrs(&t) ||
			   name_in(&t, bare_unknown_names,
				   sizeof(bare_unknown_names) / sizeof(*bare_unknown_names))) {
			/* Unknown: the tags go, what they enclosed stays. */
			conv->counts[WXR_SC_UNKNOWN]++;
			buf_append(&out, inner, inner_len);
		} else {
			/* "[sic]", "[1]": text in brackets, not a shortcode. */
			buf_putc(&out, '[');
			p++;
			continue;
		}
		p += after;
	}
	result = arena_strndup(a, out.data ? out.data : "", out.len);
	buf_free(&out);
	return result;
}

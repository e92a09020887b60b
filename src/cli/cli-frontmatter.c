/* cli-frontmatter.c: the front-matter block of a post file: keys, checks, messages. */
#include "frontmatter.h"

#include "text.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


enum fm_key { KEY_TITLE, KEY_SLUG, KEY_DATE, KEY_AUTHOR, KEY_TAGS, KEY_DRAFT,
	KEY_COMMENTS, KEY__MAX };

static const char *const fm_key_names[KEY__MAX] = {
	"title", "slug", "date", "author", "tags", "draft", "comments",
};

/* One line of the file: [start, start + len) without its "\n" or "\r\n". */
struct fm_line {
	const char *start;
	size_t len;
	int number;
};

static int __attribute__((format(printf, 5, 6)))
fm_error(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", file, line, what);
	return -1;
}

/* Take the next line from *p (before end) into l; 0 at the end of the text. */
static int
next_line(const char **p, const char *end, struct fm_line *l)
{
	const char *nl;

	if (*p >= end)
		return 0;
	l->start = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	l->len = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	if (l->len > 0 && l->start[l->len - 1] == '\r')
		l->len--;
	l->number++;
	return 1;
}

static int
is_fence(const struct fm_line *l)
{
	size_t n = l->len;

	while (n > 3 && (l->start[n - 1] == ' ' || l->start[n - 1] == '\t'))
		n--;
	return n == 3 && memcmp(l->start, "---", 3) == 0;
}

/* s[0, len) without surrounding blanks, copied into the arena. */
static char *
trimmed(struct arena *a, const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return arena_strndup(a, s, len);
}

/* A value without one pair of matching surrounding quotes. */
static char *
unquoted(struct arena *a, char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		return arena_strndup(a, v + 1, n - 2);
	return v;
}

/* Split "a, b, ,c" into trimmed, non-empty names. */
static void
split_tags(struct arena *a, const char *v, struct frontmatter *out)
{
	size_t n = 1, i;
	const char *p;

	for (p = v; *p != '\0'; p++)
		n += *p == ',';
	out->tags = arena_zalloc(a, n * sizeof(*out->tags));
	out->ntags = 0;
	for (p = v, i = 0; i < n; i++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *name = unquoted(a, trimmed(a, p, len));

		if (*name != '\0')
			out->tags[out->ntags++] = name;
		p += len + (comma != NULL);
	}
}

/* Check every line is text: no NUL, valid UTF-8, no control bytes but tab. */
static int
check_text(const char *file, const char *text, size_t len, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	struct fm_line l = { NULL, 0, 0 };

	while (next_line(&p, end, &l)) {
		if (memchr(l.start, '\0', l.len) != NULL)
			return fm_error(err, errlen, file, l.number, "NUL byte in the file");
		if (!utf8_valid_text(l.start, l.len))
			return fm_error(err, errlen, file, l.number,
			    "invalid UTF-8 or a control character");
	}
	return 0;
}

/* Apply one "key: value" line.  0, or -1 with err. */
static int
apply_key(struct arena *a, const char *file, const struct fm_line *l, int seen[KEY__MAX],
	  struct frontmatter *out, int *title_line, char *err, size_t errlen)
{
	const char *colon = memchr(l->start, ':', l->len);
	char *key, *value;
	int k;

	if (colon == NULL)
		return fm_error(err, errlen, file, l->number,
		    "expected 'key: value' or the closing ---");
	key = trimmed(a, l->start, (size_t)(colon - l->start));
	value = unquoted(a, trimmed(a, colon + 1, l->len - (size_t)(colon + 1 - l->start)));
	for (k = 0; k < KEY__MAX; k++)
		if (strcmp(key, fm_key_names[k]) == 0)
			break;
	if (k == KEY__MAX)
		return fm_error(err, errlen, file, l->number, "unknown key '%s' (known: title, "
		    "slug, date, author, tags, draft, comments)", key);
	if (seen[k])
		return fm_error(err, errlen, file, l->number, "'%s' given twice", key);
	seen[k] = 1;
	switch (k) {
	case KEY_TITLE:
		if (*value == '\0')
			return fm_error(err, errlen, file, l->number, "the title is empty");
		out->title = value;
		*title_line = l->number;
		break;
	case KEY_SLUG:
		if (!slug_valid(value))
			return fm_error(err, errlen, file, l->number, "bad slug '%s' (use lowercase "
			    "letters, digits and single hyphens)", value);
		out->slug = value;
		break;
	case KEY_DATE:
		if (date_parse(value, &out->date) != 0 || out->date <= 0)
			return fm_error(err, errlen, file, l->number, "bad date '%s' (use RFC 3339, "
			    "e.g. 2026-04-26T09:30:00Z)", value);
		break;
	case KEY_AUTHOR:
		out->author = value;
		break;
	case KEY_TAGS:
		split_tags(a, value, out);
		break;
	case KEY_DRAFT:
		if (strcmp(value, "true") == 0)
			out->draft = 1;
		else if (strcmp(value, "false") == 0)
			out->draft = 0;
		else
			return fm_error(err, errlen, file, l->number,
			    "draft must be true or false, not '%s'", value);
		break;
	case KEY_COMMENTS:
		if (strcmp(value, "open") == 0)
			out->comments_open = 1;
		else if (strcmp(value, "closed") == 0)
			out->comments_open = 0;
		else
			return fm_error(err, errlen, file, l->number,
			    "comments must be open or closed, not '%s'", value);
		break;
	}
	return 0;
}

int
frontmatter_parse(struct arena *a, const char *file, const char *text, size_t len,
		  struct frontmatter *out, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	struct fm_line l = { NULL, 0, 0 };
	int seen[KEY__MAX] = { 0 }, title_line = 1, closed = 0;

	memset(out, 0, sizeof(*out));
	out->author = "";
	out->comments_open = 1;
	if (check_text(file, text, len, err, errlen) != 0)
		return -1;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;   /* a byte-order mark some editors write */
	if (!next_line(&p, end, &l) || !is_fence(&l))
		return fm_error(err, errlen, file, 1,
		    "expected a front-matter block starting with ---");
	while (next_line(&p, end, &l)) {
		size_t i;

		if (is_fence(&l)) {
			closed = 1;
			break;
		}
		for (i = 0; i < l.len && (l.start[i] == ' ' || l.start[i] == '\t'); i++)
			;
		if (i == l.len || l.start[i] == '#')
			continue;   /* blank lines and # comments */
		if (apply_key(a, file, &l, seen, out, &title_line, err, errlen) != 0)
			return -1;
	}
	if (!closed)
		return fm_error(err, errlen, file, l.number,
		    "the front matter has no closing ---");
	if (out->title == NULL)
		return fm_error(err, errlen, file, l.number, "the front matter has no title");
	if (out->slug == NULL) {
		out->slug = slugify(a, out->title);
		if (!slug_valid(out->slug))
			return fm_error(err, errlen, file, title_line, "no slug can be made from "
			    "this title: add a 'slug:' line");
	}
	out->body = arena_strndup(a, p, (size_t)(end - p));
	out->body_len = (size_t)(end - p);
	return 0;
}

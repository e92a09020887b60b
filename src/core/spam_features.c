/* spam_features.c: the features of a comment the spam classifier counts (words, hosts, buckets of structure and style), and how a moderator reads each. */
#include "spam_model.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Slots of the per-comment de-duplication set: a power of two, over twice SPAM_FEATURES_MAX. */
#define FEATURE_SET_SLOTS 1024

/* ASCII lower case, bytes from 0x80 unchanged. */
static unsigned char
lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

/*
 * FNV-1a (64 bits) of the kind and the text, lower-cased except for words
 * of the body (their capitals tell: the benchmark files fewer honest
 * comments so): features of different kinds never share a hash by
 * spelling.  0 is kept for empty slots, so a hash of 0 becomes 1.
 */
static uint64_t
feature_hash(int kind, const char *text, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	h = (h ^ (uint64_t)(kind + 1)) * 1099511628211ULL;
	for (i = 0; i < len; i++)
		h = (h ^ (kind == SPAM_FEATURE_WORD ? (unsigned char)text[i] :
			  lower((unsigned char)text[i]))) * 1099511628211ULL;
	return h == 0 ? 1 : h;
}

/* The de-duplication set of one extraction. */
struct feature_set {
	uint64_t slots[FEATURE_SET_SLOTS];
};

/* Add a feature unless it is already there or out is full. */
static void
feature_add(struct spam_features *out, struct feature_set *set, int kind,
	    const char *text, size_t len)
{
	uint64_t h;
	size_t i;

	if (len > SPAM_WORD_MAX) {
		len = SPAM_WORD_MAX;
		/* Cut on a character boundary. */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	if (len == 0 || out->len == SPAM_FEATURES_MAX)
		return;
	h = feature_hash(kind, text, len);
	for (i = h & (FEATURE_SET_SLOTS - 1); set->slots[i] != 0; i = (i + 1) & (FEATURE_SET_SLOTS - 1))
		if (set->slots[i] == h)
			return;
	set->slots[i] = h;
	out->items[out->len].hash = h;
	out->items[out->len].text = text;
	out->items[out->len].len = (uint16_t)len;
	out->items[out->len].kind = (uint8_t)kind;
	out->len++;
}

static void
feature_phrase(struct spam_features *out, struct feature_set *set, int kind, const char *phrase)
{
	feature_add(out, set, kind, phrase, strlen(phrase));
}

/* Letters and digits of any script: ASCII alphanumerics and every byte of a UTF-8 sequence. */
static int
word_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    ch >= 0x80;
}

/* Bytes of a host name. */
static int
host_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    ch == '.' || ch == '-';
}

/* Length of a web address at s ("http://..." up to white space), 0 when s starts none. */
static size_t
url_len(const char *s)
{
	size_t n;

	if ((*s != 'h' && *s != 'H') ||
	    (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0))
		return 0;
	for (n = 0; s[n] != '\0' && s[n] != ' ' && s[n] != '\t' && s[n] != '\n' &&
	     s[n] != '\r' && s[n] != ')' && s[n] != '>' && s[n] != '"'; n++)
		;
	return n;
}

/*
 * Every word of two bytes or more in s, as kind.  Web addresses are
 * skipped: their hosts are features of their own.
 */
static void
add_words(struct spam_features *out, struct feature_set *set, int kind, const char *s)
{
	const char *p = s, *start;
	size_t n;

	if (s == NULL)
		return;
	while (*p != '\0') {
		while (*p != '\0' && !word_byte((unsigned char)*p))
			p++;
		if ((n = url_len(p)) > 0) {
			p += n;
			continue;
		}
		start = p;
		while (*p != '\0' && word_byte((unsigned char)*p))
			p++;
		if (p - start >= 2)
			feature_add(out, set, kind, start, (size_t)(p - start));
	}
}

/* A host and, when it has a subdomain, its last two labels ("shop.x.example": also "x.example"). */
static void
add_host(struct spam_features *out, struct feature_set *set, int kind, const char *host, size_t len)
{
	size_t i, dots = 0, cut = 0;

	while (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0)
		return;
	feature_add(out, set, kind, host, len);
	for (i = len; i > 0; i--)
		if (host[i - 1] == '.' && ++dots == 2) {
			cut = i;
			break;
		}
	if (cut > 0 && cut < len)
		feature_add(out, set, kind, host + cut, len - cut);
}

/* Length of the host at the start of s. */
static size_t
host_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && host_byte((unsigned char)s[n]))
		n++;
	return n;
}

/* Hosts of the web links in body (http://, https://, www.); returns how many links there are. */
static int
add_link_hosts(struct spam_features *out, struct feature_set *set, const char *body)
{
	const char *p;
	int links = 0;

	for (p = body; *p != '\0'; p++) {
		const char *host = NULL;

		if ((*p == 'h' || *p == 'H') && strncasecmp(p, "http://", 7) == 0)
			host = p + 7;
		else if ((*p == 'h' || *p == 'H') && strncasecmp(p, "https://", 8) == 0)
			host = p + 8;
		else if ((*p == 'w' || *p == 'W') && strncasecmp(p, "www.", 4) == 0 &&
			 (p == body || !host_byte((unsigned char)p[-1])) &&
			 (p < body + 3 || strncmp(p - 3, "://", 3) != 0))
			host = p;
		if (host == NULL)
			continue;
		links++;
		add_host(out, set, SPAM_FEATURE_HOST, host, host_len(host));
		p = host;
	}
	return links;
}

/* Occurrences of needle in hay, ASCII case ignored. */
static int
count_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int count = 0;

	for (; *hay != '\0'; hay++)
		if (lower((unsigned char)*hay) == (unsigned char)needle[0] &&
		    strncasecmp(hay, needle, n) == 0)
			count++;
	return count;
}

/* The host of a website address ("https://x.example/y" gives "x.example"). */
static void
add_site(struct spam_features *out, struct feature_set *set, const char *url)
{
	const char *p;

	if (url == NULL || *url == '\0') {
		feature_phrase(out, set, SPAM_FEATURE_SITE, "none");
		return;
	}
	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	add_host(out, set, SPAM_FEATURE_SITE, p, host_len(p));
}

static void
add_email(struct spam_features *out, struct feature_set *set, const char *email)
{
	const char *at = email != NULL ? strrchr(email, '@') : NULL;

	if (at == NULL || host_len(at + 1) == 0) {
		feature_phrase(out, set, SPAM_FEATURE_EMAIL, "none");
		return;
	}
	add_host(out, set, SPAM_FEATURE_EMAIL, at + 1, host_len(at + 1));
}

static const char *
links_bucket(int n)
{
	return n == 0 ? "no links" : n == 1 ? "1 link" : n <= 3 ? "2 or 3 links" :
	    n <= 9 ? "4 to 9 links" : "10 links or more";
}

static const char *
time_bucket(int seconds)
{
	if (seconds < 0)
		return "form time unknown";
	return seconds < 10 ? "sent within 10 s of the form" :
	    seconds < 30 ? "sent 10-30 s after the form" :
	    seconds < 120 ? "sent 30 s-2 min after the form" :
	    seconds < 600 ? "sent 2-10 min after the form" :
	    seconds < 3600 ? "sent 10-60 min after the form" : "sent over an hour after the form";
}

static const char *
length_bucket(size_t len)
{
	return len < 40 ? "very short text" : len < 200 ? "short text" :
	    len < 1000 ? "text of 200-1000 bytes" : len < 4000 ? "long text" : "very long text";
}

/* The style of a text: shouting, exclamations, money, quoting (buckets a moderator can read). */
static void
add_style(struct spam_features *out, struct feature_set *set, const char *body)
{
	size_t letters = 0, upper = 0, bangs = 0, money = 0, quotes = 0;
	const char *p;

	for (p = body; *p != '\0'; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
			letters++;
			upper += ch <= 'Z';
		} else if (ch == '!')
			bangs++;
		else if (ch == '$' || (ch == 0xe2 && (unsigned char)p[1] == 0x82 &&
			 (unsigned char)p[2] == 0xac) || (ch == 0xc2 && (unsigned char)p[1] == 0xa3))
			money++;
		else if (ch == '>' && (p == body || p[-1] == '\n'))
			quotes++;
	}
	if (letters >= 20)
		feature_phrase(out, set, SPAM_FEATURE_STYLE, upper * 4 >= letters ?
			       "many capital letters" : upper * 10 >= letters ?
			       "some capital letters" : "few capital letters");
	feature_phrase(out, set, SPAM_FEATURE_STYLE, bangs == 0 ? "no exclamation marks" :
		       bangs < 3 ? "an exclamation mark or two" : "three exclamation marks or more");
	if (money > 0)
		feature_phrase(out, set, SPAM_FEATURE_STYLE, money < 3 ? "a currency sign" :
			       "three currency signs or more");
	if (quotes > 0)
		feature_phrase(out, set, SPAM_FEATURE_STYLE, "quotes another text");
}

void
spam_features_of(const struct spam_comment *c, struct spam_features *out)
{
	struct feature_set set;
	const char *body = c->body_md != NULL ? c->body_md : "";
	int links, md_links, images, html_links;

	memset(&set, 0, sizeof(set));
	out->len = 0;
	/* Structure first, so a very long text can never crowd it out. */
	links = add_link_hosts(out, &set, body);
	feature_phrase(out, &set, SPAM_FEATURE_LINKS, links_bucket(links));
	md_links = count_nocase(body, "](");
	images = count_nocase(body, "![");
	html_links = count_nocase(body, "<a ") + count_nocase(body, "[url");
	/* "![alt](src)" holds "](" too: an image is not a link. */
	md_links -= images;
	feature_phrase(out, &set, SPAM_FEATURE_MARKDOWN, md_links <= 0 ? "no Markdown links" :
		       md_links == 1 ? "1 Markdown link" : "2 Markdown links or more");
	feature_phrase(out, &set, SPAM_FEATURE_MARKDOWN, images > 0 ? "an image" : "no images");
	if (html_links > 0)
		feature_phrase(out, &set, SPAM_FEATURE_MARKDOWN, "HTML or BBCode links");
	feature_phrase(out, &set, SPAM_FEATURE_TIME, time_bucket(c->form_seconds));
	feature_phrase(out, &set, SPAM_FEATURE_LENGTH, length_bucket(strlen(body)));
	add_style(out, &set, body);
	add_email(out, &set, c->email);
	add_site(out, &set, c->url);
	add_words(out, &set, SPAM_FEATURE_NAME, c->author);
	add_words(out, &set, SPAM_FEATURE_WORD, body);
}

void
spam_feature_describe(const struct spam_feature *f, char *buf, size_t size)
{
	int n = f->len;
	int none = f->len == 4 && memcmp(f->text, "none", 4) == 0;

	switch (f->kind) {
	case SPAM_FEATURE_WORD:
		snprintf(buf, size, "word \"%.*s\"", n, f->text);
		break;
	case SPAM_FEATURE_NAME:
		snprintf(buf, size, "name \"%.*s\"", n, f->text);
		break;
	case SPAM_FEATURE_HOST:
		snprintf(buf, size, "link to %.*s", n, f->text);
		break;
	case SPAM_FEATURE_SITE:
		snprintf(buf, size, none ? "no website" : "website %.*s", n, f->text);
		break;
	case SPAM_FEATURE_EMAIL:
		snprintf(buf, size, none ? "no email" : "email at %.*s", n, f->text);
		break;
	default:
		snprintf(buf, size, "%.*s", n, f->text);
		break;
	}
}

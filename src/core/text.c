/* text.c: slugs, web addresses and dates, shared by pages, feeds, the store and the command line. */
#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SLUG_MAX 80

/* The unaccented ASCII letter for a Latin-1 Supplement letter (U+00C0..U+00FF), or 0. */
static char
latin1_base(unsigned cp)
{
	static const char map[] =
		"AAAAAAACEEEEIIII" "DNOOOOO*OUUUUYTs"   /* U+00C0 .. U+00DF */
		"aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";  /* U+00E0 .. U+00FF */
	char c;

	if (cp < 0xc0 || cp > 0xff)
		return 0;
	c = map[cp - 0xc0];
	return c == '*' || c == '/' ? 0 : c;
}

char *
slugify(struct arena *a, const char *title)
{
	char *out = arena_alloc(a, SLUG_MAX + 1);
	const unsigned char *s = (const unsigned char *)title;
	size_t n = 0;
	int gap = 0;

	while (*s != '\0' && n < SLUG_MAX) {
		char c = 0;

		if (isalnum(*s) && *s < 0x80) {
			c = (char)tolower(*s);
			s++;
		} else if (*s == 0xc3 && s[1] >= 0x80 && s[1] <= 0xbf) {
			c = (char)tolower((unsigned char)latin1_base(0xc0 + (s[1] & 0x3f)));
			s += 2;
		} else if (*s == '\'' || (s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x99)) {
			/* Apostrophes join: "don't" -> "dont". */
			s += *s == '\'' ? 1 : 3;
			continue;
		} else {
			s++;
			while (*s >= 0x80 && *s < 0xc0)
				s++;
		}
		if (c == 0) {
			gap = n > 0;
			continue;
		}
		if (gap && n < SLUG_MAX - 1)
			out[n++] = '-';
		gap = 0;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	return out;
}

int
slug_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 200 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

size_t
url_web_scheme(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

const char *
url_query_escape(struct arena *a, const char *s, int space_plus)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, o = 0;
	char *out = arena_alloc(a, n * 3 + 1);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
			out[o++] = (char)c;
		else if (c == ' ' && space_plus)
			out[o++] = '+';
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

int
page_number_parse(const char *s, int max)
{
	long n = 0;

	if (s == NULL || *s < '1' || *s > '9')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > max)
			return -1;
	}
	return (int)n;
}

const char *
date_rfc3339(struct arena *a, time_t t)
{
	struct tm tm;
	char *s = arena_alloc(a, 32);

	gmtime_r(&t, &tm);
	strftime(s, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return s;
}

const char *
date_human(struct arena *a, time_t t)
{
	static const char *const months[] = { "January", "February", "March", "April",
		"May", "June", "July", "August", "September", "October", "November",
		"December" };
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(a, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

int
date_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, consumed = 0, oh, om;
	const char *p;
	long offset = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
		return -1;
	p = s + consumed;
	if (*p == 'T' || *p == ' ') {
		int n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			p += 3;
			if (*p == '.')
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 &&
		    strlen(p) == 6) {
			offset = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
			p += 6;
		}
	}
	while (*p == ' ')
		p++;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) - offset;
	/* timegm normalises 31 February to March: refuse dates that moved. */
	{
		struct tm back;
		time_t t = *out + offset;
		gmtime_r(&t, &back);
		if (back.tm_mday != d || back.tm_mon != mo - 1)
			return -1;
	}
	return 0;
}

/* Could c be part of an address next to one? */
static int
address_char(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || (c != 0 && strchr("._%+-@", c) != NULL);
}

int
text_address_whole(const char *text, const char *p, size_t n)
{
	const char *end = p + n;

	if (p > text && address_char((unsigned char)p[-1]))
		return 0;
	return *end == '.' ? !address_char((unsigned char)end[1]) : !address_char((unsigned char)*end);
}

const char *
text_thousands(struct arena *a, long long n)
{
	char digits[32], out[48];
	int len = snprintf(digits, sizeof(digits), "%lld", n < 0 ? 0 : n), i, o = 0;

	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return arena_strdup(a, out);
}

/* utf8.c: which text parley keeps, and how it mends the rest. */
#include "utf8.h"

#include "buf.h"

/*
 * Length of the character at s (before end) when it is text we keep: valid
 * UTF-8, no NUL or C0 control but tab, CR and LF, no DEL or C1 control, and
 * no noncharacter (U+FDD0..U+FDEF, U+nFFFE, U+nFFFF: XML has no place for
 * U+FFFE and U+FFFF, HTML calls them all errors).  0 when it is not;
 * *bad is then how many bytes to replace: the whole of a well-formed
 * character, else one byte.
 */
static size_t
utf8_char_ok(const unsigned char *s, const unsigned char *end, size_t *bad)
{
	unsigned c = *s, cp;
	size_t n;

	*bad = 1;
	if (c < 0x80)
		return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		cp = c & 0x07;
	} else
		return 0;
	if ((size_t)(end - s) <= n)
		return 0;
	for (size_t k = 1; k <= n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if ((cp >= 0x80 && cp < 0xa0) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	    (cp & 0xfffe) == 0xfffe) {
		*bad = n + 1;
		return 0;
	}
	return n + 1;
}

int
utf8_valid_text(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;
	size_t n, bad;

	for (; s < end; s += n)
		if ((n = utf8_char_ok(s, end, &bad)) == 0)
			return 0;
	return 1;
}

void
utf8_scrub(struct buf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len, *run = s;
	size_t n, bad;

	buf_reserve(out, len);
	while (s < end) {
		if ((n = utf8_char_ok(s, end, &bad)) > 0) {
			s += n;
			continue;
		}
		buf_append(out, (const char *)run, (size_t)(s - run));
		buf_puts(out, "\xef\xbf\xbd");
		s += bad;
		run = s;
	}
	buf_append(out, (const char *)run, (size_t)(s - run));
}

size_t
utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* escape.c: the one path from text to HTML and XML. */
#include "render.h"

#include <stdint.h>
#include <string.h>

/*
 * Entity index per byte: 0 for bytes copied as they are.  Read-only, so
 * shared safely by all threads.
 */
static const unsigned char escape_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
/* Padded to eight bytes so each is copied with one fixed-size store. */
static const struct { char s[8]; size_t len; } escape_entity[] = {
	{ "", 0 }, { "&amp;", 5 }, { "&lt;", 4 }, { "&gt;", 4 },
	{ "&quot;", 6 }, { "&#39;", 5 },
};

#define ESCAPE_BYTES(c)	((uint64_t)(c) * 0x0101010101010101ull)
#define ESCAPE_HAS_ZERO(w)	(((w) - ESCAPE_BYTES(1)) & ~(w) & ESCAPE_BYTES(0x80))
#define ESCAPE_CHUNK	4096	/* input bytes per reservation of output */

/*
 * Index of the first byte of s[i, end) that needs escaping, or end.  Eight
 * bytes at a time: '&' and '\'' are the bytes that are 0x27 once bit 0 is
 * set, '<' and '>' those that are 0x3e once bit 1 is set, then '"'.
 */
static size_t
escape_next(const char *s, size_t i, size_t end)
{
	uint64_t w, amp, angle, quote;

	for (; end - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		amp = (w | ESCAPE_BYTES(0x01)) ^ ESCAPE_BYTES(0x27);
		angle = (w | ESCAPE_BYTES(0x02)) ^ ESCAPE_BYTES(0x3e);
		quote = w ^ ESCAPE_BYTES(0x22);
		if (ESCAPE_HAS_ZERO(amp) | ESCAPE_HAS_ZERO(angle) | ESCAPE_HAS_ZERO(quote))
			break;
	}
	while (i < end && escape_class[(unsigned char)s[i]] == 0)
		i++;
	return i;
}

/*
 * Append s HTML-escaped.  Text without special bytes, the common case, is
 * one append.  Otherwise output space is reserved once per chunk of input
 * (six bytes per input byte, plus the padding of the last entity) and
 * written directly, runs of safe bytes with one memcpy each.
 */
void
html_escape(struct buf *out, const char *s, size_t len)
{
	size_t run, end, i;
	unsigned char c;
	char *w;

	if (escape_next(s, 0, len) == len) {
		buf_append(out, s, len);
		return;
	}
	for (run = 0; run < len; ) {
		end = len - run < ESCAPE_CHUNK ? len : run + ESCAPE_CHUNK;
		buf_reserve(out, (end - run) * 6 + 8);
		w = out->data + out->len;
		while (run < end) {
			i = escape_next(s, run, end);
			memcpy(w, s + run, i - run);
			w += i - run;
			if (i == end) {
				run = end;
				break;
			}
			c = escape_class[(unsigned char)s[i]];
			memcpy(w, escape_entity[c].s, 8);
			w += escape_entity[c].len;
			run = i + 1;
		}
		out->len = (size_t)(w - out->data);
	}
	out->data[out->len] = '\0';
}

/* wxr-entities.c: HTML5's named character references in WordPress HTML, as numeric ones for libxml2's HTML parser. */
#include "wxr.h"

#include <string.h>

#include "buf.h"
#include "wxr-entity-table.inc"

/* The longest name in the table (CounterClockwiseContourIntegral). */
#define NAME_MAX_LEN 32

/* The records of wxr_entity_table, found once. */
static const char *records[WXR_ENTITY_COUNT];
static size_t nrecords;

static void
index_table(void)
{
	const char *p = wxr_entity_table, *space;

	while (nrecords < WXR_ENTITY_COUNT && (space = strchr(p, ' ')) != NULL) {
		records[nrecords++] = p;
		p = space + 1;
	}
}

/* name (n bytes) against the name of record rec (up to its ';'), bytewise. */
static int
compare(const char *name, size_t n, const char *rec)
{
	size_t i;

	for (i = 0; i < n && rec[i] != ';'; i++)
		if (name[i] != rec[i])
			return (unsigned char)name[i] < (unsigned char)rec[i] ? -1 : 1;
	if (i < n)
		return 1;               /* the record's name is a prefix of this one */
	return rec[i] == ';' ? 0 : -1;
}

/* The code points of an entity ("2192" or "2242,338"), or NULL if the name is not HTML5's. */
static const char *
lookup(const char *name, size_t n)
{
	size_t lo = 0, hi, mid;
	int c;

	if (nrecords == 0)
		index_table();
	hi = nrecords;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = compare(name, n, records[mid]);
		if (c == 0)
			return records[mid] + n + 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

void
wxr_html5_entities(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0, n;
	const char *cp;

	while (i < len) {
		if (s[i] != '&' || i + 1 >= len || !is_alpha(s[i + 1])) {
			i++;
			continue;
		}
		for (n = 1; n <= NAME_MAX_LEN && i + 1 + n < len && is_alnum(s[i + 1 + n]); n++)
			;
		if (n > NAME_MAX_LEN || i + 1 + n >= len || s[i + 1 + n] != ';' ||
		    (cp = lookup(s + i + 1, n)) == NULL) {
			i++;
			continue;
		}
		buf_append(out, s + start, i - start);
		/* "&#xHEX;" for each code point: the parser reads them as text, never as markup. */
		while (*cp != ' ') {
			size_t k = strcspn(cp, ", ");
			buf_puts(out, "&#x");
			buf_append(out, cp, k);
			buf_putc(out, ';');
			cp += k + (cp[k] == ',');
		}
		i += n + 2;
		start = i;
	}
	buf_append(out, s + start, len - start);
}

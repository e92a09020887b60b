/* text.h: slugs, web addresses and dates, for pages, feeds, the store and the command line. */
#ifndef PARLEY_TEXT_H
#define PARLEY_TEXT_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

/*
 * A URL-safe slug from a title: lowercase ASCII letters, digits and single
 * hyphens, at most 80 bytes; accented Latin letters lose their accents,
 * other characters separate words.  Allocated in the arena; "" when nothing
 * is left.
 */
char *slugify(struct arena *a, const char *title);
/* Is s a slug as slugify makes them (non-empty, [a-z0-9-], no edge hyphens)? */
int slug_valid(const char *s);

/*
 * The length of s's scheme and "//" when it is http:// or https:// (any
 * case), else 0.  The one check before a reader-supplied address is a link.
 */
size_t url_web_scheme(const char *s);
/*
 * s percent-encoded for a URL's query component, in the arena: letters,
 * digits and "-_.~" stay, a space becomes "+" when space_plus is set,
 * every other byte %XX.
 */
const char *url_query_escape(struct arena *a, const char *s, int space_plus);
/*
 * A page number as written in a URL ("2"): decimal digits with no sign,
 * space or leading zero, 1..max; -1 for anything else (NULL included).
 */
int page_number_parse(const char *s, int max);

/*
 * Is the n bytes at p, inside text, a whole email address there: no
 * address character touching it on either side (a full stop after it
 * ends a sentence, not the address)?  "bob@x.org" is not whole inside
 * "jimbob@x.org" nor "bob@x.org.uk".
 */
int text_address_whole(const char *text, const char *p, size_t n);

/* n with thousands separators ("110,000"; 0 for a negative n), in the arena. */
const char *text_thousands(struct arena *a, long long n);

/* Dates: RFC 3339 ("2026-04-26T09:30:00Z") and human ("26 April 2026"), in the arena. */
const char *date_rfc3339(struct arena *a, time_t t);
const char *date_human(struct arena *a, time_t t);
/* Parse RFC 3339 / "YYYY-MM-DD[ HH:MM[:SS]]" as UTC (offsets honoured); 0 or -1. */
int date_parse(const char *s, time_t *out);

#endif

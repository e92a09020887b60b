/* utf8.h: the text parley keeps: valid UTF-8 without controls or noncharacters. */
#ifndef PARLEY_UTF8_H
#define PARLEY_UTF8_H

#include <stddef.h>

struct buf;

/*
 * Is s valid UTF-8 without NUL, C0 controls other than tab, CR and LF, DEL,
 * C1 controls or noncharacters (U+FFFE and U+FFFF are not XML)?  Form
 * fields are checked with this before anything is stored.
 */
int utf8_valid_text(const char *s, size_t len);
/*
 * Append s to out with every character utf8_valid_text refuses (and every
 * byte of invalid UTF-8) replaced by U+FFFD: text any page or feed can carry.
 */
void utf8_scrub(struct buf *out, const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

#endif

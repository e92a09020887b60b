/* buf.h: growable byte buffer, always NUL-terminated, never truncates. */
#ifndef PARLEY_BUF_H
#define PARLEY_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A buf owns heap memory (malloc).  data is NUL-terminated after every call
 * so it can be used as a C string when it holds text.  Allocation failure
 * aborts: a buffer never silently drops bytes.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* Forget the contents, keep the memory for reuse. */
void buf_reset(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/*
 * v in decimal ("-" first when negative) into out, not NUL-terminated;
 * returns the length.  DEC_INT_MAX bytes always suffice.  For hot paths
 * where printf's machinery costs more than the number.
 */
#define DEC_INT_MAX 20
size_t dec_int(char out[DEC_INT_MAX], long long v);
void buf_put_int(struct buf *b, long long v);
/* printf-style append.  Never use this to write untrusted data into HTML. */
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Hand the data to the caller (who frees it) and leave b empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif

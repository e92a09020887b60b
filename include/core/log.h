/* log.h: one-line diagnostics on stderr, and the process's last resort. */
#ifndef PARLEY_LOG_H
#define PARLEY_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* "parley-blog: message" on stderr; the program name is set once at start-up. */
void log_set_program(const char *name);
const char *log_program(void);
/*
 * Keep messages up to this level: "error", "warn", "info" (the default: one
 * line per request) or "debug".  Set at start-up and on reload.  Returns 0, or -1 for
 * another name.
 */
int log_set_level(const char *name);
/* 1 when messages of level are written (to skip formatting work otherwise). */
int log_enabled(int level);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The len bytes of text as a message of level, formatted by the caller (no printf). */
void log_text(int level, const char *text, size_t len);

/* For impossible states and out-of-memory only: print and abort. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

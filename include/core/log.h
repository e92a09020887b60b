/* log.h: one-line diagnostics on stderr, and the process's last resort. */
#ifndef PARLEY_LOG_H
#define PARLEY_LOG_H

/* "parley-blog: message" on stderr; the program name is set once at start-up. */
void log_set_program(const char *name);
const char *log_program(void);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For impossible states and out-of-memory only: print and abort. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

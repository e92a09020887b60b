/* log.c: one-line diagnostics on stderr, filtered by level. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *program = "parley";
static int threshold = LOG_INFO;   /* set at start-up and on reload; atomic accesses */

/* What one line keeps of its text, and of the program's name before it. */
#define LOG_TEXT_MAX 1023
#define LOG_PROGRAM_MAX 64

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_set_program(const char *name)
{
	program = name;
}

const char *
log_program(void)
{
	return program;
}

int
log_set_level(const char *name)
{
	int i;

	for (i = LOG_ERROR; i <= LOG_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			__atomic_store_n(&threshold, i, __ATOMIC_RELAXED);
			return 0;
		}
	}
	return -1;
}

int
log_enabled(int level)
{
	return level <= __atomic_load_n(&threshold, __ATOMIC_RELAXED);
}

static void __attribute__((format(printf, 2, 0)))
vlog(int level, const char *fmt, va_list ap)
{
	char line[LOG_TEXT_MAX + 1];
	int n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	log_text(level, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void
log_text(int level, const char *text, size_t len)
{
	char line[LOG_PROGRAM_MAX + 2 + LOG_TEXT_MAX + 1];
	size_t p = strlen(program), n = len < LOG_TEXT_MAX ? len : LOG_TEXT_MAX;

	if (!log_enabled(level))
		return;
	/* "program: text\n" in one write, so lines from worker threads do not interleave. */
	if (p > LOG_PROGRAM_MAX)
		p = LOG_PROGRAM_MAX;
	memcpy(line, program, p);
	line[p] = ':';
	line[p + 1] = ' ';
	memcpy(line + p + 2, text, n);
	line[p + 2 + n] = '\n';
	fwrite(line, 1, p + 3 + n, stderr);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
	abort();
}

/* mail.c: well-formed plain-text messages and the sendmail-compatible command that sends them. */
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* RFC 2047: an encoded word is at most 75 characters, its line at most 76. */
#define ENCODED_WORD_MAX 75
#define ENCODED_LINE_MAX 76
/* RFC 5322's recommended line length for headers we fold. */
#define HEADER_LINE_MAX 78
/* Quoted-printable lines, soft break included (RFC 2045). */
#define QP_LINE_MAX 76
/* Output of a failing command kept for its error line. */
#define OUTPUT_KEEP 512

static const char hex_digits[] = "0123456789ABCDEF";

/* Copy s with every control character (CR and LF included) turned into a space. */
static void
clean_copy(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

/* Words longer than this cannot be folded into a line: such values are encoded, which splits them. */
#define FOLD_WORD_MAX 200

/* Can s go out as it is: ASCII, with no word too long to fold? */
static int
is_ascii(const char *s)
{
	size_t word = 0;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
		word = *s == ' ' ? 0 : word + 1;
		if (word > FOLD_WORD_MAX)
			return 0;
	}
	return 1;
}

/* Bytes in the UTF-8 sequence starting at s (1 for a stray byte). */
static size_t
utf8_seq_len(const unsigned char *s)
{
	size_t n = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1, i;

	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Characters an encoded word in a phrase may carry as themselves (RFC 2047 5(3)). */
static int
q_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/*
 * Append value as RFC 2047 "Q" encoded words, folding between words so no
 * line passes ENCODED_LINE_MAX.  *col is the current line's length.
 */
static void
put_encoded_words(struct buf *out, const char *value, size_t *col)
{
	const unsigned char *p = (const unsigned char *)value;
	char piece[16];
	size_t word = 0, room;

	while (*p != '\0') {
		size_t n = utf8_seq_len(p), plen = 0, i;

		for (i = 0; i < n; i++) {
			if (p[i] == ' ')
				piece[plen++] = '_';
			else if (q_plain(p[i]))
				piece[plen++] = (char)p[i];
			else {
				piece[plen++] = '=';
				piece[plen++] = hex_digits[p[i] >> 4];
				piece[plen++] = hex_digits[p[i] & 15];
			}
		}
		room = ENCODED_LINE_MAX - *col;
		if (word > 0 && (word + plen + 2 > ENCODED_WORD_MAX || plen + 2 > room)) {
			buf_puts(out, "?=");
			word = 0;
		}
		if (word == 0) {
			if (*col + 12 + plen + 2 > ENCODED_LINE_MAX && *col > 1) {
				buf_puts(out, "\n ");
				*col = 1;
			} else if (out->len > 0 && out->data[out->len - 1] != ' ') {
				buf_putc(out, ' ');
				(*col)++;
			}
			buf_puts(out, "=?UTF-8?Q?");
			word = 10;
			*col += 10;
		}
		buf_append(out, piece, plen);
		word += plen;
		*col += plen;
		p += n;
	}
	if (word > 0) {
		buf_puts(out, "?=");
		*col += 2;
	}
}

/* Append ASCII text folded at spaces so lines stay near HEADER_LINE_MAX. */
static void
put_folded(struct buf *out, const char *value, size_t *col)
{
	const char *p = value;

	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);

		if (*col + n + 1 > HEADER_LINE_MAX && *col > 1 && n > 0) {
			buf_puts(out, "\n ");
			*col = 1;
		} else if (p != value) {
			buf_putc(out, ' ');
			(*col)++;
		}
		buf_append(out, p, n);
		*col += n;
		p += n;
		if (*p == ' ')
			p++;
	}
}

void
mail_header(struct buf *out, const char *name, const char *value)
{
	struct buf v = BUF_INIT;
	size_t col;

	clean_copy(&v, value);
	buf_printf(out, "%s: ", name);
	col = strlen(name) + 2;
	if (v.len > 0 && is_ascii(v.data))
		put_folded(out, v.data, &col);
	else if (v.len > 0)
		put_encoded_words(out, v.data, &col);
	buf_putc(out, '\n');
	buf_free(&v);
}

/* "Name: phrase <addr>\n": the phrase quoted, or encoded when not ASCII. */
static void
put_address(struct buf *out, const char *name, const char *display, const char *addr)
{
	struct buf d = BUF_INIT, a = BUF_INIT;
	size_t col = strlen(name) + 2, i;

	clean_copy(&d, display);
	clean_copy(&a, addr);
	buf_printf(out, "%s: ", name);
	if (d.len > 0 && d.len <= FOLD_WORD_MAX && is_ascii(d.data)) {
		buf_putc(out, '"');
		for (i = 0; i < d.len; i++) {
			if (d.data[i] == '"' || d.data[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, d.data[i]);
		}
		buf_puts(out, "\" ");
	} else if (d.len > 0) {
		put_encoded_words(out, d.data, &col);
		buf_putc(out, ' ');
	}
	buf_printf(out, "<%s>\n", a.data ? a.data : "");
	buf_free(&d);
	buf_free(&a);
}

/* Split mail_from into its display name (may be empty) and its address, in two bufs. */
static void
split_from(const char *from, struct buf *name, struct buf *addr)
{
	const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *s, *e;

	if (lt == NULL || gt == NULL) {
		buf_puts(addr, from);
		return;
	}
	for (s = from; s < lt && (*s == ' ' || *s == '"'); s++)
		;
	for (e = lt; e > s && (e[-1] == ' ' || e[-1] == '"'); e--)
		;
	buf_append(name, s, (size_t)(e - s));
	buf_append(addr, lt + 1, (size_t)(gt - lt - 1));
}

void
mail_from_domain(struct buf *out, const char *from)
{
	struct buf name = BUF_INIT, addr = BUF_INIT;
	const char *at;
	size_t i;

	split_from(from ? from : "", &name, &addr);
	at = addr.data ? strrchr(addr.data, '@') : NULL;
	if (at == NULL || at[1] == '\0')
		buf_puts(out, "localhost");
	else
		for (i = 1; at[i] != '\0' && at[i] != '>' && at[i] != ' '; i++)
			buf_putc(out, at[i]);
	buf_free(&name);
	buf_free(&addr);
}

void
mail_message_id(struct buf *out, time_t now, const char *domain)
{
	unsigned char r[12];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, 0, sizeof(r));
	buf_printf(out, "<%" PRId64 ".", (int64_t)now);
	for (i = 0; i < sizeof(r); i++)
		buf_printf(out, "%02x", r[i]);
	buf_printf(out, "@%s>", domain);
}

int
mail_address_valid(const char *s)
{
	const char *at = NULL, *p;
	size_t len = s ? strlen(s) : 0;

	if (len < 3 || len > MAIL_ADDRESS_MAX)
		return 0;
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
			return 0;
		if (c == '@') {
			if (at != NULL)
				return 0;
			at = p;
		}
	}
	if (at == NULL || at == s || at[1] == '\0' || at[1] == '.' || s[len - 1] == '.' ||
	    strchr(at, '.') == NULL || strstr(at, "..") != NULL)
		return 0;
	return 1;
}

/* RFC 5322 date in UTC, locale-free: "Tue, 01 Dec 2026 20:58:13 +0000". */
static void
put_date(struct buf *out, time_t t)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\n", days[tm.tm_wday],
		   tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		   tm.tm_sec);
}

void
mail_quoted_printable(struct buf *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t col = 0;

	for (; *p != '\0'; p++) {
		char piece[3];
		size_t n;
		int end = p[1] == '\n' || p[1] == '\0';

		if (*p == '\n') {
			buf_putc(out, '\n');
			col = 0;
			continue;
		}
		int literal = (*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && !end);

		/* A lone "." or "From " opening a line means something to some MTAs. */
		if (col == 0 && (*p == '.' || *p == 'F'))
			literal = 0;
		if (literal) {
			piece[0] = (char)*p;
			n = 1;
		} else {
			piece[0] = '=';
			piece[1] = hex_digits[*p >> 4];
			piece[2] = hex_digits[*p & 15];
			n = 3;
		}
		/* Room for the piece and a soft break's "=", unless the line ends here. */
		if (col + n > (end ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
			buf_puts(out, "=\n");
			col = 0;
		}
		buf_append(out, piece, n);
		col += n;
	}
}

/* Can body go out as 7bit: ASCII, no line over 998 bytes, no bare CR? */
static int
body_7bit(const char *body)
{
	size_t col = 0;

	for (; *body != '\0'; body++) {
		if ((unsigned char)*body >= 0x80 || *body == '\r')
			return 0;
		col = *body == '\n' ? 0 : col + 1;
		if (col > 998)
			return 0;
	}
	return 1;
}

void
mail_compose(struct buf *out, const struct mail_message *m)
{
	struct buf name = BUF_INIT, addr = BUF_INIT;
	const char *body = m->body ? m->body : "";
	int plain = body_7bit(body);

	put_date(out, m->date);
	split_from(m->from ? m->from : "", &name, &addr);
	put_address(out, "From", name.len > 0 ? name.data : m->from_name,
		    addr.data ? addr.data : "");
	put_address(out, "To", NULL, m->to);
	mail_header(out, "Subject", m->subject);
	mail_header(out, "Message-ID", m->message_id);
	buf_puts(out, "MIME-Version: 1.0\n"
		 "Content-Type: text/plain; charset=utf-8\n");
	buf_printf(out, "Content-Transfer-Encoding: %s\n", plain ? "7bit" : "quoted-printable");
	buf_puts(out, "Auto-Submitted: auto-generated\n"
		 "X-Auto-Response-Suppress: All\n");
	if (m->bulk)
		buf_puts(out, "Precedence: bulk\n");
	if (m->list_id != NULL)
		mail_header(out, "List-Id", m->list_id);
	if (m->list_unsubscribe != NULL) {
		struct buf u = BUF_INIT;
		buf_putc(&u, '<');
		clean_copy(&u, m->list_unsubscribe);
		buf_putc(&u, '>');
		/* A URL has no spaces: one line, however long. */
		buf_printf(out, "List-Unsubscribe: %s\n"
			   "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n", u.data);
		buf_free(&u);
	}
	buf_putc(out, '\n');
	if (plain)
		buf_puts(out, body);
	else
		mail_quoted_printable(out, body);
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
	buf_free(&name);
	buf_free(&addr);
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of the command's output, for the error message. */
static const char *
first_line(char *out, size_t len)
{
	size_t i;

	out[len] = '\0';
	for (i = 0; i < len; i++)
		if (out[i] == '\n' || out[i] == '\r') {
			out[i] = '\0';
			break;
		}
	return out;
}

int
mail_run(const char *command, const char *message, size_t len, int timeout_seconds,
	 char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	char output[OUTPUT_KEEP + 1], scratch[4096];
	size_t off = 0, kept = 0;
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, status = 0, rc, exited = 0, killed = 0;
	int64_t deadline = monotonic_ms() + (int64_t)timeout_seconds * 1000;
	pid_t pid;

	/* Its stdin is a socket, so a command that stops reading is EPIPE, never SIGPIPE. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
	    pipe2(outp, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto fail_pipes;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, outp[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, outp[1], STDERR_FILENO);
	posix_spawnattr_init(&attr);
	/* Its own group, so a timeout kills what the shell started too; default signals. */
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGCHLD);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGINT);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	if (rc != 0) {
		snprintf(err, errlen, "cannot run /bin/sh: %s", strerror(rc));
		goto fail_pipes;
	}
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	if (len == 0) {
		close(in[1]);
		in[1] = -1;
	}

	/* Feed the message and collect the output until it exits or time runs out. */
	while (!exited) {
		struct pollfd pfd[2];
		int n = 0, wait_ms;
		int64_t left = deadline - monotonic_ms();
		pid_t w;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		wait_ms = left < 50 ? (int)left : 50;
		if (in[1] >= 0) {
			pfd[n].fd = in[1];
			pfd[n++].events = POLLOUT;
		}
		if (outp[0] >= 0) {
			pfd[n].fd = outp[0];
			pfd[n++].events = POLLIN;
		}
		if (n > 0)
			poll(pfd, (nfds_t)n, wait_ms);
		else {
			struct timespec ts = { 0, (long)wait_ms * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (in[1] >= 0) {
			ssize_t wrote = send(in[1], message + off, len - off,
					     MSG_NOSIGNAL | MSG_DONTWAIT);
			if (wrote > 0)
				off += (size_t)wrote;
			if (off == len || (wrote < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in[1]);
				in[1] = -1;
			}
		}
		while (outp[0] >= 0) {
			ssize_t got = read(outp[0], scratch, sizeof(scratch));
			if (got > 0) {
				size_t take = (size_t)got < OUTPUT_KEEP - kept ? (size_t)got : OUTPUT_KEEP - kept;
				memcpy(output + kept, scratch, take);
				kept += take;
				continue;
			}
			if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(outp[0]);
				outp[0] = -1;
			}
			break;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD))
			exited = 1;
	}
	if (in[1] >= 0)
		close(in[1]);
	if (outp[0] >= 0)
		close(outp[0]);
	if (killed) {
		waitpid(pid, &status, 0);
		snprintf(err, errlen, "'%s' did not finish within %d seconds", command,
			 timeout_seconds);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (off < len) {
			snprintf(err, errlen, "'%s' exited without reading the whole message", command);
			return -1;
		}
		return 0;
	}
	if (WIFSIGNALED(status))
		snprintf(err, errlen, "'%s' was killed by signal %d", command, WTERMSIG(status));
	else
		snprintf(err, errlen, "'%s' exited with status %d%s%s", command,
			 WEXITSTATUS(status), kept ? ": " : "", first_line(output, kept));
	return -1;
fail_pipes:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (outp[i] >= 0)
			close(outp[i]);
	}
	return -1;
}

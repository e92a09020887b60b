/* mail.c: notes to moderators through the configured mail command. */
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "log.h"

extern char **environ;

/* Messages stay below a pipe's buffer, so writing never blocks a worker. */
#define MAIL_MAX 16384

/* Append s with CR, LF and other controls turned into spaces (header values). */
static void
header_value(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

int
mail_moderators(const struct config *cfg, const char *subject, const char *body)
{
	struct buf msg = BUF_INIT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	char *argv[] = { "sh", "-c", cfg->mail_command, NULL };
	int fds[2], rc = -1;
	size_t off = 0;
	pid_t pid;

	if (cfg->moderator_emails == NULL || *cfg->moderator_emails == '\0' ||
	    cfg->mail_command == NULL || *cfg->mail_command == '\0')
		return 0;
	if (*cfg->mail_from != '\0') {
		buf_puts(&msg, "From: ");
		header_value(&msg, cfg->mail_from);
		buf_puts(&msg, "\n");
	}
	buf_puts(&msg, "To: ");
	header_value(&msg, cfg->moderator_emails);
	buf_puts(&msg, "\nSubject: ");
	header_value(&msg, subject);
	buf_puts(&msg, "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
		 "Content-Transfer-Encoding: 8bit\nAuto-Submitted: auto-generated\n\n");
	buf_append(&msg, body, strnlen(body, MAIL_MAX - 1024));
	buf_puts(&msg, "\n");

	if (pipe2(fds, O_CLOEXEC) != 0) {
		log_error("mail: pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	/* Worker threads block the responder's signals: the mailer must not inherit that. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc != 0) {
		log_error("mail: cannot run '%s': %s", cfg->mail_command, strerror(rc));
		close(fds[1]);
		rc = -1;
		goto out;
	}
	while (off < msg.len) {
		ssize_t n = write(fds[1], msg.data + off, msg.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("mail: '%s' did not take the message", cfg->mail_command);
			break;
		}
		off += (size_t)n;
	}
	close(fds[1]);
	rc = 0;
out:
	buf_free(&msg);
	return rc;
}

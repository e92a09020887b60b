/* mail-worker.c: the mail worker: sends the queue after the response, retries with backoff, never in a request. */
#include "mailer.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mail.h"
#include "mailqueue.h"

/* The worker looks at the queue at least this often (mail queued by other programs). */
#define POLL_SECONDS 5
/* Work one pass does at most, so a flood cannot starve the wait for new kicks. */
#define PASS_EVENTS 200
#define PASS_MESSAGES 50
/* The longest wait between two tries. */
#define BACKOFF_MAX (6 * 3600)
/* Sent, failed and dropped messages are kept this long for `parley mail queue`. */
#define KEEP_SECONDS (30L * 24 * 3600)

/* The wait before try number tries + 1: mail_retry_seconds, then four times longer each time. */
static time_t
backoff(const struct config *cfg, int tries)
{
	time_t wait = cfg->mail_retry_seconds;
	int i;

	for (i = 1; i < tries && wait < BACKOFF_MAX; i++)
		wait *= 4;
	return wait < BACKOFF_MAX ? wait : BACKOFF_MAX;
}

/*
 * Claim the next due message and hand it to mail_command.  1 when one was
 * handled (sent, rescheduled or given up), 0 when none is due, -1 on a
 * database error.
 */
static int
deliver_next(struct db *db, const struct config *cfg, struct arena *a)
{
	struct mail_item m;
	struct buf subject = BUF_INIT, composed = BUF_INIT;
	const char *message;
	char err[512];
	time_t now = time(NULL);
	int rc;

	rc = mailqueue_claim(db, a, now, cfg->mail_timeout_seconds + 60, &m);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? 0 : -1;
	message = m.message;
	if (message == NULL) {
		rc = mailer_compose_digest(db, cfg, a, now, &m, &subject, &composed);
		if (rc <= 0) {
			buf_free(&subject);
			buf_free(&composed);
			if (rc < 0)
				return -1;
			return mailqueue_finish(db, m.id, "dropped", now, "nothing left to tell") ==
			    STORE_OK ? 1 : -1;
		}
		if (mailqueue_set_message(db, m.id, subject.data, composed.data) != STORE_OK) {
			buf_free(&subject);
			buf_free(&composed);
			return -1;
		}
		message = composed.data;
	}
	if (mail_run(cfg->mail_command, message, strlen(message), cfg->mail_timeout_seconds,
		     err, sizeof(err)) == 0)
		rc = mailqueue_finish(db, m.id, "sent", time(NULL), "");
	else if (m.tries >= cfg->mail_max_tries) {
		log_error("mail: gave up on message %" PRId64 " to %s after %d tries: %s", m.id,
			  m.rcpt, m.tries, err);
		rc = mailqueue_finish(db, m.id, "failed", time(NULL), err);
	} else {
		time_t wait = backoff(cfg, m.tries);
		log_error("mail: message %" PRId64 " to %s failed (try %d of %d; next in %lds): %s",
			  m.id, m.rcpt, m.tries, cfg->mail_max_tries, (long)wait, err);
		rc = mailqueue_finish(db, m.id, "queued", time(NULL) + wait, err);
	}
	buf_free(&subject);
	buf_free(&composed);
	return rc == STORE_OK ? 1 : -1;
}

time_t
mailer_pass(struct db *db, const struct config *cfg)
{
	static __thread time_t last_purge;
	struct arena a;
	time_t when = 0, now = time(NULL);
	int i, events = 0;

	if (!mailer_enabled(cfg))
		return 0;
	arena_init(&a);
	for (i = 0; i < PASS_EVENTS && mailer_expand_next(db, cfg, &a, now) == 1; i++)
		arena_reset(&a);
	for (i = 0; i < PASS_MESSAGES && deliver_next(db, cfg, &a) == 1; i++)
		arena_reset(&a);
	now = time(NULL);
	if (now - last_purge > 3600 && mailqueue_purge(db, now - KEEP_SECONDS) == STORE_OK)
		last_purge = now;
	if (mailqueue_next_due(db, &when, &events) != STORE_OK)
		when = 0;
	if (events > 0)
		when = now;
	arena_free(&a);
	return when;
}

/* The responder's one worker thread and how requests wake it. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int kicked;
	int running;
	const struct config *cfg;
	pthread_t thread;
} worker = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL, 0 };

static void *
worker_main(void *arg)
{
	const struct config *cfg = arg;
	char err[256];
	struct db *db = db_open(cfg->db, DB_OPEN_EXISTING, err, sizeof(err));

	if (db == NULL) {
		log_error("mail: worker cannot open the database: %s", err);
		return NULL;
	}
	for (;;) {
		time_t next = mailer_pass(db, cfg), now = time(NULL);
		struct timespec until;

		if (next == 0 || next > now + POLL_SECONDS)
			next = now + POLL_SECONDS;
		if (next <= now)
			next = now + 1;
		until.tv_sec = next;
		until.tv_nsec = 0;
		pthread_mutex_lock(&worker.lock);
		while (!worker.kicked)
			if (pthread_cond_timedwait(&worker.wake, &worker.lock, &until) == ETIMEDOUT)
				break;
		worker.kicked = 0;
		pthread_mutex_unlock(&worker.lock);
	}
	return NULL;
}

int
mailer_start(const struct config *cfg)
{
	pthread_attr_t attr;
	int rc;

	if (!mailer_enabled(cfg) || worker.running)
		return 0;
	worker.cfg = cfg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&worker.thread, &attr, worker_main, (void *)cfg);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_error("mail: cannot start the worker: %s", strerror(rc));
		return -1;
	}
	worker.running = 1;
	return 0;
}

/* One pass in a grandchild that nobody waits for, detached from our stdio. */
static void
pass_detached(const struct config *cfg)
{
	pid_t pid = fork();
	int fd, status;

	if (pid < 0) {
		log_error("mail: fork: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return;
	}
	/* The child: a new session, then a grandchild that outlives us all. */
	setsid();
	if (fork() != 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	signal(SIGPIPE, SIG_IGN);
	{
		char err[256];
		struct db *db = db_open(cfg->db, DB_OPEN_EXISTING, err, sizeof(err));
		if (db != NULL) {
			mailer_pass(db, cfg);
			db_close(db);
		}
	}
	_exit(0);
}

void
mailer_kick(const struct config *cfg)
{
	if (!mailer_enabled(cfg))
		return;
	if (worker.running) {
		pthread_mutex_lock(&worker.lock);
		worker.kicked = 1;
		pthread_cond_signal(&worker.wake);
		pthread_mutex_unlock(&worker.lock);
		return;
	}
	pass_detached(cfg);
}

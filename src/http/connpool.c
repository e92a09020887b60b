/* connpool.c: a poller thread that queues ready FastCGI connections for the workers. */
#include "connpool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define POOL_MAX 1024   /* idle kept connections watched at once; more are closed */

struct fd_queue {
	int fds[POOL_MAX];
	size_t head, len;
};

struct connpool {
	int listen_fd;
	int wake[2];                   /* pipe: give_back wakes the poller */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t ready_cond;
	struct fd_queue ready;         /* readable: for workers */
	struct fd_queue returned;      /* kept by the web server: for the poller */
};

static int
queue_push(struct fd_queue *q, int fd)
{
	if (q->len == POOL_MAX)
		return -1;
	q->fds[(q->head + q->len++) % POOL_MAX] = fd;
	return 0;
}

static int
queue_pop(struct fd_queue *q)
{
	int fd = q->fds[q->head];

	q->head = (q->head + 1) % POOL_MAX;
	q->len--;
	return fd;
}

static void
make_ready(struct connpool *p, int fd)
{
	pthread_mutex_lock(&p->lock);
	if (queue_push(&p->ready, fd) != 0) {
		/* Saturated: shed the connection rather than grow without bound. */
		close(fd);
	} else
		pthread_cond_signal(&p->ready_cond);
	pthread_mutex_unlock(&p->lock);
}

static void *
poller_main(void *arg)
{
	struct connpool *p = arg;
	struct pollfd *pfd;
	int *idle, nidle = 0, i, n;
	char drain[64];

	pfd = calloc(POOL_MAX + 2, sizeof(*pfd));
	idle = calloc(POOL_MAX, sizeof(*idle));
	if (pfd == NULL || idle == NULL)
		die("out of memory");
	for (;;) {
		pfd[0].fd = p->wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = p->listen_fd;
		pfd[1].events = POLLIN;
		for (i = 0; i < nidle; i++) {
			pfd[i + 2].fd = idle[i];
			pfd[i + 2].events = POLLIN;
			pfd[i + 2].revents = 0;
		}
		n = poll(pfd, (nfds_t)nidle + 2, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		/* Idle connections with a request (or a hang-up) go to the workers. */
		for (i = nidle - 1; i >= 0; i--) {
			if (pfd[i + 2].revents == 0)
				continue;
			make_ready(p, idle[i]);
			idle[i] = idle[--nidle];
		}
		if (pfd[1].revents & POLLIN) {
			int fd;
			while ((fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
				make_ready(p, fd);
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_error("accept: %s", strerror(errno));
		}
		if (pfd[0].revents & POLLIN) {
			while (read(p->wake[0], drain, sizeof(drain)) > 0)
				;
			pthread_mutex_lock(&p->lock);
			while (p->returned.len > 0) {
				int fd = queue_pop(&p->returned);
				if (nidle < POOL_MAX)
					idle[nidle++] = fd;
				else
					close(fd);
			}
			pthread_mutex_unlock(&p->lock);
		}
	}
	return NULL;
}

struct connpool *
connpool_start(int listen_fd)
{
	struct connpool *p;
	int fl;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		die("out of memory");
	p->listen_fd = listen_fd;
	if ((fl = fcntl(listen_fd, F_GETFL)) < 0 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    pipe2(p->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		log_error("cannot set up the listening socket: %s", strerror(errno));
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready_cond, NULL);
	if (pthread_create(&p->thread, NULL, poller_main, p) != 0)
		die("cannot start the poller thread");
	return p;
}

int
connpool_take(struct connpool *p)
{
	int fd;

	pthread_mutex_lock(&p->lock);
	while (p->ready.len == 0)
		pthread_cond_wait(&p->ready_cond, &p->lock);
	fd = queue_pop(&p->ready);
	pthread_mutex_unlock(&p->lock);
	return fd;
}

void
connpool_give_back(struct connpool *p, int fd)
{
	int full;

	pthread_mutex_lock(&p->lock);
	full = queue_push(&p->returned, fd) != 0;
	pthread_mutex_unlock(&p->lock);
	if (full)
		close(fd);
	else if (write(p->wake[1], "", 1) < 0 && errno != EAGAIN)
		log_error("poller wake-up: %s", strerror(errno));
}

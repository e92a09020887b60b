/* connpool.c: workers wait on one epoll set for new and kept FastCGI connections. */
#include "connpool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"

/*
 * The listening socket and every idle kept connection sit in one epoll
 * set that all workers wait on.  Connections are registered one-shot, so
 * exactly one worker wakes for a connection's next request and serves it
 * itself: no hand-off between threads, and an idle connection holds no
 * worker.  The listening socket is registered exclusive, so a new
 * connection wakes one worker, not all of them.
 */
#define READ_TIMEOUT 30   /* seconds a started request may pause */

struct connpool {
	int listen_fd;
	int epoll_fd;
};

struct connpool *
connpool_start(int listen_fd)
{
	struct connpool *p;
	struct epoll_event ev;
	int fl;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		die("out of memory");
	p->listen_fd = listen_fd;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = listen_fd;
	if ((fl = fcntl(listen_fd, F_GETFL)) < 0 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    (p->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
		log_error("cannot set up the listening socket: %s", strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

int
connpool_take(struct connpool *p)
{
	struct epoll_event ev;
	int n, fd;

	for (;;) {
		n = epoll_wait(p->epoll_fd, &ev, 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		if (n == 0)
			continue;
		if (ev.data.fd != p->listen_fd)
			return ev.data.fd;      /* a kept connection: request or hang-up */
		fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			/*
			 * Served once its request arrives, not before: a client
			 * that connects and says nothing holds no worker, and one
			 * that stalls mid-request holds it for READ_TIMEOUT at most.
			 */
			struct timeval tv = { READ_TIMEOUT, 0 };
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			connpool_give_back(p, fd);
			continue;
		}
		/* Another worker took it first, or the client gave up: wait again. */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED) {
			log_error("accept: %s", strerror(errno));
			if (errno == EMFILE || errno == ENFILE)
				usleep(10000);   /* out of descriptors: do not spin */
		}
	}
}

void
connpool_give_back(struct connpool *p, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
	ev.data.fd = fd;
	/* Known to the set after its first request; new before that. */
	if (epoll_ctl(p->epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return;
	if (errno == ENOENT && epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return;
	log_error("epoll_ctl: %s", strerror(errno));
	close(fd);
}

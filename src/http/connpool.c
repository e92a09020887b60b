/* connpool.c: workers wait on one epoll set for new and kept FastCGI connections. */
#include "connpool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/*
 * The listening socket and every idle kept connection sit in one epoll
 * set that all workers wait on.  Connections are registered one-shot, so
 * exactly one worker wakes for a connection's next request and serves it
 * itself: no hand-off between threads, and an idle connection holds no
 * worker.  The listening socket is registered exclusive, so a new
 * connection wakes one worker, not all of them.  A connection is served
 * only once its request starts to arrive; how long the request may then
 * take is the worker's deadline (see fcgi-worker.c).
 */
#define ALLOWED_MAX 32

struct connpool {
	int listen_fd;
	int epoll_fd;
	int stop_fd;                 /* an eventfd: readable once stopping */
	int nallowed;                /* 0: anyone may connect */
	struct in6_addr allowed[ALLOWED_MAX];   /* IPv4 as v4-mapped IPv6 */
};

/* "a,b,c" into p->allowed.  Returns 0, or -1 after logging the bad entry. */
static int
parse_allowed(struct connpool *p, const char *list)
{
	const char *s = list;

	while (*s != '\0') {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char addr[INET6_ADDRSTRLEN + 1];
		struct in_addr v4;
		struct in6_addr *slot = &p->allowed[p->nallowed];

		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len > 0) {
			if (len >= sizeof(addr) || p->nallowed == ALLOWED_MAX)
				goto bad;
			memcpy(addr, s, len);
			addr[len] = '\0';
			if (inet_pton(AF_INET, addr, &v4) == 1) {
				memset(slot, 0, sizeof(*slot));
				slot->s6_addr[10] = 0xff;
				slot->s6_addr[11] = 0xff;
				memcpy(&slot->s6_addr[12], &v4, 4);
			} else if (inet_pton(AF_INET6, addr, slot) != 1)
				goto bad;
			p->nallowed++;
		}
		if (end == NULL)
			break;
		s = end + 1;
	}
	return 0;
bad:
	log_error("FCGI_WEB_SERVER_ADDRS: '%s' is not a list of at most %d IP addresses",
		  list, ALLOWED_MAX);
	return -1;
}

/* 1 when the peer of fd may talk to us. */
static int
peer_allowed(const struct connpool *p, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct in6_addr peer;
	int i;

	if (p->nallowed == 0)
		return 1;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET) {
		memset(&peer, 0, sizeof(peer));
		peer.s6_addr[10] = 0xff;
		peer.s6_addr[11] = 0xff;
		memcpy(&peer.s6_addr[12], &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6)
		peer = ((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return 0;
	for (i = 0; i < p->nallowed; i++)
		if (memcmp(&peer, &p->allowed[i], sizeof(peer)) == 0)
			return 1;
	return 0;
}

struct connpool *
connpool_start(int listen_fd, const char *allowed)
{
	struct connpool *p;
	struct epoll_event ev;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fl;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		die("out of memory");
	p->listen_fd = listen_fd;
	p->epoll_fd = p->stop_fd = -1;
	/* As libfcgi: the list applies to TCP sockets only. */
	if (allowed != NULL && *allowed != '\0' &&
	    getsockname(listen_fd, (struct sockaddr *)&ss, &sslen) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
		if (parse_allowed(p, allowed) != 0)
			goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = listen_fd;
	if ((fl = fcntl(listen_fd, F_GETFL)) < 0 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    (p->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) != 0 ||
	    (p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		log_error("cannot set up the listening socket: %s", strerror(errno));
		goto fail;
	}
	/* Level-triggered and never read: once written, it wakes every waiter. */
	ev.events = EPOLLIN;
	ev.data.fd = p->stop_fd;
	if (epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, p->stop_fd, &ev) != 0) {
		log_error("cannot set up the listening socket: %s", strerror(errno));
		goto fail;
	}
	return p;
fail:
	connpool_free(p);
	return NULL;
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
		if (ev.data.fd == p->stop_fd)
			return -1;
		if (ev.data.fd != p->listen_fd)
			return ev.data.fd;      /* a kept connection: request or hang-up */
		fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			if (!peer_allowed(p, fd)) {
				log_warn("refused a connection from outside FCGI_WEB_SERVER_ADDRS");
				close(fd);
				continue;
			}
			/* Served once its request arrives: a silent client holds no worker. */
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

void
connpool_stop(struct connpool *p)
{
	uint64_t one = 1;

	epoll_ctl(p->epoll_fd, EPOLL_CTL_DEL, p->listen_fd, NULL);
	if (write(p->stop_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		log_error("cannot stop the workers: %s", strerror(errno));
}

void
connpool_free(struct connpool *p)
{
	if (p == NULL)
		return;
	if (p->epoll_fd >= 0)
		close(p->epoll_fd);
	if (p->stop_fd >= 0)
		close(p->stop_fd);
	free(p);
}

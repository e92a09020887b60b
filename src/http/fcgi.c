/* fcgi.c: the accept loop: spawner socket, --listen, systemd activation or plain CGI. */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <fastcgi.h>
#include <grp.h>
#include <libgen.h>
#include <pthread.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "connpool.h"
#include "fcgi_params.h"
#include "log.h"

extern char **environ;

/*
 * What requests run with: the configuration and templates, replaced whole
 * by a reload.  A worker holds a reference for each request it serves, so
 * the settings a request started with stay until it ends.
 */
struct settings {
	struct config *cfg;
	struct mu_set *tpl;
	unsigned generation;     /* 0 at start-up, then one more per reload */
	int refs;                /* requests using it, plus one while current */
	int owned;               /* made by a reload: freed here */
};

struct server {
	const struct app *app;
	const struct http_settings_loader *loader;   /* for each reload */
	struct connpool *pool;
	int no_listener;         /* a socket that accepts nothing: see worker_main */
	pthread_mutex_t lock;    /* guards current and every settings' refs */
	struct settings *current;
	int running;             /* workers not yet finished (under lock) */
};

/*
 * A worker thread.  While it serves a request, watch_fd is a duplicate of
 * the connection and deadline its end: past it the main thread shuts the
 * connection down, which ends any read or write the worker is blocked in.
 * The duplicate keeps the socket alive until the worker closes it (under
 * lock), so the main thread never touches a reused descriptor.
 */
struct worker {
	struct server *srv;
	pthread_t thread;
	pthread_mutex_t lock;
	int watch_fd;            /* -1 when idle */
	struct timespec deadline;   /* CLOCK_MONOTONIC */
	int expired;             /* the main thread cut this request off */
};

static size_t
fcgi_read(void *ctx, char *dst, size_t n)
{
	int got = FCGX_GetStr(dst, n > 65536 ? 65536 : (int)n, ctx);

	return got > 0 ? (size_t)got : 0;
}

static size_t
stdin_read(void *ctx, char *dst, size_t n)
{
	ssize_t got;

	do
		got = read(STDIN_FILENO, dst, n);
	while (got < 0 && errno == EINTR);
	return got > 0 ? (size_t)got : 0;
}

/* Status line, fixed headers, the program's and the handler's headers, body. */
static void
response_head(const struct app *app, struct req *r, struct buf *out)
{
	int no_body = r->status == 304 || r->status == 204;

	buf_printf(out, "Status: %d %s\r\n", r->status, http_status_text(r->status));
	if (!no_body) {
		buf_printf(out, "Content-Type: %s\r\nContent-Length: %zu\r\n",
			   r->content_type ? r->content_type : "text/html; charset=utf-8",
			   r->body->len);
	}
	if (app->security_headers != NULL)
		buf_puts(out, app->security_headers);
	buf_append(out, r->headers->data ? r->headers->data : "", r->headers->len);
	buf_append(out, "\r\n", 2);
}

static void
req_begin(struct req *r, struct arena *a, struct buf *headers, struct buf *body,
	  const struct config *cfg, const struct mu_set *tpl)
{
	struct db *db = r->db;

	memset(r, 0, sizeof(*r));
	arena_reset(a);
	buf_reset(headers);
	buf_reset(body);
	r->arena = a;
	r->headers = headers;
	r->body = body;
	r->cfg = cfg;
	r->tpl = tpl;
	r->db = db;
	r->now = time(NULL);
}

/*
 * Write head then body as FastCGI STDOUT records straight to the
 * connection: records of up to 64 KB, many per writev, where libfcgi's
 * stream would make one write of 8 KB each.  libfcgi still ends the stream
 * and the request in FCGX_Finish_r.  Returns 0, or -1 when the web server
 * went away.
 */
#define RECORD_MAX 65528     /* FastCGI allows 65535; keep records 8-byte sized */
#define RECORDS_PER_WRITE 16

static int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t wrote;

	while (n > 0) {
		do
			wrote = writev(fd, iov, n);
		while (wrote < 0 && errno == EINTR);
		if (wrote <= 0)
			return -1;
		/* A blocking socket may still take part of it: go on from there. */
		while (n > 0 && (size_t)wrote >= iov->iov_len) {
			wrote -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + wrote;
			iov->iov_len -= (size_t)wrote;
		}
	}
	return 0;
}

static int
write_stdout_records(int fd, int request_id, const struct buf *head, const char *body,
		     size_t body_len)
{
	unsigned char headers[RECORDS_PER_WRITE][8];
	struct iovec iov[RECORDS_PER_WRITE * 3];
	const char *seg[2] = { head->data, body };
	size_t seglen[2] = { head->len, body_len }, s = 0, off = 0;

	while (s < 2 && off >= seglen[s]) {
		s++;
		off = 0;
	}
	while (s < 2) {
		int n = 0, k;

		for (k = 0; k < RECORDS_PER_WRITE && s < 2; k++) {
			unsigned char *h = headers[k];
			size_t room = RECORD_MAX, chunk = 0;
			int hdr = n++;

			/* One record's content may span the end of head and the start of body. */
			while (room > 0 && s < 2) {
				size_t take = seglen[s] - off < room ? seglen[s] - off : room;
				iov[n].iov_base = (void *)(seg[s] + off);
				iov[n++].iov_len = take;
				chunk += take;
				room -= take;
				off += take;
				while (s < 2 && off >= seglen[s]) {
					s++;
					off = 0;
				}
			}
			h[0] = FCGI_VERSION_1;
			h[1] = FCGI_STDOUT;
			h[2] = (unsigned char)(request_id >> 8);
			h[3] = (unsigned char)request_id;
			h[4] = (unsigned char)(chunk >> 8);
			h[5] = (unsigned char)chunk;
			h[6] = 0;
			h[7] = 0;
			iov[hdr].iov_base = h;
			iov[hdr].iov_len = 8;
		}
		if (writev_all(fd, iov, n) != 0)
			return -1;
	}
	return 0;
}

/* One response: its head into head (the worker's buffer, reused), then the records. */
static int
send_response(const struct app *app, struct req *r, FCGX_Request *fr, struct buf *head)
{
	int with_body = r->method != HTTP_HEAD && r->status != 304, rc;

	buf_reset(head);
	response_head(app, r, head);
	rc = write_stdout_records(fr->ipcFd, fr->requestId, head, r->body->data,
				  with_body ? r->body->len : 0);
	if (rc != 0)
		fr->keepConnection = 0;
	return rc;
}

/* The settings new requests use, with a reference the caller must release. */
static struct settings *
settings_acquire(struct server *srv)
{
	struct settings *s;

	pthread_mutex_lock(&srv->lock);
	s = srv->current;
	s->refs++;
	pthread_mutex_unlock(&srv->lock);
	return s;
}

static void
settings_free(struct server *srv, struct settings *s)
{
	if (s->owned) {
		srv->loader->free_templates(s->tpl);
		config_free(s->cfg);
		free(s->cfg);
	}
	free(s);
}

static void
settings_release(struct server *srv, struct settings *s)
{
	int last;

	pthread_mutex_lock(&srv->lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&srv->lock);
	if (last)
		settings_free(srv, s);
}

static long
elapsed_us(const struct timespec *from)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - from->tv_sec) * 1000000L +
	       (now.tv_nsec - from->tv_nsec) / 1000;
}

/* Start the deadline of the request arriving on fd.  Returns 0, or -1 (no descriptor). */
static int
watch_begin(struct worker *w, int fd, int seconds, struct timespec *started)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dup_fd < 0) {
		log_error("cannot watch a connection: %s", strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, started);
	pthread_mutex_lock(&w->lock);
	w->watch_fd = dup_fd;
	w->deadline = *started;
	w->deadline.tv_sec += seconds;
	w->expired = 0;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* The request is over: stop watching.  Returns 1 when it was cut off. */
static int
watch_end(struct worker *w)
{
	int expired;

	pthread_mutex_lock(&w->lock);
	close(w->watch_fd);
	w->watch_fd = -1;
	expired = w->expired;
	pthread_mutex_unlock(&w->lock);
	return expired;
}

/* Shut down every connection past its deadline.  Called by the main thread. */
static void
watch_expire(struct worker *workers, int n)
{
	struct timespec now;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < n; i++) {
		struct worker *w = &workers[i];

		pthread_mutex_lock(&w->lock);
		if (w->watch_fd >= 0 && !w->expired &&
		    (now.tv_sec > w->deadline.tv_sec || (now.tv_sec == w->deadline.tv_sec &&
		     now.tv_nsec >= w->deadline.tv_nsec))) {
			shutdown(w->watch_fd, SHUT_RDWR);
			w->expired = 1;
		}
		pthread_mutex_unlock(&w->lock);
	}
}

/*
 * Copy s into out for a log line: printable ASCII as is, anything else as
 * \xNN, at most max bytes of s.
 */
static void
log_escape(char *out, size_t outlen, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; s != NULL && s[i] != '\0' && i < max && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c > 0x20 && c < 0x7f && c != '\\' && c != '"') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/*
 * The request's line for the journal: time, method, path (the query is left
 * out: it may hold a token), status, body bytes sent, microseconds taken.
 * Nothing else of the request (cookies, form fields) is ever logged.
 */
static void
log_request(const struct req *r, size_t bytes, long usec, int expired)
{
	const char *uri = req_env(r, "REQUEST_URI"), *q;
	char method[64], path[1024], when[32];
	struct tm tm;
	time_t now = time(NULL);

	if (!log_enabled(LOG_INFO))
		return;
	if (uri == NULL)
		uri = "";
	q = strchr(uri, '?');
	log_escape(method, sizeof(method), r->method_name ? r->method_name : "-", 12);
	log_escape(path, sizeof(path), uri, q ? (size_t)(q - uri) : 200);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	log_info("%s %s %s %d %zu %ldus%s", when, method, *path ? path : "-", r->status,
		 bytes, usec, expired ? " cut off at the request deadline" : "");
}

/*
 * Wait until the next request's PARAMS have arrived whole, and check them
 * (fcgi_params.h) before libfcgi reads them.  Looks without consuming:
 * libfcgi then reads the same bytes.  A client slower than the deadline is
 * shut down by the main thread, which ends the wait.  Returns 0 to go on,
 * -1 to drop the connection.
 */
#define PARAMS_PEEK_MAX 65536

static int
request_params_sane(int fd, unsigned char *peek, unsigned char *scratch,
		    const struct timespec *deadline)
{
	for (;;) {
		ssize_t n = recv(fd, peek, PARAMS_PEEK_MAX, MSG_PEEK | MSG_DONTWAIT);
		struct pollfd pfd = { fd, POLLRDHUP, 0 };
		struct timespec now;
		int rc;

		if (n == 0)
			return -1;   /* closed: nothing to serve */
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (n > 0) {
			if ((rc = fcgi_params_check(peek, (size_t)n, scratch)) != 0)
				return rc > 0 ? 0 : -1;
			if (n == PARAMS_PEEK_MAX)
				return -1;   /* nginx's parameters are a few KB */
		}
		/* The client stopped sending (or was cut off) before its parameters ended. */
		if (poll(&pfd, 1, 0) > 0 && pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline->tv_sec ||
		    (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
			return -1;
		/* Part of the parameters is still on its way (rare: nginx sends them at once). */
		usleep(2000);
	}
}

/*
 * Read and drop what is left of the request body (a handler may answer
 * 413 without reading it), so the web server is never cut off while it
 * still sends (nginx answers 502 then, with the answer unread) and the
 * connection is ready for its next request.  Bounded by the deadline and
 * by DRAIN_MAX bytes; past that the connection is not kept.
 */
#define DRAIN_MAX (16u << 20)

static void
drain_input(FCGX_Request *fr)
{
	char junk[16384];
	size_t total = 0;
	int n;

	while ((n = FCGX_GetStr(junk, (int)sizeof(junk), fr->in)) > 0) {
		total += (size_t)n;
		if (total > DRAIN_MAX) {
			fr->keepConnection = 0;
			return;
		}
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct server *srv = w->srv;
	const struct app *app = srv->app;
	struct arena arena;
	struct buf headers = BUF_INIT, body = BUF_INIT, head = BUF_INIT;   /* kept across requests */
	struct req r;
	FCGX_Request fr;
	struct http_input input;
	struct settings *s;
	struct timespec started;
	char err[256];
	int fd, expired;
	size_t sent;
	unsigned char *peek = malloc(PARAMS_PEEK_MAX), *scratch = malloc(PARAMS_PEEK_MAX);

	if (peek == NULL || scratch == NULL)
		die("out of memory");
	arena_init(&arena);
	memset(&r, 0, sizeof(r));
	s = settings_acquire(srv);
	req_begin(&r, &arena, &headers, &body, s->cfg, s->tpl);
	if (app->worker_open(&r, err, sizeof(err)) != 0) {
		log_error("%s", err);
		exit(2);
	}
	settings_release(srv, s);
	/*
	 * libfcgi reads each request from fr.ipcFd, which the pool fills.  Its
	 * own accept() would only run after a connection failed mid-handshake;
	 * pointing it at a socket that is not listening makes that fail fast,
	 * so the worker goes back to the pool instead of bypassing it.
	 */
	if (FCGX_InitRequest(&fr, srv->no_listener, 0) != 0)
		die("FCGX_InitRequest failed");
	while ((fd = connpool_take(srv->pool)) >= 0) {
		s = settings_acquire(srv);
		if (watch_begin(w, fd, s->cfg->request_timeout, &started) != 0) {
			close(fd);
			settings_release(srv, s);
			continue;
		}
		if (request_params_sane(fd, peek, scratch, &w->deadline) != 0) {
			close(fd);
			if (watch_end(w))
				log_warn("dropped a connection that sent no request within %ds",
					 s->cfg->request_timeout);
			else
				log_debug("dropped a connection: it closed, or sent malformed parameters");
			settings_release(srv, s);
			continue;
		}
		fr.ipcFd = fd;
		fr.keepConnection = 1;   /* so Accept's implicit Finish keeps the new fd */
		if (FCGX_Accept_r(&fr) < 0) {
			/* The web server closed the connection, sent garbage, or stalled. */
			if (fr.ipcFd >= 0)
				close(fr.ipcFd);
			fr.ipcFd = -1;
			if (watch_end(w))
				log_warn("dropped a connection that sent no request within %ds",
					 s->cfg->request_timeout);
			settings_release(srv, s);
			continue;
		}
		req_begin(&r, &arena, &headers, &body, s->cfg, s->tpl);
		r.settings_generation = s->generation;
		r.env = fr.envp;
		input.read = fcgi_read;
		input.ctx = fr.in;
		r.input = &input;
		http_dispatch(app, &r);
		sent = send_response(app, &r, &fr, &head) == 0 &&
		       r.method != HTTP_HEAD && r.status != 304 ? r.body->len : 0;
		drain_input(&fr);
		/* Before Finish, which frees the CGI variables the line quotes. */
		pthread_mutex_lock(&w->lock);
		expired = w->expired;
		pthread_mutex_unlock(&w->lock);
		log_request(&r, sent, elapsed_us(&started), expired);
		FCGX_Finish_r(&fr);
		expired |= watch_end(w);
		if (app->after_response != NULL)
			app->after_response(&r);
		/* Kept by the web server (fastcgi_keep_conn): watch it again. */
		if (fr.ipcFd >= 0) {
			if (expired)
				close(fr.ipcFd);
			else
				connpool_give_back(srv->pool, fr.ipcFd);
			fr.ipcFd = -1;
		}
		settings_release(srv, s);
	}
	/* Stopping: the request this worker served is finished. */
	FCGX_Free(&fr, 0);
	s = settings_acquire(srv);
	r.cfg = s->cfg;
	r.tpl = s->tpl;
	app->worker_close(&r);
	settings_release(srv, s);
	arena_free(&arena);
	buf_free(&headers);
	buf_free(&body);
	buf_free(&head);
	free(peek);
	free(scratch);
	pthread_mutex_lock(&srv->lock);
	srv->running--;
	pthread_mutex_unlock(&srv->lock);
	return NULL;
}

/* Serve exactly one request from the CGI environment, then return. */
static int
serve_cgi(const struct app *app, const struct config *cfg, const struct mu_set *tpl)
{
	struct arena arena;
	struct buf headers = BUF_INIT, body = BUF_INIT, head = BUF_INIT;
	struct http_input input = { stdin_read, NULL };
	struct req r;
	char err[256];
	int rc = 0;

	arena_init(&arena);
	memset(&r, 0, sizeof(r));
	req_begin(&r, &arena, &headers, &body, cfg, tpl);
	if (app->worker_open(&r, err, sizeof(err)) != 0) {
		log_error("%s", err);
		rc = 2;
		goto out;
	}
	r.env = environ;
	r.input = &input;
	http_dispatch(app, &r);
	response_head(app, &r, &head);
	fwrite(head.data, 1, head.len, stdout);
	if (r.method != HTTP_HEAD && r.status != 304)
		fwrite(body.data ? body.data : "", 1, body.len, stdout);
	fflush(stdout);
	app->worker_close(&r);
	if (app->after_response != NULL)
		app->after_response(&r);
out:
	arena_free(&arena);
	buf_free(&headers);
	buf_free(&body);
	buf_free(&head);
	return rc;
}

/* Open and close one worker's resources, so a bad database fails at start-up. */
static int
check_worker(const struct app *app, const struct config *cfg, const struct mu_set *tpl)
{
	struct arena arena;
	struct buf headers = BUF_INIT, body = BUF_INIT;
	struct req r;
	char err[256];
	int rc = 0;

	arena_init(&arena);
	memset(&r, 0, sizeof(r));
	req_begin(&r, &arena, &headers, &body, cfg, tpl);
	if (app->worker_open(&r, err, sizeof(err)) != 0) {
		log_error("%s", err);
		rc = -1;
	} else
		app->worker_close(&r);
	arena_free(&arena);
	buf_free(&headers);
	buf_free(&body);
	return rc;
}

/* Become cfg->user when running as root.  Returns 0, or -1 after logging why. */
static int
drop_root(const struct config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		log_error("--user %s: no such user", cfg->user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		log_error("cannot switch to user %s: %s", cfg->user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		log_error("dropping root did not stick");
		return -1;
	}
	return 0;
}

/*
 * The group a unix --listen socket gets: --socket-group, else the group of
 * --user, else none (-1: the process's own).  Returns 0, or -1 after logging.
 */
static int
socket_group(const struct config *cfg, gid_t *gid)
{
	*gid = (gid_t)-1;
	if (cfg->socket_group != NULL && *cfg->socket_group != '\0') {
		struct group *gr = getgrnam(cfg->socket_group);
		if (gr == NULL) {
			log_error("--socket-group %s: no such group", cfg->socket_group);
			return -1;
		}
		*gid = gr->gr_gid;
	} else if (cfg->user != NULL && *cfg->user != '\0' && geteuid() == 0) {
		struct passwd *pw = getpwnam(cfg->user);
		if (pw == NULL) {
			log_error("--user %s: no such user", cfg->user);
			return -1;
		}
		*gid = pw->pw_gid;
	}
	return 0;
}

/*
 * Bind fd to the unix socket path, born with mode 0660 and group gid, so
 * that no name another user could swap is ever chmod-ed or chown-ed: the
 * socket is made in a private folder (mode 0700, beside path) under a
 * umask, given its group there, and renamed over path, which replaces a
 * stale socket (or a planted link) atomically and never follows a link.
 * Anything else at path is refused.  Returns 0, or -1 after logging why.
 */
static int
bind_unix(int fd, const char *path, gid_t gid)
{
	struct sockaddr_un sun;
	struct stat sb;
	char *copy = NULL, dir[sizeof(sun.sun_path)], *slash;
	mode_t old_umask;
	int rc = -1, made_dir = 0, bound = 0;

	if (lstat(path, &sb) == 0 && !S_ISSOCK(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
		log_error("--listen unix:%s: exists and is not a socket", path);
		return -1;
	}
	if ((copy = strdup(path)) == NULL)
		die("out of memory");
	slash = strrchr(copy, '/');
	*slash = '\0';
	if (snprintf(dir, sizeof(dir), "%s/.parley-XXXXXX", slash == copy ? "" : copy) >=
	    (int)sizeof(dir) - 2) {
		log_error("--listen unix:%s: the folder's name is too long for a socket", path);
		goto out;
	}
	if (mkdtemp(dir) == NULL) {
		log_error("--listen unix:%s: cannot make a folder beside it: %s", path,
			  strerror(errno));
		goto out;
	}
	made_dir = 1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, dir, strlen(dir));
	memcpy(sun.sun_path + strlen(dir), "/s", 3);
	old_umask = umask(0117);
	bound = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	umask(old_umask);
	if (!bound) {
		log_error("--listen unix:%s: %s", path, strerror(errno));
		goto out;
	}
	/* Only this process can write the private folder: the name is ours. */
	if (gid != (gid_t)-1 && chown(sun.sun_path, (uid_t)-1, gid) != 0) {
		log_error("--listen unix:%s: cannot give the socket group %u: %s", path,
			  (unsigned)gid, strerror(errno));
		goto out;
	}
	if (rename(sun.sun_path, path) != 0) {
		log_error("--listen unix:%s: %s", path, strerror(errno));
		goto out;
	}
	bound = 0;
	rc = 0;
out:
	if (bound)
		unlink(sun.sun_path);
	if (made_dir)
		rmdir(dir);
	free(copy);
	return rc;
}

/*
 * Bind and listen on "unix:/path" or "host:port" ("[v6]:port" for IPv6).
 * libfcgi's FCGX_OpenSocket exits the process on failure, so parley makes
 * its sockets itself.  Returns the socket, or -1 after logging why.
 */
static int
listen_on(const struct config *cfg)
{
	const char *addr = cfg->listen;
	int fd = -1, one = 1, rc;

	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = addr + 5;
		gid_t gid;

		if (*path != '/' || strlen(path) >= sizeof(sun.sun_path)) {
			log_error("--listen %s: needs an absolute path shorter than %zu bytes",
				  addr, sizeof(sun.sun_path));
			return -1;
		}
		if (socket_group(cfg, &gid) != 0)
			return -1;
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			goto fail;
		if (bind_unix(fd, path, gid) != 0) {
			close(fd);
			return -1;
		}
		if (listen(fd, 128) != 0)
			goto fail;
		return fd;
	} else {
		struct addrinfo hints, *res = NULL;
		const char *colon = strrchr(addr, ':');
		char host[256];
		size_t hlen;

		if (colon == NULL || colon == addr || colon[1] == '\0' ||
		    (size_t)(colon - addr) >= sizeof(host)) {
			log_error("--listen %s: expected unix:/path or host:port", addr);
			return -1;
		}
		hlen = (size_t)(colon - addr);
		memcpy(host, addr, hlen);
		host[hlen] = '\0';
		if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
			memmove(host, host + 1, hlen - 2);
			host[hlen - 2] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
			log_error("--listen %s: %s", addr, gai_strerror(rc));
			return -1;
		}
		fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
		    bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
			freeaddrinfo(res);
			goto fail;
		}
		freeaddrinfo(res);
		return fd;
	}
fail:
	log_error("--listen %s: %s", addr, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The listening socket: systemd's fd 3, --listen, or a spawner's fd 0; -1 for CGI. */
static int
open_listener(const struct config *cfg, int *fd)
{
	const char *lfds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");

	if (cfg->listen != NULL && *cfg->listen != '\0') {
		if ((*fd = listen_on(cfg)) < 0)
			return -1;
		return 0;
	}
	if (lfds != NULL && lpid != NULL && atoi(lpid) == (int)getpid()) {
		if (atoi(lfds) < 1) {
			log_error("LISTEN_FDS=%s: no socket passed", lfds);
			return -1;
		}
		*fd = 3;
		return 0;
	}
	*fd = FCGX_IsCGI() ? -1 : 0;
	return 0;
}

/*
 * SIGHUP: read the flags, the configuration file and the templates again.
 * New requests get the new settings; a failed reload keeps the old ones.
 */
static void
reload(struct server *srv)
{
	struct settings *s, *old;
	const struct config *was;
	char err[512];

	if ((s = calloc(1, sizeof(*s))) == NULL || (s->cfg = calloc(1, sizeof(*s->cfg))) == NULL)
		die("out of memory");
	if (srv->loader->load(srv->loader->ctx, s->cfg, &s->tpl, err, sizeof(err)) != 0) {
		log_error("reload failed, going on with the settings as they were: %s", err);
		/* responder_load may have changed the log level before failing. */
		log_set_level(srv->current->cfg->log_level);
		free(s->cfg);
		free(s);
		return;
	}
	was = srv->current->cfg;
	if (strcmp(was->db, s->cfg->db) != 0 || was->workers != s->cfg->workers ||
	    strcmp(was->listen ? was->listen : "", s->cfg->listen ? s->cfg->listen : "") != 0)
		log_warn("reload: db, workers and listen take effect at the next start");
	s->owned = 1;
	s->refs = 1;
	pthread_mutex_lock(&srv->lock);
	old = srv->current;
	s->generation = old->generation + 1;
	srv->current = s;
	pthread_mutex_unlock(&srv->lock);
	settings_release(srv, old);
	log_info("reloaded the configuration and the templates in %s", s->cfg->templates);
}

/*
 * The main thread once workers run: wait for signals, and every quarter
 * second cut off requests past their deadline.  Returns when a SIGTERM or
 * SIGINT has been handled and every worker has finished.
 */
static void
supervise(struct server *srv, struct worker *workers, int n, const sigset_t *signals)
{
	struct timespec tick = { 0, 250 * 1000000L };
	int stopping = 0, running;

	for (;;) {
		int sig = sigtimedwait(signals, NULL, &tick);

		if (sig == SIGHUP && !stopping)
			reload(srv);
		else if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			stopping = 1;
			log_info("stopping: finishing the requests in flight");
			connpool_stop(srv->pool);
		}
		watch_expire(workers, n);
		pthread_mutex_lock(&srv->lock);
		running = srv->running;
		pthread_mutex_unlock(&srv->lock);
		if (stopping && running == 0)
			return;
	}
}

int
http_serve(const struct app *app, struct config *cfg, struct mu_set *tpl,
	   const struct http_settings_loader *loader)
{
	struct server srv;
	struct worker *workers;
	struct settings *first;
	sigset_t signals;
	int fd, i, n, rc = 2;

	if (geteuid() == 0 && (cfg->user == NULL || *cfg->user == '\0')) {
		log_error("refusing to run as root: give --user NAME");
		return 2;
	}
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 2;
	}
	/* After FCGX_Init, which installs handlers of its own. */
	signal(SIGPIPE, SIG_IGN);
	if (open_listener(cfg, &fd) != 0)
		return 2;
	if (drop_root(cfg) != 0)
		return 2;
	/* Plain CGI opens its database once, for its one request, and says why it can't. */
	if (fd < 0)
		return serve_cgi(app, cfg, tpl);
	if (check_worker(app, cfg, tpl) != 0)
		return 2;

	memset(&srv, 0, sizeof(srv));
	srv.app = app;
	srv.loader = loader;
	pthread_mutex_init(&srv.lock, NULL);
	if ((first = calloc(1, sizeof(*first))) == NULL)
		die("out of memory");
	first->cfg = cfg;
	first->tpl = tpl;
	first->refs = 1;
	srv.current = first;
	n = cfg->workers > 0 ? cfg->workers : 1;
	if ((srv.pool = connpool_start(fd, getenv("FCGI_WEB_SERVER_ADDRS"))) == NULL)
		goto out;
	if ((srv.no_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket: %s", strerror(errno));
	if ((workers = calloc((size_t)n, sizeof(*workers))) == NULL)
		die("out of memory");
	/* Signals go to the main thread only: workers inherit the mask. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	/* Background work (the mail worker) starts with the same mask. */
	if (app->start != NULL && app->start(cfg) != 0) {
		free(workers);
		goto out;
	}
	srv.running = n;
	for (i = 0; i < n; i++) {
		workers[i].srv = &srv;
		workers[i].watch_fd = -1;
		pthread_mutex_init(&workers[i].lock, NULL);
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			die("cannot start worker thread");
	}
	supervise(&srv, workers, n, &signals);
	for (i = 0; i < n; i++) {
		pthread_join(workers[i].thread, NULL);
		pthread_mutex_destroy(&workers[i].lock);
	}
	free(workers);
	close(srv.no_listener);
	rc = 0;
out:
	connpool_free(srv.pool);
	settings_release(&srv, srv.current);
	pthread_mutex_destroy(&srv.lock);
	return rc;
}

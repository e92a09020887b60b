/* fcgi.c: the accept loop: spawner socket, --listen, systemd activation or plain CGI. */
#include "http.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fastcgi.h>
#include <grp.h>
#include <pthread.h>
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
#include "log.h"

extern char **environ;

struct worker {
	const struct app *app;
	const struct config *cfg;
	const struct mu_set *tpl;
	struct connpool *pool;
	int no_listener;     /* a socket that accepts nothing: see worker_main */
	pthread_t thread;
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
	void *app = r->app;

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
	r->app = app;
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

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct arena arena;
	struct buf headers = BUF_INIT, body = BUF_INIT, head = BUF_INIT;   /* kept across requests */
	struct req r;
	FCGX_Request fr;
	struct http_input input;
	char err[256];

	arena_init(&arena);
	memset(&r, 0, sizeof(r));
	req_begin(&r, &arena, &headers, &body, w->cfg, w->tpl);
	if (w->app->worker_open(&r, err, sizeof(err)) != 0) {
		log_error("%s", err);
		exit(2);
	}
	/*
	 * libfcgi reads each request from fr.ipcFd, which the pool fills.  Its
	 * own accept() would only run after a connection failed mid-handshake;
	 * pointing it at a socket that is not listening makes that fail fast,
	 * so the worker goes back to the pool instead of bypassing it.
	 */
	if (FCGX_InitRequest(&fr, w->no_listener, 0) != 0)
		die("FCGX_InitRequest failed");
	for (;;) {
		fr.ipcFd = connpool_take(w->pool);
		fr.keepConnection = 1;   /* so Accept's implicit Finish keeps the new fd */
		if (FCGX_Accept_r(&fr) < 0) {
			/* The web server closed the connection, or sent garbage. */
			if (fr.ipcFd >= 0)
				close(fr.ipcFd);
			fr.ipcFd = -1;
			continue;
		}
		req_begin(&r, &arena, &headers, &body, w->cfg, w->tpl);
		r.env = fr.envp;
		input.read = fcgi_read;
		input.ctx = fr.in;
		r.input = &input;
		http_dispatch(w->app, &r);
		send_response(w->app, &r, &fr, &head);
		FCGX_Finish_r(&fr);
		/* Kept by the web server (fastcgi_keep_conn): watch it again. */
		if (fr.ipcFd >= 0) {
			connpool_give_back(w->pool, fr.ipcFd);
			fr.ipcFd = -1;
		}
	}
	/* Workers serve until the process is terminated. */
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
 * Bind and listen on "unix:/path" or "host:port" ("[v6]:port" for IPv6).
 * libfcgi's FCGX_OpenSocket exits the process on failure, so parley makes
 * its sockets itself.  Returns the socket, or -1 after logging why.
 */
static int
listen_on(const char *addr)
{
	int fd = -1, one = 1, rc;

	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = addr + 5;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (*path != '/' || strlen(path) >= sizeof(sun.sun_path)) {
			log_error("--listen %s: needs an absolute path shorter than %zu bytes",
				  addr, sizeof(sun.sun_path));
			return -1;
		}
		strcpy(sun.sun_path, path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			goto fail;
		{
			struct stat sb;
			/* A stale socket of an earlier run goes; anything else stays. */
			if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
				unlink(path);
		}
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(fd, 128) != 0)
			goto fail;
		/* nginx runs as another user: the socket's folder guards access. */
		chmod(path, 0666);
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

/* SIGTERM and SIGINT end the process at once: every answered write is committed. */
static void
on_terminate(int sig)
{
	(void)sig;
	_exit(0);
}

/* The listening socket: systemd's fd 3, --listen, or a spawner's fd 0; -1 for CGI. */
static int
open_listener(const struct config *cfg, int *fd)
{
	const char *lfds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");

	if (cfg->listen != NULL && *cfg->listen != '\0') {
		const char *addr = cfg->listen;

		if ((*fd = listen_on(addr)) < 0)
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

int
http_serve(const struct app *app, const struct config *cfg, const struct mu_set *tpl)
{
	struct worker *workers;
	struct connpool *pool;
	int fd, i, n, no_listener;

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
	signal(SIGCHLD, SIG_IGN);   /* mail commands are reaped by the kernel */
	signal(SIGTERM, on_terminate);
	signal(SIGINT, on_terminate);
	if (open_listener(cfg, &fd) != 0)
		return 2;
	if (drop_root(cfg) != 0)
		return 2;
	/* Plain CGI opens its database once, for its one request, and says why it can't. */
	if (fd < 0)
		return serve_cgi(app, cfg, tpl);
	if (check_worker(app, cfg, tpl) != 0)
		return 2;

	n = cfg->workers > 0 ? cfg->workers : 1;
	if ((pool = connpool_start(fd)) == NULL)
		return 2;
	if ((no_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket: %s", strerror(errno));
	if ((workers = calloc((size_t)n, sizeof(*workers))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		workers[i].app = app;
		workers[i].cfg = cfg;
		workers[i].tpl = tpl;
		workers[i].pool = pool;
		workers[i].no_listener = no_listener;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			die("cannot start worker thread");
	}
	for (i = 0; i < n; i++)
		pthread_join(workers[i].thread, NULL);
	free(workers);
	return 0;
}

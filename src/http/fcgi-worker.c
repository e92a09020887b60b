/* fcgi-worker.c: the worker threads: settings shared across a reload, each request's deadline and log line, the request loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "connpool.h"
#include "fcgi-impl.h"
#include "log.h"

void
fcgi_req_begin(struct req *r, struct arena *a, struct buf *headers, struct buf *body,
	       const struct config *cfg, const struct mu_set *tpl)
{
	struct db *db = r->db;

	resp_body_release(r);   /* what the last request referred to, if it was never sent */
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

int
fcgi_worker_open(const struct app *app, struct req *r, struct arena *a, struct buf *headers,
		 struct buf *body, const struct config *cfg, const struct mu_set *tpl)
{
	char err[256];

	arena_init(a);
	memset(r, 0, sizeof(*r));
	fcgi_req_begin(r, a, headers, body, cfg, tpl);
	if (app->worker_open(r, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

struct settings *
fcgi_settings_acquire(struct server *srv)
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

void
fcgi_settings_release(struct server *srv, struct settings *s)
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

void
fcgi_watch_expire(struct worker *workers, int n)
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

/* Copy s to line at n, then sep unless it is '\0'; returns the new length. */
static size_t
line_put(char *line, size_t n, const char *s, char sep)
{
	size_t len = strlen(s);

	memcpy(line + n, s, len);
	n += len;
	if (sep != '\0')
		line[n++] = sep;
	return n;
}

/*
 * The request's line for the journal: time, method, path (the query is left
 * out: it may hold a token), status, body bytes sent, microseconds taken.
 * Nothing else of the request (cookies, form fields) is ever logged.
 */
static void
log_request(const struct req *r, size_t bytes, long usec, int expired)
{
	/* Lines come many a second: each thread formats the time once a second. */
	static _Thread_local time_t when_at = -1;
	static _Thread_local char when[32];
	const char *uri = req_env(r, "REQUEST_URI"), *q;
	char method[64], path[1024], line[sizeof(when) + sizeof(method) + sizeof(path) + 128];
	size_t n;
	struct tm tm;
	time_t now = time(NULL);

	if (!log_enabled(LOG_INFO))
		return;
	if (uri == NULL)
		uri = "";
	q = strchr(uri, '?');
	log_escape(method, sizeof(method), r->method_name ? r->method_name : "-", 12);
	log_escape(path, sizeof(path), uri, q ? (size_t)(q - uri) : 200);
	if (now != when_at) {
		gmtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		when_at = now;
	}
	/* "WHEN METHOD PATH STATUS BYTES USECus", by appends: the line is written for every hit. */
	n = line_put(line, 0, when, ' ');
	n = line_put(line, n, method, ' ');
	n = line_put(line, n, *path ? path : "-", ' ');
	n += dec_int(line + n, r->status);
	line[n++] = ' ';
	n += dec_int(line + n, (long long)bytes);
	line[n++] = ' ';
	n += dec_int(line + n, usec);
	n = line_put(line, n, expired ? "us cut off at the request deadline" : "us", '\0');
	log_text(LOG_INFO, line, n);
}

void *
fcgi_worker_main(void *arg)
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
	int fd, expired;
	size_t sent;
	unsigned char *peek = malloc(PARAMS_PEEK_MAX), *scratch = malloc(PARAMS_PEEK_MAX);

	if (peek == NULL || scratch == NULL)
		die("out of memory");
	s = fcgi_settings_acquire(srv);
	if (fcgi_worker_open(app, &r, &arena, &headers, &body, s->cfg, s->tpl) != 0)
		exit(2);
	fcgi_settings_release(srv, s);
	/*
	 * libfcgi reads each request from fr.ipcFd, which the pool fills.  Its
	 * own accept() would only run after a connection failed mid-handshake;
	 * pointing it at a socket that is not listening makes that fail fast,
	 * so the worker goes back to the pool instead of bypassing it.
	 */
	if (FCGX_InitRequest(&fr, srv->no_listener, 0) != 0)
		die("FCGX_InitRequest failed");
	while ((fd = connpool_take(srv->pool)) >= 0) {
		s = fcgi_settings_acquire(srv);
		if (watch_begin(w, fd, s->cfg->request_timeout, &started) != 0) {
			close(fd);
			fcgi_settings_release(srv, s);
			continue;
		}
		if (fcgi_params_sane(fd, peek, scratch, &w->deadline) != 0) {
			close(fd);
			if (watch_end(w))
				log_warn("dropped a connection that sent no request within %ds",
					 s->cfg->request_timeout);
			else
				log_debug("dropped a connection: it closed, or sent malformed parameters");
			fcgi_settings_release(srv, s);
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
			fcgi_settings_release(srv, s);
			continue;
		}
		fcgi_req_begin(&r, &arena, &headers, &body, s->cfg, s->tpl);
		r.settings_generation = s->generation;
		r.env = fr.envp;
		input.read = fcgi_input_read;
		input.ctx = fr.in;
		r.input = &input;
		http_dispatch(app, &r);
		sent = fcgi_send_response(app, &r, &fr, &head) == 0 &&
		       r.method != HTTP_HEAD && r.status != 304 ? resp_body_len(&r) : 0;
		resp_body_release(&r);
		fcgi_drain_input(&fr);
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
		fcgi_settings_release(srv, s);
	}
	/* Stopping: the request this worker served is finished. */
	FCGX_Free(&fr, 0);
	s = fcgi_settings_acquire(srv);
	r.cfg = s->cfg;
	r.tpl = s->tpl;
	app->worker_close(&r);
	fcgi_settings_release(srv, s);
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

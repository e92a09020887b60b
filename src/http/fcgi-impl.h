/*
 * fcgi-impl.h: what the FastCGI loop's files share: the wire (records,
 * parameter checks), the workers and the run modes.  Private to src/http;
 * the contract is http_serve in http.h.
 */
#ifndef PARLEY_FCGI_IMPL_H
#define PARLEY_FCGI_IMPL_H

#include <fcgiapp.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "http.h"

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

/* fcgi-records.c: the wire. */

/* http_input readers: a libfcgi stream (ctx), and standard input for plain CGI. */
size_t fcgi_input_read(void *ctx, char *dst, size_t n);
size_t fcgi_stdin_read(void *ctx, char *dst, size_t n);
/* Status line, fixed headers, the program's and the handler's headers, body. */
void fcgi_response_head(const struct app *app, struct req *r, struct buf *out);
/*
 * What a response sends, in order: the head, then unless the answer has no
 * body (HEAD, 304), r->body's bytes and the pieces it refers to.  Fills seg
 * and returns how many.
 */
#define FCGI_PIECES (RESP_PIECES + 2)
size_t fcgi_response_pieces(const struct req *r, const struct buf *head,
			    struct resp_piece seg[FCGI_PIECES]);
/*
 * One response: its head into head (the worker's buffer, reused), then the
 * records.  Returns 0, or -1 when the web server went away.
 */
int fcgi_send_response(const struct app *app, struct req *r, FCGX_Request *fr,
		       struct buf *head);
/*
 * Wait until the next request's PARAMS have arrived whole on fd, and check
 * them (fcgi_params.h) without consuming them; peek and scratch hold
 * PARAMS_PEEK_MAX bytes each.  Returns 0 to go on, -1 to drop the connection.
 */
#define PARAMS_PEEK_MAX 65536
int fcgi_params_sane(int fd, unsigned char *peek, unsigned char *scratch,
		     const struct timespec *deadline);
/* Read and drop what is left of the request body (at most DRAIN_MAX bytes). */
void fcgi_drain_input(FCGX_Request *fr);

/* fcgi-worker.c: the workers. */

/*
 * Make r a fresh request in a, keeping its database handle; what the last
 * response still referred to (resp_body_refer) is given back first, so r
 * must be zeroed or a past request.
 */
void fcgi_req_begin(struct req *r, struct arena *a, struct buf *headers, struct buf *body,
		    const struct config *cfg, const struct mu_set *tpl);
/*
 * Start a worker's life in r: a initialised, r a fresh request on headers
 * and body, the program's worker_open run.  Returns 0, or -1 after logging
 * why it could not open (a bad database); the caller frees a, headers and
 * body either way.
 */
int fcgi_worker_open(const struct app *app, struct req *r, struct arena *a, struct buf *headers,
		     struct buf *body, const struct config *cfg, const struct mu_set *tpl);
/* The settings new requests use, with a reference the caller must release. */
struct settings *fcgi_settings_acquire(struct server *srv);
/* Drop a reference; the last one frees settings a reload made. */
void fcgi_settings_release(struct server *srv, struct settings *s);
/* Shut down every connection past its deadline.  Called by the main thread. */
void fcgi_watch_expire(struct worker *workers, int n);
/* A worker thread's body (arg is its struct worker): requests until the pool stops. */
void *fcgi_worker_main(void *arg);

#endif

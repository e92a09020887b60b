/* http.h: the FastCGI request context, response buffering, routing and the accept loop. */
#ifndef PARLEY_HTTP_H
#define PARLEY_HTTP_H

#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "buf.h"

struct config;
struct db;
struct mu_set;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_OTHER = 1 << 3,
};

/* One name=value pair of a query string, form body or Cookie header (decoded). */
struct kv {
	const char *name;
	const char *value;
	size_t value_len;   /* value may hold NUL bytes from %00 */
};

struct kv_list {
	struct kv *items;
	size_t len;
};

/*
 * A piece of a response body the response points into instead of holding
 * (resp_body_refer): memory someone else owns, such as a cached page.
 */
struct resp_piece {
	const char *data;
	size_t len;
};

#define RESP_PIECES 4

/*
 * Everything one request needs, reset between requests.  Handlers read the
 * parsed input, write the response through the resp_* calls, and return an
 * HTTP status.  All memory hangs off the arena and dies with the request.
 */
struct req {
	struct arena *arena;
	const struct config *cfg;     /* fixed at start-up */
	const struct mu_set *tpl;     /* compiled templates, fixed at start-up */
	struct db *db;                /* this worker's connection */
	time_t now;                   /* when the request arrived */
	unsigned settings_generation; /* bumped by each reload (SIGHUP) of cfg and tpl */

	/* Input, parsed and bounded before the handler runs. */
	enum http_method method;
	const char *method_name;      /* REQUEST_METHOD as sent */
	const char *path;             /* percent-decoded, mount point removed, starts with '/' */
	const char *query_string;     /* raw, "" when none */
	struct kv_list query;
	struct kv_list cookies;
	const char *params[6];        /* the route's "*" segments, decoded */
	size_t nparams;
	const char *remote_addr;
	char **env;                   /* CGI variables; read through req_env() */

	/* The body is read on demand: see req_read_form(). */
	int body_state;               /* 0 unread, 1 read, -1 too large, -2 cut short */
	struct kv_list form;
	size_t content_length;

	/* Output, buffered until the handler returns. */
	int status;
	struct buf *headers;          /* "Name: value\r\n" lines */
	struct buf *body;
	const char *content_type;
	/*
	 * The body goes on with pieces of memory the response does not own
	 * (resp_body_refer empties body first).  release(release_ctx) gives
	 * them back once the response has left.
	 */
	struct resp_piece pieces[RESP_PIECES];
	size_t npieces;
	void (*release)(void *ctx);
	void *release_ctx;

	/* Where the body comes from: FastCGI, CGI stdin, or a test's memory. */
	const struct http_input *input;
};

struct http_input {
	/* Read up to n bytes; returns the count, 0 at the end or on error. */
	size_t (*read)(void *ctx, char *dst, size_t n);
	void *ctx;
};

/* CGI variable by name (HTTP_COOKIE, CONTENT_TYPE, ...), or NULL. */
const char *req_env(const struct req *r, const char *name);
/* First value for name, or NULL. */
const char *kv_get(const struct kv_list *l, const char *name);
const char *req_query(const struct req *r, const char *name);

/*
 * Is this POST from the site's own pages?  A browser's Sec-Fetch-Site of
 * cross-site or same-site, or an Origin other than base_url's (cfg->origin,
 * "null" included), says no: 0.  A request with neither header (an old
 * browser, a script) passes here and still needs its form's token.
 */
int req_same_origin(const struct req *r);
const char *req_cookie(const struct req *r, const char *name);

/*
 * Read and parse an application/x-www-form-urlencoded body of at most limit
 * bytes.  Returns 0 (r->form filled), 413 when the body is larger than
 * limit, 400 when it ends before CONTENT_LENGTH, or 415 for another content
 * type.  Safe to call twice.
 */
int req_read_form(struct req *r, size_t limit);
const char *req_form(const struct req *r, const char *name);
/*
 * The first value of a form field and its length in *len: values may hold
 * NUL bytes (from %00), which req_form's C string would silently cut at.
 * NULL (and *len 0) when the field is absent.
 */
const char *req_form_value(const struct req *r, const char *name, size_t *len);

/*
 * Decode application/x-www-form-urlencoded text into pairs in the arena.
 * At most max_pairs pairs are kept.  Exposed for tests and fuzzers.
 */
void http_parse_urlencoded(struct arena *a, const char *s, size_t len,
			   char sep, struct kv_list *out, size_t max_pairs);
/* Parse a Cookie header ("a=b; c=d"); values are not percent-decoded. */
void http_parse_cookies(struct arena *a, const char *s, struct kv_list *out);
/* Percent-decode s into the arena; returns NULL when s holds a bad escape. */
char *http_percent_decode(struct arena *a, const char *s, size_t len, size_t *outlen);

/*
 * Add a response header.  Refuses (returns -1, adds nothing) a name or value
 * holding CR, LF or NUL, so no input can split a response.
 */
int resp_header(struct req *r, const char *name, const char *value);
/* Set-Cookie with the attributes every parley cookie carries. */
void resp_cookie(struct req *r, const char *name, const char *value,
		 const char *path, long max_age, int http_only, const char *same_site);
/*
 * Send n pieces (at most RESP_PIECES) as the body instead of r->body's
 * bytes, which are dropped: the FastCGI loop writes them where they are,
 * without a copy.  They must stay valid until release(ctx) runs, which the
 * loop calls once the response has left (resp_body_release), or sooner
 * when the body is replaced.  The response keeps its own copy of the
 * piece list, not of the bytes.  Returns 0, or -1 (nothing changed, release
 * not taken) for more than RESP_PIECES pieces.
 */
int resp_body_refer(struct req *r, const struct resp_piece *pieces, size_t n,
		     void (*release)(void *ctx), void *ctx);
/* The body's length in bytes: r->body's and the pieces'. */
size_t resp_body_len(const struct req *r);
/*
 * Append the referred pieces to r->body and give them back, for a caller
 * that reads r->body (the unit tests' fixture).  Nothing to do when there
 * are none.
 */
void resp_body_hold(struct req *r);
/* Give a referred body's pieces back (release runs once) and forget them. */
void resp_body_release(struct req *r);
/* Redirect to a path under the mount point (e.g. "/posts/x"); returns status. */
int resp_redirect(struct req *r, int status, const char *path);
/*
 * Conditional GET: set ETag (quoted here) and Last-Modified.  Returns 1 when
 * the request's If-None-Match matches, and the handler should return 304.
 */
int resp_validators(struct req *r, const char *etag, time_t last_modified);
/* Format t as an IMF-fixdate (RFC 9110) in the arena. */
const char *http_date(struct arena *a, time_t t);
const char *http_status_text(int status);

/*
 * One row of a program's error pages: the title and message its page
 * shows for the statuses listed.  A program's table ends with a row that
 * lists no status (statuses[0] 0): the page for every other status.
 */
struct http_error_text {
	int statuses[4];              /* 0-terminated */
	const char *title;
	const char *message;
};
/* The row of table for status: the first that lists it, else the closing row. */
const struct http_error_text *http_error_text(const struct http_error_text *table, int status);

/*
 * A route as the router sees it: a method mask and a pattern.  Each program
 * keeps its own typed table around these (handler, flags: site-app.c,
 * admin-app.c), so the router knows no program's handlers or context.
 */
struct route {
	unsigned methods;             /* HTTP_GET includes HEAD */
	const char *pattern;          /* "/posts/" then an asterisk: it matches one segment */
};

/* What a program plugs into the shared accept loop. */
struct app {
	const char *name;             /* "parley-blog" */
	/* The program's route i, or NULL past the last: the router tries them in order. */
	const struct route *(*route)(size_t i);
	/*
	 * Answer the request: route is the index of the route that matched (its
	 * "*" segments in r->params), or -1 with status the router's own answer
	 * (400, 404, 405 with Allow set, 414).  The program wraps r in its own
	 * context, checks the route's flags, runs the handler, renders its error
	 * page for a status >= 400 left without a body, and sets r->status.
	 */
	void (*respond)(struct req *r, long route, int status);
	const char *security_headers; /* "Name: value\r\n" lines added to every response */
	const char *const *templates; /* names the program needs, NULL-terminated */
	/* Per worker: open the database and whatever else the worker keeps. */
	int (*worker_open)(struct req *r, char *err, size_t errlen);
	void (*worker_close)(struct req *r);
	/*
	 * Optional.  start runs once the socket is open and root dropped,
	 * before any request (background work such as the mail worker): 0 or
	 * -1 to refuse to serve.  after_response runs once the response has
	 * left; in plain CGI the database is closed by then (r->db NULL).
	 */
	int (*start)(const struct config *cfg);
	void (*after_response)(struct req *r);
};

/*
 * Parse r's CGI variables, find its route and let the program answer
 * (app->respond), leaving the complete response in r.  Exposed so tests
 * can drive a program without FastCGI.
 */
void http_dispatch(const struct app *app, struct req *r);

/*
 * How http_serve reads its settings again on SIGHUP.  load fills a fresh
 * configuration and set of templates (0, or -1 with a one-line reason in
 * err and nothing to free); free_templates releases a set it made.  The
 * program supplies it (cgi/responder.c): it knows the flags and the
 * template engine, which the http layer does not.
 */
struct http_settings_loader {
	int (*load)(void *ctx, struct config *cfg, struct mu_set **tpl, char *err,
		    size_t errlen);
	void (*free_templates)(struct mu_set *tpl);
	void *ctx;
};

/*
 * Serve requests until SIGTERM or SIGINT: on fd 0 when a spawner handed us
 * a socket (or fd 3 with LISTEN_FDS), on cfg->listen when set, or a single
 * plain-CGI request.  Drops root to cfg->user after the socket is open.
 * Each request and its answer get cfg->request_timeout seconds in all; a
 * connection past it is shut down.  SIGTERM lets the requests in flight
 * finish, then returns; SIGHUP loads the settings again with loader and
 * serves new requests with them, the running ones finishing with the old.
 * cfg and tpl stay the caller's.
 * Returns the process exit status.
 */
int http_serve(const struct app *app, struct config *cfg, struct mu_set *tpl,
	       const struct http_settings_loader *loader);

#endif

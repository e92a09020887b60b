/* fuzz_fcgi.c: libFuzzer target: any bytes on a FastCGI connection, through libfcgi and parley's glue. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fastcgi.h>

#include "config.h"
/* The worker's glue (request set-up, body reads, record writer), private to src/http. */
#include "../../src/http/fcgi-impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX 60000   /* fits a socket buffer, so writing it never blocks */

static int
page(struct req *r)
{
	buf_puts(r->body, "<!doctype html><p>a page</p>");
	return 200;
}

/* Echo the form's size: the body was read whole, or refused. */
static int
form(struct req *r)
{
	int rc = req_read_form(r, 4096);

	if (rc != 0)
		return rc;
	if (r->form.len > 256)
		abort();
	buf_printf(r->body, "%zu fields", r->form.len);
	return 200;
}

static const struct {
	struct route route;
	int (*handler)(struct req *r);
} routes[] = {
	{ { HTTP_GET, "/" }, page },
	{ { HTTP_POST, "/form" }, form },
};

static const struct route *
route_at(size_t i)
{
	return i < sizeof(routes) / sizeof(routes[0]) ? &routes[i].route : NULL;
}

static void
respond(struct req *r, long route, int status)
{
	r->status = route >= 0 ? routes[route].handler(r) : status;
}

static const struct app app = { .name = "fuzz", .route = route_at, .respond = respond,
	.security_headers = "X-Content-Type-Options: nosniff\r\n" };

/*
 * What came back is a run of whole FastCGI records of known types; an
 * answered request has a STDOUT record beginning with a Status line and
 * ends with END_REQUEST.
 */
static void
check_output(const unsigned char *out, size_t len, int answered)
{
	size_t off = 0;
	int saw_status = 0, saw_end = 0, first_stdout = 1;

	while (len - off >= 8) {
		const unsigned char *h = out + off;
		size_t clen = (size_t)h[4] << 8 | h[5], rec = 8 + clen + h[6];

		if (h[0] != FCGI_VERSION_1)
			abort();
		if (h[1] != FCGI_STDOUT && h[1] != FCGI_STDERR && h[1] != FCGI_END_REQUEST &&
		    h[1] != FCGI_GET_VALUES_RESULT && h[1] != FCGI_UNKNOWN_TYPE)
			abort();
		if (len - off < rec)
			break;   /* the writer gave up on a full socket */
		if (h[1] == FCGI_STDOUT && clen > 0 && first_stdout) {
			first_stdout = 0;
			saw_status = clen >= 8 && memcmp(h + 8, "Status: ", 8) == 0;
		}
		if (h[1] == FCGI_END_REQUEST)
			saw_end = 1;
		off += rec;
	}
	if (answered && (!saw_status || !saw_end))
		abort();
}

/*
 * libfcgi 2.4.2 leaks 48 bytes on every management record (request id 0)
 * other than FCGI_GET_VALUES: ProcessManagementRecord allocates a Params it
 * frees only for that type.  The worker refuses such records ahead of a
 * request (fcgi_params.c); one hidden later, among a request's STDIN
 * records, is read by libfcgi itself.  nginx never sends one, and only the
 * web server may reach the socket, so such inputs are left out here rather
 * than reported again and again.  1 when data holds one.
 */
static int
has_management_record(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (size - off >= 8) {
		const uint8_t *h = data + off;
		size_t clen = (size_t)h[4] << 8 | h[5];

		if ((h[2] << 8 | h[3]) == 0)
			return 1;
		/* As libfcgi reads: the padding of a stream's empty last record is not skipped. */
		off += 8 + clen + (clen > 0 ? h[6] : 0);
		if (off > size)
			break;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int no_listener = -1;
	static unsigned char out[1 << 20], peek[PARAMS_PEEK_MAX], scratch[PARAMS_PEEK_MAX];
	struct config cfg;
	struct arena arena;
	struct buf headers = BUF_INIT, body = BUF_INIT, head = BUF_INIT;
	struct http_input input;
	struct req r;
	FCGX_Request fr;
	struct timespec deadline;
	int sv[2], answered = 0, big = 1 << 20;
	size_t got = 0;
	ssize_t n;

	if (size > INPUT_MAX || has_management_record(data, size))
		return 0;
	if (no_listener < 0) {
		if (FCGX_Init() != 0 || (no_listener = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			abort();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (size > 0 && write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	/* Reads never block (all the input is there); writes fail rather than wait. */
	fcntl(sv[1], F_SETFL, O_NONBLOCK);

	memset(&cfg, 0, sizeof(cfg));
	cfg.mount = "";
	arena_init(&arena);
	memset(&r, 0, sizeof(r));
	if (FCGX_InitRequest(&fr, no_listener, 0) != 0)
		abort();
	fr.ipcFd = sv[1];
	fr.keepConnection = 1;
	/* The worker's own check first: what it lets through must not break libfcgi. */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 5;
	if (fcgi_params_sane(sv[1], peek, scratch, &deadline) != 0) {
		close(sv[1]);
		fr.ipcFd = -1;
	} else if (FCGX_Accept_r(&fr) == 0) {
		fcgi_req_begin(&r, &arena, &headers, &body, &cfg, NULL);
		r.env = fr.envp;
		input.read = fcgi_input_read;
		input.ctx = fr.in;
		r.input = &input;
		http_dispatch(&app, &r);
		answered = fcgi_send_response(&app, &r, &fr, &head) == 0;
		FCGX_Finish_r(&fr);
		/* libfcgi's own END_REQUEST write may still have met a full socket. */
		if (fr.ipcFd < 0)
			answered = 0;
	}
	if (fr.ipcFd >= 0)
		close(fr.ipcFd);
	FCGX_Free(&fr, 0);
	while (got < sizeof(out) && (n = read(sv[0], out + got, sizeof(out) - got)) > 0)
		got += (size_t)n;
	close(sv[0]);
	check_output(out, got, answered);
	buf_free(&headers);
	buf_free(&body);
	buf_free(&head);
	arena_free(&arena);
	return 0;
}

/* fcgi-records.c: the FastCGI wire: reading a request's streams, writing a response's records, checking PARAMS first. */
#include <errno.h>
#include <fastcgi.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fcgi-impl.h"
#include "fcgi_params.h"

size_t
fcgi_input_read(void *ctx, char *dst, size_t n)
{
	int got = FCGX_GetStr(dst, n > 65536 ? 65536 : (int)n, ctx);

	return got > 0 ? (size_t)got : 0;
}

size_t
fcgi_stdin_read(void *ctx, char *dst, size_t n)
{
	ssize_t got;

	do
		got = read(STDIN_FILENO, dst, n);
	while (got < 0 && errno == EINTR);
	return got > 0 ? (size_t)got : 0;
}

void
fcgi_response_head(const struct app *app, struct req *r, struct buf *out)
{
	int no_body = r->status == 304 || r->status == 204;

	/* Appends, not printf: this runs for every response, a cached page's too. */
	buf_append(out, "Status: ", 8);
	buf_put_int(out, r->status);
	buf_putc(out, ' ');
	buf_puts(out, http_status_text(r->status));
	if (!no_body) {
		buf_append(out, "\r\nContent-Type: ", 16);
		buf_puts(out, r->content_type ? r->content_type : "text/html; charset=utf-8");
		buf_append(out, "\r\nContent-Length: ", 18);
		buf_put_int(out, (long long)resp_body_len(r));
	}
	buf_append(out, "\r\n", 2);
	if (app->security_headers != NULL)
		buf_puts(out, app->security_headers);
	buf_append(out, r->headers->data ? r->headers->data : "", r->headers->len);
	buf_append(out, "\r\n", 2);
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

/* Write the n pieces in order as the content of STDOUT records. */
static int
write_stdout_records(int fd, int request_id, const struct resp_piece *seg, size_t nseg)
{
	unsigned char headers[RECORDS_PER_WRITE][8];
	/* Each record: its header, and one piece more for each piece that ends in it. */
	struct iovec iov[RECORDS_PER_WRITE * 2 + FCGI_PIECES];
	size_t s = 0, off = 0;

	while (s < nseg && off >= seg[s].len) {
		s++;
		off = 0;
	}
	while (s < nseg) {
		int n = 0, k;

		for (k = 0; k < RECORDS_PER_WRITE && s < nseg; k++) {
			unsigned char *h = headers[k];
			size_t room = RECORD_MAX, chunk = 0;
			int hdr = n++;

			/* One record's content may span the end of one piece and the start of the next. */
			while (room > 0 && s < nseg) {
				size_t take = seg[s].len - off < room ? seg[s].len - off : room;
				iov[n].iov_base = (void *)(seg[s].data + off);
				iov[n++].iov_len = take;
				chunk += take;
				room -= take;
				off += take;
				while (s < nseg && off >= seg[s].len) {
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

size_t
fcgi_response_pieces(const struct req *r, const struct buf *head,
		     struct resp_piece seg[FCGI_PIECES])
{
	size_t n = 0, i;

	seg[n].data = head->data;
	seg[n++].len = head->len;
	if (r->method == HTTP_HEAD || r->status == 304)
		return n;
	if (r->body->len > 0) {
		seg[n].data = r->body->data;
		seg[n++].len = r->body->len;
	}
	for (i = 0; i < r->npieces && n < FCGI_PIECES; i++)
		seg[n++] = r->pieces[i];
	return n;
}

int
fcgi_send_response(const struct app *app, struct req *r, FCGX_Request *fr, struct buf *head)
{
	struct resp_piece seg[FCGI_PIECES];
	int rc;

	buf_reset(head);
	fcgi_response_head(app, r, head);
	rc = write_stdout_records(fr->ipcFd, fr->requestId, seg,
				  fcgi_response_pieces(r, head, seg));
	if (rc != 0)
		fr->keepConnection = 0;
	return rc;
}

/*
 * Wait until the next request's PARAMS have arrived whole, and check them
 * (fcgi_params.h) before libfcgi reads them.  Looks without consuming:
 * libfcgi then reads the same bytes.  A client slower than the deadline is
 * shut down by the main thread, which ends the wait.  Returns 0 to go on,
 * -1 to drop the connection.
 */
int
fcgi_params_sane(int fd, unsigned char *peek, unsigned char *scratch,
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

void
fcgi_drain_input(FCGX_Request *fr)
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

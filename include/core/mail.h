/* mail.h: well-formed plain-text messages (RFC 5322, RFC 2047, MIME) and the sendmail-compatible command that sends them. */
#ifndef PARLEY_MAIL_H
#define PARLEY_MAIL_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Longest address we mail (RFC 5321's path limit). */
#define MAIL_ADDRESS_MAX 254

/*
 * One message to compose.  Every string is UTF-8; header values are
 * encoded (RFC 2047) and folded as needed, and CR, LF and other control
 * characters in them become spaces, so no value can add a header.
 */
struct mail_message {
	const char *from;           /* mail_from: "addr" or "Name <addr>" */
	const char *from_name;      /* display name used when from has none (site title) */
	const char *to;             /* one address, mail_address_valid */
	const char *subject;
	time_t date;
	const char *message_id;     /* "<...@...>", from mail_message_id */
	int bulk;                   /* Precedence: bulk (digests, new posts) */
	const char *list_unsubscribe;   /* absolute https/http URL, or NULL */
	const char *list_id;        /* "Name <id.host>" or NULL */
	const char *body;           /* plain text, LF line ends */
};

/*
 * Append the whole message to out: headers (Date, From, To, Subject,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8,
 * Content-Transfer-Encoding 7bit for short ASCII lines and
 * quoted-printable otherwise, Auto-Submitted: auto-generated, and the
 * optional ones), a blank line and the body.  Lines end in LF, as a local
 * sendmail -t expects.
 */
void mail_compose(struct buf *out, const struct mail_message *m);

/* A fresh Message-ID "<time.random@domain>" into out (appended). */
void mail_message_id(struct buf *out, time_t now, const char *domain);

/* The domain of mail_from's address ("example.org"), in out; "localhost" when none. */
void mail_from_domain(struct buf *out, const char *from);

/*
 * Is s an address we can put alone in a To: header and hand to sendmail:
 * printable ASCII, one @, no spaces, quotes, commas or angle brackets, at
 * most MAIL_ADDRESS_MAX bytes, a dotted domain?  1 or 0.
 */
int mail_address_valid(const char *s);

/* Header helpers, exposed for tests: append "Name: value\n", encoded and folded. */
void mail_header(struct buf *out, const char *name, const char *value);
/* Quoted-printable of text (UTF-8, LF line ends) appended to out. */
void mail_quoted_printable(struct buf *out, const char *text);

/*
 * Run command (by /bin/sh -c, in its own process group) with the message
 * on its standard input, and wait for it at most timeout_seconds; past
 * that the group is killed.  Returns 0 when it exited with status 0, else
 * -1 with a one-line reason in err (exit status and the first line of its
 * output, a signal, or the timeout).  Never raises SIGPIPE.
 */
int mail_run(const char *command, const char *message, size_t len, int timeout_seconds,
	     char *err, size_t errlen);

#endif

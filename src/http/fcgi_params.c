/* fcgi_params.c: name-value lengths of a FastCGI request checked before libfcgi trusts them. */
#include "fcgi_params.h"

#include <fastcgi.h>
#include <string.h>

/* One length of a name-value pair (1 byte, or 4 with the top bit set); -1 past the end. */
static int
read_length(const unsigned char *p, size_t n, size_t *at, size_t *length)
{
	if (*at >= n)
		return -1;
	if ((p[*at] & 0x80) == 0) {
		*length = p[(*at)++];
		return 0;
	}
	if (n - *at < 4)
		return -1;
	*length = (size_t)(p[*at] & 0x7f) << 24 | (size_t)p[*at + 1] << 16 |
		  (size_t)p[*at + 2] << 8 | p[*at + 3];
	*at += 4;
	return 0;
}

/* 1 when p[0..n) is a whole run of name-value pairs, each inside it. */
static int
pairs_fit(const unsigned char *p, size_t n)
{
	size_t at = 0, name, value;

	while (at < n) {
		if (read_length(p, n, &at, &name) != 0 || read_length(p, n, &at, &value) != 0)
			return 0;
		if (name > n - at || value > n - at - name)
			return 0;
		at += name + value;
	}
	return 1;
}

int
fcgi_params_check(const unsigned char *buf, size_t len, unsigned char *scratch)
{
	size_t off = 0, params = 0;
	int begun = 0, id = 0;

	while (len - off >= FCGI_HEADER_LEN) {
		const unsigned char *h = buf + off, *content = h + FCGI_HEADER_LEN;
		size_t clen = (size_t)h[4] << 8 | h[5], whole = FCGI_HEADER_LEN + clen + h[6];
		int type = h[1], rid = h[2] << 8 | h[3];

		if (h[0] != FCGI_VERSION_1)
			return -1;
		if (len - off < whole)
			return 0;
		if (rid == FCGI_NULL_REQUEST_ID) {
			/*
			 * Management records (FCGI_GET_VALUES and the like): nginx
			 * never sends them, and libfcgi leaks memory on some (found
			 * by fuzz_fcgi).  Refused.
			 */
			return -1;
		} else if (type == FCGI_BEGIN_REQUEST && !begun) {
			begun = 1;
			id = rid;
		} else if (type == FCGI_PARAMS && begun && rid == id) {
			if (clen == 0)
				return pairs_fit(scratch, params) ? 1 : -1;
			memcpy(scratch + params, content, clen);
			params += clen;
		}
		off += whole;
	}
	return 0;
}

/* fcgi_params.h: a check of a request's FastCGI PARAMS before libfcgi reads them. */
#ifndef PARLEY_FCGI_PARAMS_H
#define PARLEY_FCGI_PARAMS_H

#include <stddef.h>

/*
 * libfcgi 2.4.2 (Debian 12, even with the CVE-2025-23016 fix) allocates
 * each name-value pair at the size its length fields announce and asserts
 * that the allocation worked: one PARAMS record announcing a 2 GB name
 * aborts the whole process, every worker with it.  Found by fuzz_fcgi.
 * Before libfcgi reads a request, the worker looks at the bytes that have
 * arrived (without consuming them) and checks them here.
 *
 * buf holds the first len bytes of a connection's next request.  Looks at
 * the BEGIN_REQUEST record and the PARAMS records of that request, up to
 * the empty PARAMS record that ends them.  Returns 1 when every name-value
 * pair's lengths fit inside the PARAMS stream, -1 when one does not, when a
 * record is not FastCGI version 1, or for a management record (request id
 * 0: nginx sends none, and libfcgi leaks memory on some), 0 when more bytes
 * are needed to tell.  scratch, of at
 * least len bytes, is working space.
 */
int fcgi_params_check(const unsigned char *buf, size_t len, unsigned char *scratch);

#endif

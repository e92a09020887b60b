/* connpool.h: hands FastCGI connections with a request waiting to worker threads. */
#ifndef PARLEY_CONNPOOL_H
#define PARLEY_CONNPOOL_H

/*
 * libfcgi's FCGX_Accept_r blocks on the connection it served last when the
 * web server keeps connections open (nginx fastcgi_keep_conn), so with more
 * kept connections than workers, requests would wait behind idle ones.  The
 * pool watches the listening socket and every idle kept connection; a worker
 * takes the next one that has something to read, serves one request on it,
 * and gives it back to be watched again.
 */
struct connpool;

/*
 * Watch listen_fd (made non-blocking).  On a TCP socket, allowed (the
 * comma-separated addresses of FCGI_WEB_SERVER_ADDRS; NULL or "" for
 * anyone) limits who may connect: other peers are closed at once.  NULL on
 * failure, after logging why.
 */
struct connpool *connpool_start(int listen_fd, const char *allowed);
/*
 * Block until a connection has a request (or EOF) to read; returns its fd,
 * or -1 once connpool_stop was called.
 */
int connpool_take(struct connpool *p);
/* Give back a connection the web server asked to keep; it is watched again. */
void connpool_give_back(struct connpool *p, int fd);
/* Accept no more connections and wake every waiting worker with -1. */
void connpool_stop(struct connpool *p);
/* Close the pool's own descriptors (not the listening socket); NULL is fine. */
void connpool_free(struct connpool *p);

#endif

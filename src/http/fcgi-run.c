/* fcgi-run.c: the run modes: spawner socket, --listen, systemd activation or plain CGI; start-up, signals, reload. */
#include <errno.h>
#include <fcgiapp.h>
#include <grp.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "connpool.h"
#include "fcgi-impl.h"
#include "log.h"

extern char **environ;

/* Serve exactly one request from the CGI environment, then return. */
static int
serve_cgi(const struct app *app, const struct config *cfg, const struct mu_set *tpl)
{
	struct arena arena;
	struct buf headers = BUF_INIT, body = BUF_INIT, head = BUF_INIT;
	struct http_input input = { fcgi_stdin_read, NULL };
	struct req r;
	struct resp_piece seg[FCGI_PIECES];
	size_t i, n;
	int rc = 0;

	if (fcgi_worker_open(app, &r, &arena, &headers, &body, cfg, tpl) != 0) {
		rc = 2;
		goto out;
	}
	r.env = environ;
	r.input = &input;
	http_dispatch(app, &r);
	fcgi_response_head(app, &r, &head);
	for (i = 0, n = fcgi_response_pieces(&r, &head, seg); i < n; i++)
		fwrite(seg[i].data, 1, seg[i].len, stdout);
	fflush(stdout);
	resp_body_release(&r);
	app->worker_close(&r);
	if (app->after_response != NULL)
		app->after_response(&r);
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
	int rc = 0;

	if (fcgi_worker_open(app, &r, &arena, &headers, &body, cfg, tpl) != 0)
		rc = -1;
	else
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
 * The group a unix --listen socket gets: --socket-group, else the group of
 * --user, else none (-1: the process's own).  Returns 0, or -1 after logging.
 */
static int
socket_group(const struct config *cfg, gid_t *gid)
{
	*gid = (gid_t)-1;
	if (cfg->socket_group != NULL && *cfg->socket_group != '\0') {
		struct group *gr = getgrnam(cfg->socket_group);
		if (gr == NULL) {
			log_error("--socket-group %s: no such group", cfg->socket_group);
			return -1;
		}
		*gid = gr->gr_gid;
	} else if (cfg->user != NULL && *cfg->user != '\0' && geteuid() == 0) {
		struct passwd *pw = getpwnam(cfg->user);
		if (pw == NULL) {
			log_error("--user %s: no such user", cfg->user);
			return -1;
		}
		*gid = pw->pw_gid;
	}
	return 0;
}

/*
 * Bind fd to the unix socket path, born with mode 0660 and group gid, so
 * that no name another user could swap is ever chmod-ed or chown-ed: the
 * socket is made in a private folder (mode 0700, beside path) under a
 * umask, given its group there, and renamed over path, which replaces a
 * stale socket (or a planted link) atomically and never follows a link.
 * Anything else at path is refused.  Returns 0, or -1 after logging why.
 */
static int
bind_unix(int fd, const char *path, gid_t gid)
{
	struct sockaddr_un sun;
	struct stat sb;
	char *copy = NULL, dir[sizeof(sun.sun_path)], *slash;
	mode_t old_umask;
	int rc = -1, made_dir = 0, bound = 0;

	if (lstat(path, &sb) == 0 && !S_ISSOCK(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
		log_error("--listen unix:%s: exists and is not a socket", path);
		return -1;
	}
	if ((copy = strdup(path)) == NULL)
		die("out of memory");
	slash = strrchr(copy, '/');
	*slash = '\0';
	if (snprintf(dir, sizeof(dir), "%s/.parley-XXXXXX", slash == copy ? "" : copy) >=
	    (int)sizeof(dir) - 2) {
		log_error("--listen unix:%s: the folder's name is too long for a socket", path);
		goto out;
	}
	if (mkdtemp(dir) == NULL) {
		log_error("--listen unix:%s: cannot make a folder beside it: %s", path,
			  strerror(errno));
		goto out;
	}
	made_dir = 1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, dir, strlen(dir));
	memcpy(sun.sun_path + strlen(dir), "/s", 3);
	old_umask = umask(0117);
	bound = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	umask(old_umask);
	if (!bound) {
		log_error("--listen unix:%s: %s", path, strerror(errno));
		goto out;
	}
	/* Only this process can write the private folder: the name is ours. */
	if (gid != (gid_t)-1 && chown(sun.sun_path, (uid_t)-1, gid) != 0) {
		log_error("--listen unix:%s: cannot give the socket group %u: %s", path,
			  (unsigned)gid, strerror(errno));
		goto out;
	}
	if (rename(sun.sun_path, path) != 0) {
		log_error("--listen unix:%s: %s", path, strerror(errno));
		goto out;
	}
	bound = 0;
	rc = 0;
out:
	if (bound)
		unlink(sun.sun_path);
	if (made_dir)
		rmdir(dir);
	free(copy);
	return rc;
}

/*
 * Bind and listen on "unix:/path" or "host:port" ("[v6]:port" for IPv6).
 * libfcgi's FCGX_OpenSocket exits the process on failure, so parley makes
 * its sockets itself.  Returns the socket, or -1 after logging why.
 */
static int
listen_on(const struct config *cfg)
{
	const char *addr = cfg->listen;
	int fd = -1, one = 1, rc;

	if (strncmp(addr, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = addr + 5;
		gid_t gid;

		if (*path != '/' || strlen(path) >= sizeof(sun.sun_path)) {
			log_error("--listen %s: needs an absolute path shorter than %zu bytes",
				  addr, sizeof(sun.sun_path));
			return -1;
		}
		if (socket_group(cfg, &gid) != 0)
			return -1;
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			goto fail;
		if (bind_unix(fd, path, gid) != 0) {
			close(fd);
			return -1;
		}
		if (listen(fd, 128) != 0)
			goto fail;
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

/* The listening socket: systemd's fd 3, --listen, or a spawner's fd 0; -1 for CGI. */
static int
open_listener(const struct config *cfg, int *fd)
{
	const char *lfds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");

	if (cfg->listen != NULL && *cfg->listen != '\0') {
		if ((*fd = listen_on(cfg)) < 0)
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

/*
 * SIGHUP: read the flags, the configuration file and the templates again.
 * New requests get the new settings; a failed reload keeps the old ones.
 */
static void
reload(struct server *srv)
{
	struct settings *s, *old;
	const struct config *was;
	char err[512];

	if ((s = calloc(1, sizeof(*s))) == NULL || (s->cfg = calloc(1, sizeof(*s->cfg))) == NULL)
		die("out of memory");
	if (srv->loader->load(srv->loader->ctx, s->cfg, &s->tpl, err, sizeof(err)) != 0) {
		log_error("reload failed, going on with the settings as they were: %s", err);
		/* responder_load may have changed the log level before failing. */
		log_set_level(srv->current->cfg->log_level);
		free(s->cfg);
		free(s);
		return;
	}
	was = srv->current->cfg;
	if (strcmp(was->db, s->cfg->db) != 0 || was->workers != s->cfg->workers ||
	    strcmp(was->listen ? was->listen : "", s->cfg->listen ? s->cfg->listen : "") != 0)
		log_warn("reload: db, workers and listen take effect at the next start");
	s->owned = 1;
	s->refs = 1;
	pthread_mutex_lock(&srv->lock);
	old = srv->current;
	s->generation = old->generation + 1;
	srv->current = s;
	pthread_mutex_unlock(&srv->lock);
	fcgi_settings_release(srv, old);
	log_info("reloaded the configuration and the templates in %s", s->cfg->templates);
}

/*
 * The main thread once workers run: wait for signals, and every quarter
 * second cut off requests past their deadline.  Returns when a SIGTERM or
 * SIGINT has been handled and every worker has finished.
 */
static void
supervise(struct server *srv, struct worker *workers, int n, const sigset_t *signals)
{
	struct timespec tick = { 0, 250 * 1000000L };
	int stopping = 0, running;

	for (;;) {
		int sig = sigtimedwait(signals, NULL, &tick);

		if (sig == SIGHUP && !stopping)
			reload(srv);
		else if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			stopping = 1;
			log_info("stopping: finishing the requests in flight");
			connpool_stop(srv->pool);
		}
		fcgi_watch_expire(workers, n);
		pthread_mutex_lock(&srv->lock);
		running = srv->running;
		pthread_mutex_unlock(&srv->lock);
		if (stopping && running == 0)
			return;
	}
}

int
http_serve(const struct app *app, struct config *cfg, struct mu_set *tpl,
	   const struct http_settings_loader *loader)
{
	struct server srv;
	struct worker *workers;
	struct settings *first;
	sigset_t signals, before;
	int fd, i, n, rc = 2;

	if (geteuid() == 0 && (cfg->user == NULL || *cfg->user == '\0')) {
		log_error("refusing to run as root: give --user NAME");
		return 2;
	}
	/*
	 * Signals go to the main thread only (workers and the mail worker inherit
	 * the mask), and are blocked from before FCGX_Init: libfcgi catches
	 * SIGTERM with a handler of its own, so a SIGTERM during start-up (the
	 * socket is there, the database not yet open) would be swallowed and
	 * the responder never stop.  Blocked, it waits for supervise().
	 */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, &before);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		return 2;
	}
	/* After FCGX_Init, which installs handlers of its own. */
	signal(SIGPIPE, SIG_IGN);
	if (open_listener(cfg, &fd) != 0)
		return 2;
	if (drop_root(cfg) != 0)
		return 2;
	/* Plain CGI opens its database once, for its one request, and says why it can't. */
	if (fd < 0) {
		pthread_sigmask(SIG_SETMASK, &before, NULL);
		return serve_cgi(app, cfg, tpl);
	}
	if (check_worker(app, cfg, tpl) != 0)
		return 2;

	memset(&srv, 0, sizeof(srv));
	srv.app = app;
	srv.loader = loader;
	pthread_mutex_init(&srv.lock, NULL);
	if ((first = calloc(1, sizeof(*first))) == NULL)
		die("out of memory");
	first->cfg = cfg;
	first->tpl = tpl;
	first->refs = 1;
	srv.current = first;
	n = cfg->workers > 0 ? cfg->workers : 1;
	if ((srv.pool = connpool_start(fd, getenv("FCGI_WEB_SERVER_ADDRS"))) == NULL)
		goto out;
	if ((srv.no_listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket: %s", strerror(errno));
	if ((workers = calloc((size_t)n, sizeof(*workers))) == NULL)
		die("out of memory");
	/* Background work (the mail worker) starts with the same mask. */
	if (app->start != NULL && app->start(cfg) != 0) {
		free(workers);
		goto out;
	}
	srv.running = n;
	for (i = 0; i < n; i++) {
		workers[i].srv = &srv;
		workers[i].watch_fd = -1;
		pthread_mutex_init(&workers[i].lock, NULL);
		if (pthread_create(&workers[i].thread, NULL, fcgi_worker_main, &workers[i]) != 0)
			die("cannot start worker thread");
	}
	supervise(&srv, workers, n, &signals);
	for (i = 0; i < n; i++) {
		pthread_join(workers[i].thread, NULL);
		pthread_mutex_destroy(&workers[i].lock);
	}
	free(workers);
	close(srv.no_listener);
	rc = 0;
out:
	connpool_free(srv.pool);
	fcgi_settings_release(&srv, srv.current);
	pthread_mutex_destroy(&srv.lock);
	return rc;
}

/* responder.c: what both responders do at start-up: flags, configuration, templates, serve. */
#include "responder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mustache.h"

/* Flags that take a value; each sets the configuration key of its name. */
static const char *const valued_flags[] = { "--config", "--db", "--templates",
	"--workers", "--user", "--listen", "--socket-group", "--request-timeout",
	"--log-level", NULL };

static void
usage(FILE *f, const char *name)
{
	fprintf(f, "usage: %s [--config FILE] [--db PATH] [--templates DIR] [--workers N]\n"
		"       %*s [--listen unix:/path.sock | --listen HOST:PORT] [--user NAME]\n"
		"       %*s [--socket-group NAME] [--request-timeout SECONDS]\n"
		"       %*s [--log-level error|warn|info|debug]\n"
		"       %s --help | --version\n"
		"Serves parley over FastCGI: on the socket a spawner passed on fd 0 (or\n"
		"systemd's fd 3), on --listen, or as plain CGI for one request.\n"
		"\n"
		"  --config FILE            key = value settings (default %s)\n"
		"  --db PATH                the SQLite database\n"
		"  --templates DIR          the templates folder (default %s)\n"
		"  --workers N              worker threads, each with its own connection (4)\n"
		"  --listen ADDR            bind unix:/path.sock (mode 0660) or HOST:PORT;\n"
		"                           on TCP, FCGI_WEB_SERVER_ADDRS (a,b,...) limits peers\n"
		"  --user NAME              started as root: run as this user once the socket is open\n"
		"  --socket-group NAME      group of the --listen unix socket (default: --user's)\n"
		"  --request-timeout SECONDS  the longest one request and its answer may take (30)\n"
		"  --log-level LEVEL        error, warn, info (one line per request) or debug\n"
		"Signals: SIGTERM and SIGINT finish the requests in flight, then exit;\n"
		"SIGHUP reloads the configuration file and templates.\n",
		name, (int)strlen(name), "", (int)strlen(name), "", (int)strlen(name), "",
		name, CONFIG_DEFAULT_FILE, PARLEY_TEMPLATES_DIR);
}

/*
 * Settings from the flags in argv (already checked by responder_main), the
 * configuration file they name, and the templates folder: into *cfg and a
 * new *tpl, both the caller's to free.  Returns 0, or -1 with a one-line
 * reason in err (and nothing to free).
 */
static int
responder_load(const struct app *app, int argc, char **argv, struct config *cfg,
	       struct mu_set **tpl, char *err, size_t errlen)
{
	const char *config_path = CONFIG_DEFAULT_FILE;
	char msg[512], key[64];
	int i, k, explicit_config = 0;
	size_t j;

	config_defaults(cfg);
	*tpl = NULL;
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--config") == 0) {
			config_path = argv[i + 1];
			explicit_config = 1;
		}
	}
	/* The default file may be absent when flags say everything needed. */
	if (config_load(cfg, config_path, !explicit_config, msg, sizeof(msg)) != 0) {
		snprintf(err, errlen, "%s", msg);
		goto fail;
	}
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--config") == 0)
			continue;
		/* --socket-group sets socket_group. */
		for (j = 0; argv[i][j + 2] != '\0' && j + 1 < sizeof(key); j++)
			key[j] = argv[i][j + 2] == '-' ? '_' : argv[i][j + 2];
		key[j] = '\0';
		if (config_set(cfg, key, argv[i + 1], msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "--%s", msg);
			goto fail;
		}
	}
	if (config_finish(cfg, msg, sizeof(msg)) != 0) {
		snprintf(err, errlen, "%s", msg);
		goto fail;
	}
	if (log_set_level(cfg->log_level) != 0) {
		snprintf(err, errlen, "log_level must be error, warn, info or debug, not '%s'",
			 cfg->log_level);
		goto fail;
	}
	*tpl = mu_set_new();
	if (mu_set_load_dir(*tpl, cfg->templates, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "templates: %s", msg);
		goto fail;
	}
	for (k = 0; app->templates != NULL && app->templates[k] != NULL; k++) {
		if (!mu_set_has(*tpl, app->templates[k])) {
			snprintf(err, errlen, "templates: %s/%s.mustache is missing",
				 cfg->templates, app->templates[k]);
			goto fail;
		}
	}
	return 0;
fail:
	mu_set_free(*tpl);
	*tpl = NULL;
	config_free(cfg);
	return -1;
}

/* What http_serve calls on SIGHUP: the same flags, read again. */
struct reload_args {
	const struct app *app;
	int argc;
	char **argv;
};

static int
reload_settings(void *ctx, struct config *cfg, struct mu_set **tpl, char *err, size_t errlen)
{
	const struct reload_args *a = ctx;

	return responder_load(a->app, a->argc, a->argv, cfg, tpl, err, errlen);
}

int
responder_main(int argc, char **argv, const struct app *app)
{
	struct reload_args args = { app, argc, argv };
	struct http_settings_loader loader = { reload_settings, mu_set_free, &args };
	/*
	 * Static, and kept to the end of the process: the mail worker, a
	 * detached thread app->start began, reads it until the process exits.
	 */
	static struct config cfg;
	struct mu_set *tpl = NULL;
	char err[512];
	int i, k, rc;

	log_set_program(app->name);
	/* First pass: --help, --version and flag syntax. */
	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, app->name);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", app->name, PARLEY_VERSION);
			return 0;
		}
		for (k = 0; valued_flags[k] != NULL && strcmp(valued_flags[k], a) != 0; k++)
			;
		if (valued_flags[k] == NULL) {
			log_error("unknown flag '%s' (see --help)", a);
			return 2;
		}
		if (i + 1 >= argc) {
			log_error("%s needs a value", a);
			return 2;
		}
	}
	if (responder_load(app, argc, argv, &cfg, &tpl, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return 2;
	}
	rc = http_serve(app, &cfg, tpl, &loader);
	mu_set_free(tpl);
	return rc;
}

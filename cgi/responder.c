/* responder.c: what both responders do at start-up: flags, configuration, templates, serve. */
#include "responder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mustache.h"

static void
usage(FILE *f, const char *name)
{
	fprintf(f, "usage: %s [--config FILE] [--db PATH] [--templates DIR] [--workers N]\n"
		"       %*s [--listen unix:/path.sock | --listen HOST:PORT] [--user NAME]\n"
		"       %s --help | --version\n"
		"Serves parley over FastCGI: on the socket a spawner passed on fd 0 (or\n"
		"systemd's fd 3), on --listen, or as plain CGI for one request.\n",
		name, (int)strlen(name), "", name);
}

int
responder_main(int argc, char **argv, const struct app *app)
{
	static const char *const valued[] = { "--config", "--db", "--templates",
		"--workers", "--user", "--listen", NULL };
	struct config cfg;
	struct mu_set *tpl = NULL;
	const char *config_path = CONFIG_DEFAULT_FILE;
	char err[512];
	int i, k, rc = 2, explicit_config = 0;

	log_set_program(app->name);
	config_defaults(&cfg);
	/* First pass: --help, --version, --config and flag syntax. */
	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, app->name);
			rc = 0;
			goto out;
		}
		if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", app->name, PARLEY_VERSION);
			rc = 0;
			goto out;
		}
		for (k = 0; valued[k] != NULL && strcmp(valued[k], a) != 0; k++)
			;
		if (valued[k] == NULL) {
			log_error("unknown flag '%s' (see --help)", a);
			goto out;
		}
		if (i + 1 >= argc) {
			log_error("%s needs a value", a);
			goto out;
		}
		if (strcmp(a, "--config") == 0) {
			config_path = argv[i + 1];
			explicit_config = 1;
		}
	}
	/* The default file may be absent when flags say everything needed. */
	if (config_load(&cfg, config_path, !explicit_config, err, sizeof(err)) != 0) {
		log_error("%s", err);
		goto out;
	}
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--config") == 0)
			continue;
		if (config_set(&cfg, argv[i] + 2, argv[i + 1], err, sizeof(err)) != 0) {
			log_error("--%s", err);
			goto out;
		}
	}
	if (config_finish(&cfg, err, sizeof(err)) != 0) {
		log_error("%s", err);
		goto out;
	}
	tpl = mu_set_new();
	if (mu_set_load_dir(tpl, cfg.templates, err, sizeof(err)) < 0) {
		log_error("templates: %s", err);
		goto out;
	}
	for (k = 0; app->templates != NULL && app->templates[k] != NULL; k++) {
		if (!mu_set_has(tpl, app->templates[k])) {
			log_error("templates: %s/%s.mustache is missing", cfg.templates,
				  app->templates[k]);
			goto out;
		}
	}
	rc = http_serve(app, &cfg, tpl);
out:
	mu_set_free(tpl);
	config_free(&cfg);
	return rc;
}

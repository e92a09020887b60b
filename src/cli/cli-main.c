/* cli-main.c: the parley command: global flags, configuration, dispatch to subcommands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "log.h"
#include "mailer.h"

static const char usage_text[] =
	"usage: parley [--db PATH] [--config FILE] COMMAND [ARGS]\n"
	"\n"
	"  init                            create or migrate the database\n"
	"  user add NAME                   add an admin; password read from stdin\n"
	"  user passwd NAME                set a new password\n"
	"  user del NAME                   delete an admin and their sessions\n"
	"  user list                       list admins\n"
	"  post add FILE.md ...            publish or update (by slug) Markdown files\n"
	"  post list                       slug, date, state, title, comments\n"
	"  post rm SLUG                    delete a post and its comments\n"
	"  import DIR                      every *.md in DIR, as post add\n"
	"  import-wordpress FILE           posts, tags and comments from a WordPress export\n"
	"  import-disqus FILE              comments from a Disqus export, matched to posts by URL\n"
	"  export FILE.json                the whole site as JSON (no secrets); - for stdout\n"
	"  import-json FILE.json           load such an export into an empty database\n"
	"  comments list [--status S]      S: pending, approved, rejected, spam\n"
	"  comments approve|reject|spam|delete ID...\n"
	"  comments erase --email ADDRESS  remove one commenter's personal data\n"
	"  comments export --email ADDRESS that commenter's comments and subscriptions (JSON)\n"
	"  mail queue                      the outgoing mail: waiting, failed, lately sent\n"
	"  mail retry                      send every waiting and failed message now\n"
	"  spam stats                      the spam classifier: decisions learned, measured accuracy\n"
	"  backup [--force] FILE           online backup to FILE\n"
	"  check                           integrity and foreign-key check\n"
	"\n"
	"Flags may come before or after the command.  --config defaults to\n"
	CONFIG_DEFAULT_FILE " (may be missing).  Exit status: 0 ok, 1 failed,\n"
	"2 usage error.\n";

/*
 * The subcommands.  Each checks its arguments first (usage errors exit 2
 * whether or not a database exists) and then opens the database itself.
 */
static const struct subcommand {
	const char *name;
	int (*run)(struct cli *, int, char **);
} subcommands[] = {
	{ "init", cli_init },
	{ "user", cli_user },
	{ "post", cli_post },
	{ "import", cli_import },
	{ "import-wordpress", cli_import_wordpress },
	{ "import-disqus", cli_import_disqus },
	{ "export", cli_export },
	{ "import-json", cli_import_json },
	{ "comments", cli_comments },
	{ "mail", cli_mail },
	{ "spam", cli_spam },
	{ "backup", cli_backup },
	{ "check", cli_check },
};

char *
cli_read_file(struct arena *a, const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[65536], *text = NULL;
	size_t n;

	if (f == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > max) {
			log_error("%s: larger than %zu MiB", path, max >> 20);
			goto done;
		}
	}
	if (ferror(f)) {
		log_error("%s: %s", path, strerror(errno));
		goto done;
	}
	text = arena_strndup(a, b.data ? b.data : "", b.len);
	*len = b.len;
done:
	fclose(f);
	buf_free(&b);
	return text;
}

int
cli_open_db(struct cli *c, enum cli_access access)
{
	char err[512];

	if (c->db != NULL)
		return CLI_OK;
	if ((c->db = db_open(c->cfg.db, DB_OPEN_READWRITE, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return CLI_FAILED;
	}
	/* SQLite quietly opens a file it may not write read-only; say so before any change fails. */
	if (access == CLI_WRITE && db_readonly(c->db)) {
		log_error("%s: read-only (parley must be able to write to the file and its folder)",
			  c->cfg.db);
		return CLI_FAILED;
	}
	return CLI_OK;
}

/*
 * The value of a global flag at argv[*i], given as "--flag VALUE" or
 * "--flag=VALUE"; advances *i past it.  NULL when argv[*i] is not this flag;
 * *missing is set when the flag has no value.
 */
static const char *
flag_value(int argc, char **argv, int *i, const char *flag, int *missing)
{
	size_t n = strlen(flag);

	if (strncmp(argv[*i], flag, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	*i += 1;
	return argv[*i];
}

int
main(int argc, char **argv)
{
	const struct subcommand *sub = NULL;
	const char *config_file = NULL, *db_path = NULL, *v;
	char **args, err[512];
	struct cli c;
	int nargs = 0, i, rc, help = 0, missing = 0, dashdash = 0;
	size_t k;

	log_set_program("parley");
	memset(&c, 0, sizeof(c));
	if ((args = calloc((size_t)argc + 1, sizeof(*args))) == NULL)
		die("out of memory");

	/* Global flags may sit anywhere; everything else goes to the subcommand. */
	for (i = 1; i < argc; i++) {
		if (dashdash) {
			args[nargs++] = argv[i];
		} else if (strcmp(argv[i], "--") == 0) {
			dashdash = 1;
			args[nargs++] = argv[i];
		} else if ((v = flag_value(argc, argv, &i, "--db", &missing)) != NULL) {
			db_path = v;
		} else if ((v = flag_value(argc, argv, &i, "--config", &missing)) != NULL) {
			config_file = v;
		} else if (missing) {
			log_error("%s needs a value", argv[i]);
			rc = CLI_USAGE;
			goto done;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			help = 1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("parley %s\n", PARLEY_VERSION);
			rc = CLI_OK;
			goto done;
		} else
			args[nargs++] = argv[i];
	}
	if (help || (nargs > 0 && strcmp(args[0], "help") == 0)) {
		fputs(usage_text, stdout);
		rc = CLI_OK;
		goto done;
	}
	if (nargs == 0) {
		log_error("usage: parley [--db PATH] [--config FILE] COMMAND [ARGS] "
			  "(parley --help lists the commands)");
		rc = CLI_USAGE;
		goto done;
	}
	for (k = 0; k < sizeof(subcommands) / sizeof(subcommands[0]); k++)
		if (strcmp(args[0], subcommands[k].name) == 0)
			sub = &subcommands[k];
	if (sub == NULL) {
		log_error("unknown command '%s' (see parley --help)", args[0]);
		rc = CLI_USAGE;
		goto done;
	}

	config_defaults(&c.cfg);
	if (config_load(&c.cfg, config_file ? config_file : CONFIG_DEFAULT_FILE,
	    config_file == NULL, err, sizeof(err)) != 0 ||
	    (db_path != NULL && config_set(&c.cfg, "db", db_path, err, sizeof(err)) != 0) ||
	    config_finish(&c.cfg, err, sizeof(err)) != 0) {
		log_error("%s", err);
		rc = CLI_USAGE;
		goto done;
	}
	arena_init(&c.arena);
	rc = sub->run(&c, nargs, args);
done:
	db_close(c.db);
	/* Mail the command caused leaves from a detached process: nobody waits for the mailer. */
	if (c.mail_kick)
		mailer_kick(&c.cfg);
	arena_free(&c.arena);
	config_free(&c.cfg);
	free(args);
	return rc;
}

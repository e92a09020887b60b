/* cli.h: the parley command's shared state and its subcommands, one file each in src/cli/. */
#ifndef PARLEY_CLI_H
#define PARLEY_CLI_H

#include "arena.h"
#include "comments.h"
#include "config.h"
#include "db.h"

/* Exit statuses of every subcommand (SPEC.md). */
enum cli_exit {
	CLI_OK = 0,
	CLI_FAILED = 1,   /* the operation failed: message on stderr */
	CLI_USAGE = 2,    /* bad usage: message on stderr */
};

/*
 * What main() hands each subcommand: the finished configuration (after
 * --config and --db), an arena for the run, and the database opened as the
 * subcommand asked (NULL until cli_open_db is called).
 */
struct cli {
	struct config cfg;
	struct arena arena;
	struct db *db;
	int mail_kick;      /* the command may have caused mail: main() wakes a sender at the end */
};

/*
 * The whole of path, at most max bytes, NUL-terminated in arena a, its
 * length in *len; NULL after printing why (unreadable, too large).
 */
char *cli_read_file(struct arena *a, const char *path, size_t max, size_t *len);

/* What a subcommand does with the database. */
enum cli_access {
	CLI_READ,         /* lists, check, backup: a read-only file will do */
	CLI_WRITE,        /* everything else: a read-only file is refused up front */
};

/*
 * Open cfg.db (DB_OPEN_READWRITE) for access; CLI_OK, or CLI_FAILED after
 * printing why in one line.
 */
int cli_open_db(struct cli *c, enum cli_access access);

/*
 * Subcommands: argv[0] is the subcommand's name ("comments"), global flags
 * (--db, --config) already removed.  Each returns an enum cli_exit.
 */
int cli_init(struct cli *c, int argc, char **argv);
int cli_user(struct cli *c, int argc, char **argv);
int cli_post(struct cli *c, int argc, char **argv);
int cli_import(struct cli *c, int argc, char **argv);
int cli_backup(struct cli *c, int argc, char **argv);
int cli_check(struct cli *c, int argc, char **argv);
int cli_comments(struct cli *c, int argc, char **argv);           /* src/cli/cli-comments.c */
int cli_mail(struct cli *c, int argc, char **argv);               /* src/cli/cli-mail.c */
int cli_import_wordpress(struct cli *c, int argc, char **argv);   /* src/cli/cli-wordpress.c */
int cli_spam(struct cli *c, int argc, char **argv);               /* src/cli/cli-spam.c */
int cli_import_disqus(struct cli *c, int argc, char **argv);      /* src/cli/cli-disqus.c */
int cli_export(struct cli *c, int argc, char **argv);             /* src/cli/cli-export.c */
int cli_import_json(struct cli *c, int argc, char **argv);        /* src/cli/cli-export.c */

/*
 * What the imports share (src/cli/cli-importer.c).  An import counts what it
 * stores in a tally; each stored comment goes through
 * import_comment_stored, the one place for per-comment work (such as
 * training the spam classifier on its status).
 */
struct import_tally {
	int comments_new, comments_updated;
	int by_status[COMMENT_STATUS__MAX];
};
/*
 * Fill a comment's author (at most 100 characters; "Anonymous" when
 * unusable), email (kept only when it looks like one), url (http(s) only)
 * and ip_hash (the keyed hash of address; the address is never stored).
 */
void import_comment_person(struct cli *c, struct comment *cm, const char *author,
			   const char *email, const char *url, const char *address);
/* After a comment is stored (created or updated): CLI_OK, or CLI_FAILED to abandon the import. */
int import_comment_stored(struct cli *c, struct import_tally *t, const struct comment *cm,
			  int created);
/*
 * End an import's transaction: commit when the read returned 0, else roll
 * back, saying why (err) when read_rc < 0.  CLI_OK or CLI_FAILED.
 */
int import_finish(struct cli *c, const char *path, int read_rc, const char *err);
/* "comments: N new, M updated (A approved, ...)" on stdout. */
void import_tally_print(const struct import_tally *t);

/*
 * Publish or update one Markdown post file (src/cli/cli-post.c), printing
 * "added SLUG" or "updated SLUG"; `post add` and `import` share it.  The
 * database must be open.  CLI_OK, or CLI_FAILED after "FILE:LINE: what".
 */
int cli_post_add_file(struct cli *c, const char *path);

/*
 * Render in->body_md into in->body_html and in->body_text (in c->arena) as
 * posts_save wants them: cmark safe mode, or raw HTML kept when the
 * configuration says allow_raw_html.
 */
struct post_input;
void cli_post_render(struct cli *c, struct post_input *in);

#endif

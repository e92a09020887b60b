/* config.h: the site configuration: defaults, the key = value file, command-line flags. */
#ifndef PARLEY_CONFIG_H
#define PARLEY_CONFIG_H

#include <stddef.h>

#define CONFIG_DEFAULT_FILE "/etc/parley/parley.conf"

/*
 * Fixed at start-up, then read-only: the only global state the programs have.
 * Strings are heap copies owned by the config (config_free releases them).
 */
struct config {
	char *db;                   /* database path */
	char *templates;            /* template folder */
	char *base_url;             /* e.g. https://example.org/blog (no trailing slash) */
	char *origin;               /* derived: scheme://host[:port] of base_url */
	char *mount;                /* derived: path of base_url, "" for the root */
	int secure;                 /* derived: base_url is https */
	char *site_title;
	char *site_description;
	char *comment_prompt;
	int posts_per_page;         /* 10 */
	int page_cache_mb;          /* 16: the responder's page cache holds at most this */
	int comments_open_days;     /* 0 = forever */
	int max_comment_bytes;      /* 10000 */
	int edit_minutes;           /* 15: a commenter may edit their comment this long */
	int session_idle_minutes;   /* 60 */
	int session_max_hours;      /* 12 */
	char *mail_from;
	char *mail_command;         /* /usr/sbin/sendmail -t -i */
	char *moderator_emails;     /* comma-separated */
	int mail_digest_minutes;    /* 10: later moderator mails within this wait for one digest */
	int mail_per_address_per_day;   /* 20 */
	int mail_retry_seconds;     /* 60: the first retry's wait; each next waits 4 times longer */
	int mail_max_tries;         /* 8 */
	int mail_timeout_seconds;   /* 60: mail_command is killed past this */
	int min_form_seconds;       /* 3 */
	int comments_per_minute;    /* 5, per address */
	double spam_threshold;      /* 0.9: above this a comment is filed as spam */
	int spam_min_examples;      /* 20 decisions of each class before the classifier acts */
	int login_failures;         /* 5 per 15 minutes, per user and per address */
	int allow_raw_html;         /* raw HTML in posts (never in comments): 0 */
	int trash_days;             /* deleted comments are purged after this many days: 30 */
	/* Responders only. */
	char *listen;               /* --listen unix:/path or host:port, NULL for fd 0 */
	char *user;                 /* --user NAME */
	char *socket_group;         /* --socket-group NAME: group of a unix --listen socket */
	int request_timeout;        /* seconds for one whole request and its answer: 30 */
	char *log_level;            /* error, warn, info (one line per request) or debug */
	int workers;                /* --workers N */
};

void config_defaults(struct config *c);
void config_free(struct config *c);

/*
 * Read a key = value file into c.  A missing file is fine when missing_ok;
 * an unknown key, a bad number or an unreadable file is an error.
 * Returns 0, or -1 with "FILE:LINE: what" in err.
 */
int config_load(struct config *c, const char *path, int missing_ok,
		char *err, size_t errlen);

/* Set one key by name, as the file and flags do.  Returns 0 or -1 with err. */
int config_set(struct config *c, const char *key, const char *value,
	       char *err, size_t errlen);

/*
 * Check the finished configuration and fill the derived fields (origin,
 * mount, secure).  Returns 0 or -1 with a one-line reason in err.
 */
int config_finish(struct config *c, char *err, size_t errlen);

#endif

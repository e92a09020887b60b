/* config.c: the site configuration: defaults, the key = value file, flags. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The templates folder `cmake --install` fills: CMakeLists.txt sets it from the prefix. */
#ifndef PARLEY_TEMPLATES_DIR
#error "PARLEY_TEMPLATES_DIR is not defined: build with CMake"
#endif

enum config_kind { KIND_STR, KIND_INT, KIND_BOOL, KIND_FRACTION };

/* Every key the file may hold: one row each, offsets into struct config. */
static const struct config_key {
	const char *name;
	enum config_kind kind;
	size_t offset;
	int min, max;
} config_keys[] = {
	{ "db", KIND_STR, offsetof(struct config, db), 0, 0 },
	{ "templates", KIND_STR, offsetof(struct config, templates), 0, 0 },
	{ "base_url", KIND_STR, offsetof(struct config, base_url), 0, 0 },
	{ "site_title", KIND_STR, offsetof(struct config, site_title), 0, 0 },
	{ "site_description", KIND_STR, offsetof(struct config, site_description), 0, 0 },
	{ "comment_prompt", KIND_STR, offsetof(struct config, comment_prompt), 0, 0 },
	{ "posts_per_page", KIND_INT, offsetof(struct config, posts_per_page), 1, 100 },
	{ "page_cache_mb", KIND_INT, offsetof(struct config, page_cache_mb), 0, 4096 },
	{ "comments_open_days", KIND_INT, offsetof(struct config, comments_open_days), 0, 36500 },
	{ "max_comment_bytes", KIND_INT, offsetof(struct config, max_comment_bytes), 100, 1000000 },
	{ "edit_minutes", KIND_INT, offsetof(struct config, edit_minutes), 0, 1440 },
	{ "session_idle_minutes", KIND_INT, offsetof(struct config, session_idle_minutes), 1, 525600 },
	{ "session_max_hours", KIND_INT, offsetof(struct config, session_max_hours), 1, 8760 },
	{ "mail_from", KIND_STR, offsetof(struct config, mail_from), 0, 0 },
	{ "mail_command", KIND_STR, offsetof(struct config, mail_command), 0, 0 },
	{ "moderator_emails", KIND_STR, offsetof(struct config, moderator_emails), 0, 0 },
	{ "mail_digest_minutes", KIND_INT, offsetof(struct config, mail_digest_minutes), 0, 1440 },
	{ "mail_per_address_per_day", KIND_INT, offsetof(struct config, mail_per_address_per_day), 1, 10000 },
	{ "mail_retry_seconds", KIND_INT, offsetof(struct config, mail_retry_seconds), 1, 86400 },
	{ "mail_max_tries", KIND_INT, offsetof(struct config, mail_max_tries), 1, 100 },
	{ "mail_timeout_seconds", KIND_INT, offsetof(struct config, mail_timeout_seconds), 1, 3600 },
	{ "min_form_seconds", KIND_INT, offsetof(struct config, min_form_seconds), 0, 3600 },
	{ "comments_per_minute", KIND_INT, offsetof(struct config, comments_per_minute), 1, 10000 },
	{ "spam_threshold", KIND_FRACTION, offsetof(struct config, spam_threshold), 0, 1 },
	{ "spam_min_examples", KIND_INT, offsetof(struct config, spam_min_examples), 1, 1000000 },
	{ "login_failures", KIND_INT, offsetof(struct config, login_failures), 1, 10000 },
	{ "allow_raw_html", KIND_BOOL, offsetof(struct config, allow_raw_html), 0, 1 },
	{ "trash_days", KIND_INT, offsetof(struct config, trash_days), 1, 36500 },
	{ "listen", KIND_STR, offsetof(struct config, listen), 0, 0 },
	{ "user", KIND_STR, offsetof(struct config, user), 0, 0 },
	{ "socket_group", KIND_STR, offsetof(struct config, socket_group), 0, 0 },
	{ "request_timeout", KIND_INT, offsetof(struct config, request_timeout), 1, 3600 },
	{ "log_level", KIND_STR, offsetof(struct config, log_level), 0, 0 },
	{ "workers", KIND_INT, offsetof(struct config, workers), 1, 256 },
};

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("out of memory");
	return p;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->db = xstrdup("/var/lib/parley/parley.db");
	c->templates = xstrdup(PARLEY_TEMPLATES_DIR);
	c->base_url = xstrdup("http://127.0.0.1:8080");
	c->site_title = xstrdup("parley");
	c->site_description = xstrdup("A blog");
	c->comment_prompt = xstrdup("I appreciate hearing from you. Comments are read by a person before they appear.");
	c->posts_per_page = 10;
	c->page_cache_mb = 16;
	c->comments_open_days = 0;
	c->max_comment_bytes = 10000;
	c->edit_minutes = 15;
	c->session_idle_minutes = 60;
	c->session_max_hours = 12;
	c->mail_from = xstrdup("");
	c->mail_command = xstrdup("/usr/sbin/sendmail -t -i");
	c->moderator_emails = xstrdup("");
	c->mail_digest_minutes = 10;
	c->mail_per_address_per_day = 20;
	c->mail_retry_seconds = 60;
	c->mail_max_tries = 8;
	c->mail_timeout_seconds = 60;
	c->min_form_seconds = 3;
	c->comments_per_minute = 5;
	c->spam_threshold = 0.9;
	c->spam_min_examples = 20;
	c->login_failures = 5;
	c->trash_days = 30;
	c->workers = 4;
	c->request_timeout = 30;
	c->log_level = xstrdup("info");
}

void
config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (config_keys[i].kind == KIND_STR)
			free(*(char **)((char *)c + config_keys[i].offset));
	free(c->origin);
	free(c->mount);
	memset(c, 0, sizeof(*c));
}

int
config_set(struct config *c, const char *key, const char *value, char *err,
	   size_t errlen)
{
	const struct config_key *k = NULL;
	size_t i;
	char *end;
	long n;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].name, key) == 0)
			k = &config_keys[i];
	if (k == NULL) {
		snprintf(err, errlen, "unknown setting '%s'", key);
		return -1;
	}
	switch (k->kind) {
	case KIND_STR: {
		char **slot = (char **)((char *)c + k->offset);
		free(*slot);
		*slot = xstrdup(value);
		return 0;
	}
	case KIND_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 ||
		    strcmp(value, "1") == 0 || strcmp(value, "on") == 0)
			n = 1;
		else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
		    strcmp(value, "0") == 0 || strcmp(value, "off") == 0)
			n = 0;
		else {
			snprintf(err, errlen, "%s must be true or false", key);
			return -1;
		}
		*(int *)((char *)c + k->offset) = (int)n;
		return 0;
	case KIND_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < k->min || n > k->max) {
			snprintf(err, errlen, "%s must be a whole number from %d to %d", key,
				 k->min, k->max);
			return -1;
		}
		*(int *)((char *)c + k->offset) = (int)n;
		return 0;
	case KIND_FRACTION: {
		double d;

		errno = 0;
		d = strtod(value, &end);
		/* Strictly between min and max: 0 would file everything, 1 nothing. */
		if (errno != 0 || end == value || *end != '\0' || !(d > k->min && d < k->max)) {
			snprintf(err, errlen, "%s must be a number between %d and %d, such as 0.9",
				 key, k->min, k->max);
			return -1;
		}
		*(double *)((char *)c + k->offset) = d;
		return 0;
	}
	}
	return -1;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int
config_load(struct config *c, const char *path, int missing_ok, char *err,
	    size_t errlen)
{
	FILE *f;
	char line[4096], msg[256];
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *key, *value, *eq;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			rc = -1;
			break;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (config_set(c, key, value, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}

int
config_finish(struct config *c, char *err, size_t errlen)
{
	const char *u = c->base_url, *host, *path;
	size_t len;

	if (strncmp(u, "https://", 8) == 0) {
		c->secure = 1;
		host = u + 8;
	} else if (strncmp(u, "http://", 7) == 0) {
		c->secure = 0;
		host = u + 7;
	} else {
		snprintf(err, errlen, "base_url must start with http:// or https://");
		return -1;
	}
	if (*host == '\0' || *host == '/') {
		snprintf(err, errlen, "base_url has no host");
		return -1;
	}
	if (strpbrk(u, " \t\r\n\"'<>?#") != NULL) {
		snprintf(err, errlen, "base_url must not hold spaces, quotes, a query or a fragment");
		return -1;
	}
	path = strchr(host, '/');
	if (path == NULL)
		path = host + strlen(host);
	free(c->origin);
	c->origin = strndup(u, (size_t)(path - u));
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	free(c->mount);
	c->mount = strndup(path, len);
	/* base_url itself never ends in a slash, so links join with "/". */
	c->base_url[(size_t)(path - u) + len] = '\0';
	if (c->origin == NULL || c->mount == NULL)
		die("out of memory");
	return 0;
}

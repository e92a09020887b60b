/* cli-user.c: `parley user`: add, re-password, delete and list admin accounts. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "text.h"
#include "users.h"

#define PASSWORD_BUF (USERS_PASSWORD_MAX + 2)

/*
 * Read one line from fd 0 into buf (without its newline).  Returns its
 * length, -1 at end of input with nothing read, -2 when it is too long.
 */
static int
read_line(char *buf, size_t size)
{
	size_t n = 0;
	char ch;
	ssize_t r;

	while ((r = read(STDIN_FILENO, &ch, 1)) == 1) {
		if (ch == '\n')
			break;
		if (n + 1 >= size) {
			buf[n] = '\0';
			return -2;
		}
		buf[n++] = ch;
	}
	if (r <= 0 && n == 0)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (int)n;
}

/* Prompt on the terminal with echo off and read a line. */
static int
prompt_hidden(const char *prompt, char *buf, size_t size)
{
	struct termios saved, quiet;
	int n, restore;

	/* Echo goes off before the prompt shows, so no typed byte is ever echoed. */
	restore = tcgetattr(STDIN_FILENO, &saved) == 0;
	if (restore) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fputs(prompt, stderr);
	fflush(stderr);
	n = read_line(buf, size);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return n;
}

/*
 * The new password: from a terminal, asked twice with echo off; otherwise
 * the first line of stdin.  CLI_OK with it in buf, or CLI_FAILED after
 * saying why (empty, too short, mismatch).
 */
static int
read_password(char buf[PASSWORD_BUF])
{
	char again[PASSWORD_BUF];
	const char *problem;
	int n;

	if (isatty(STDIN_FILENO)) {
		n = prompt_hidden("New password: ", buf, PASSWORD_BUF);
		if (n >= 0 && prompt_hidden("Repeat it: ", again, sizeof(again)) != n) {
			sodium_memzero(again, sizeof(again));
			log_error("the passwords differ");
			return CLI_FAILED;
		}
		if (n >= 0 && sodium_memcmp(buf, again, (size_t)n) != 0) {
			sodium_memzero(again, sizeof(again));
			log_error("the passwords differ");
			return CLI_FAILED;
		}
		sodium_memzero(again, sizeof(again));
	} else
		n = read_line(buf, PASSWORD_BUF);
	if (n == -2) {
		log_error("the password is longer than %d bytes", USERS_PASSWORD_MAX);
		return CLI_FAILED;
	}
	if (n < 0)
		buf[0] = '\0';
	if ((problem = users_password_problem(buf)) != NULL) {
		log_error("%s", problem);
		return CLI_FAILED;
	}
	return CLI_OK;
}

static int
user_set(struct cli *c, const char *name, int add)
{
	char password[PASSWORD_BUF];
	int rc, ended;

	if (!users_name_valid(name)) {
		log_error("bad user name '%s' (1-64 of A-Z a-z 0-9 . _ -)", name);
		return CLI_USAGE;
	}
	if ((rc = cli_open_db(c, CLI_WRITE)) != CLI_OK)
		return rc;
	if (read_password(password) != CLI_OK) {
		sodium_memzero(password, sizeof(password));
		return CLI_FAILED;
	}
	rc = add ? users_add(c->db, name, password) : users_set_password(c->db, name, password);
	sodium_memzero(password, sizeof(password));
	switch (rc) {
	case STORE_OK:
		if (add) {
			printf("added user %s\n", name);
			return CLI_OK;
		}
		/* Whoever knew the old password must not keep a session. */
		if (users_end_sessions(c->db, name, &ended) != STORE_OK) {
			log_error("changed the password of %s, but could not end their sessions", name);
			return CLI_FAILED;
		}
		printf("changed the password of user %s; ended %d session%s\n", name, ended,
		       ended == 1 ? "" : "s");
		return CLI_OK;
	case STORE_CONFLICT:
		log_error("user %s already exists", name);
		return CLI_FAILED;
	case STORE_NOTFOUND:
		log_error("no user %s", name);
		return CLI_FAILED;
	default:
		log_error("could not save user %s", name);
		return CLI_FAILED;
	}
}

static int
user_del(struct cli *c, const char *name)
{
	int rc;

	if ((rc = cli_open_db(c, CLI_WRITE)) != CLI_OK)
		return rc;
	switch (users_delete(c->db, name)) {
	case STORE_OK:
		printf("deleted user %s\n", name);
		return CLI_OK;
	case STORE_NOTFOUND:
		log_error("no user %s", name);
		return CLI_FAILED;
	default:
		log_error("could not delete user %s", name);
		return CLI_FAILED;
	}
}

/* One line a user: name, tab, when they were added (RFC 3339). */
static int
user_list(struct cli *c)
{
	struct user *users;
	size_t n, i;
	int rc;

	if ((rc = cli_open_db(c, CLI_READ)) != CLI_OK)
		return rc;
	if (users_list(c->db, &c->arena, &users, &n) != STORE_OK) {
		log_error("could not list users");
		return CLI_FAILED;
	}
	for (i = 0; i < n; i++)
		printf("%s\t%s\n", users[i].name, date_rfc3339(&c->arena, users[i].created_at));
	return CLI_OK;
}

int
cli_user(struct cli *c, int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "add") == 0)
		return user_set(c, argv[2], 1);
	if (argc == 3 && strcmp(argv[1], "passwd") == 0)
		return user_set(c, argv[2], 0);
	if (argc == 3 && (strcmp(argv[1], "del") == 0 || strcmp(argv[1], "rm") == 0))
		return user_del(c, argv[2]);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return user_list(c);
	log_error("usage: parley user add NAME | passwd NAME | del NAME | list");
	return CLI_USAGE;
}

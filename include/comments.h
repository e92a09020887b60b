/* comments.h: reader comments in the database: intake, threads, moderation. */
#ifndef PARLEY_COMMENTS_H
#define PARLEY_COMMENTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

enum comment_status {
	COMMENT_PENDING,
	COMMENT_APPROVED,
	COMMENT_REJECTED,
	COMMENT_SPAM,
	COMMENT_STATUS__MAX
};

/* "pending", "approved", "rejected", "spam"; and back (-1 when unknown). */
const char *comment_status_name(enum comment_status s);
int comment_status_parse(const char *name);

struct comment {
	int64_t id;
	int64_t post_id;
	int64_t parent_id;      /* 0 when not a reply */
	enum comment_status status;
	const char *author;
	const char *email;      /* never shown publicly */
	const char *url;        /* "" or http(s) */
	const char *body_md;
	const char *body_html;  /* safe HTML rendered at intake */
	time_t created_at;
	const char *ip_hash;    /* hex, "" when unknown */
	const char *spam_reason;
	const char *post_slug;  /* filled by moderation queries */
	const char *post_title;
	int group_size;         /* moderation: comments sharing ip_hash */
};

struct comment_list {
	struct comment *items;
	size_t len;
	int has_more;
};

#endif

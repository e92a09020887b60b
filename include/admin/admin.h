/* admin.h: parley-moderate's pages, shared between its handler files in src/admin/. */
#ifndef PARLEY_ADMIN_H
#define PARLEY_ADMIN_H

#include <stdint.h>
#include <time.h>

#include "http.h"
#include "mustache.h"

/* Route flags, checked by the guard in src/admin/admin-app.c before the handler runs. */
enum admin_route_flag {
	ADMIN_LOGIN = 1 << 0,    /* needs a live session, else 303 to the login page */
	ADMIN_CSRF = 1 << 1,     /* POST: same-origin, and the session's csrf field, else 403 */
	ADMIN_ORIGIN = 1 << 2,   /* POST: same-origin only (the login form checks its own token) */
};

/* The program's description for the accept loop (cgi/moderate.c serves it). */
extern const struct app admin_app;

struct session;

/*
 * One request to the admin pages: the http request and the admin's
 * session.  The dispatcher (admin-app.c) makes it on its stack for each
 * request and hands it to the route's handler; nothing in it outlives the
 * request.  Helpers that need only the request take r.
 */
struct admin_req {
	struct req *r;
	struct session *session;      /* the logged-in admin, or NULL (admin_session_load) */
};

/* A route of the admin pages: the router's method and pattern, the handler, flags. */
struct admin_route {
	struct route route;
	int (*handler)(struct admin_req *admin);
	unsigned flags;               /* enum admin_route_flag */
};

/* The cookies of the admin pages. */
#define ADMIN_SESSION_COOKIE "parley_session"
#define ADMIN_LOGIN_COOKIE "parley_login"
/* Largest form body the admin pages read (the rules page's word list is the biggest). */
#define ADMIN_FORM_LIMIT (256 * 1024)
/* Rows on one page of the queue, the comment lists and the audit log. */
#define ADMIN_PER_PAGE 25

/* Path of the admin mount for cookies: cfg->mount + "/admin", in the arena. */
const char *admin_cookie_path(struct req *r);

/*
 * Find the request's session from its cookie and set admin->session (touching
 * last_seen at most once a minute).  Returns 1 with a session, 0 without
 * (an expired or unknown cookie is told to expire), -1 on a database error.
 */
int admin_session_load(struct admin_req *admin);

/*
 * A page context with what every admin page shows: site title, mount,
 * page title, and for a logged-in admin the user name, csrf, the counts
 * per status and which navigation entry is current (nav: "queue",
 * "approved", "rejected", "spam", "posts", "rules", "audit", "sessions").
 * In the request arena.
 */
struct mu_map *admin_context(struct admin_req *admin, const char *page_title, const char *nav);

/* Render template name with ctx into r->body; returns status (500 if missing). */
int admin_render(struct req *r, const char *name, struct mu_map *ctx, int status);

/*
 * The `return` form field when it is a safe path inside the admin pages
 * ("/admin/..." with no scheme, host, backslash, percent escape, ".."
 * or control character), else "/admin/".  For redirects after POST.
 */
const char *admin_return_path(struct req *r);

/* "just now", "5 minutes ago", "3 hours ago", "2 days ago", ... in the arena. */
const char *admin_age(struct arena *a, time_t now, time_t then);
/* A page number from the query's "page": 1..ADMIN_PAGE_MAX, 1 when absent or bad. */
#define ADMIN_PAGE_MAX 1000000
int admin_page_number(struct req *r);
/* A positive decimal id, or 0 when s is not one. */
int64_t admin_parse_id(const char *s);
/* Older/newer links for a paged list: prefix is the path and query up to "page=". */
void admin_pager(struct req *r, struct mu_map *ctx, const char *prefix, int page, int has_more);

/*
 * The admin pages' side of a moderation action (admin-actions.c's table):
 * the store's action (moderation.h: its name, kind and target status) with
 * its button and the feedback's verb.
 */
struct moderation_action;
struct admin_action {
	const struct moderation_action *act;
	const char *label;      /* its button */
	const char *done;       /* the feedback's verb: "Approved" */
};

/* One entry for each of the store's actions, in its order (enum moderation_action_id). */
extern const struct admin_action admin_actions[];
extern const size_t admin_actions_count;
/* The action named name (moderation_action_find), or NULL. */
const struct admin_action *admin_action_find(const char *name);

/*
 * After an action the page's query holds done=FROM&to=TO, the audit
 * entries it made: set done_message ("Approved Kim on 'Saying no…'") and,
 * when this admin may still undo them, undo_from and undo_to in ctx.
 */
void admin_feedback(struct admin_req *admin, struct mu_map *ctx);

/*
 * 303 to where the admin goes after an action: the form's return path with
 * the audit entries [from, to] to report (done, to; none when from is 0),
 * and the card the form's next field names in view.
 */
int admin_redirect_done(struct req *r, int64_t from, int64_t to);

/* At most max characters of s (UTF-8), with "…" when cut; in the arena. */
const char *admin_excerpt(struct arena *a, const char *s, size_t max);

/*
 * A comment's card for the queue, the lists and the comment page: who,
 * where, what it answers, its links and hosts, its actions.  next_id is
 * the card to bring into view after acting on this one (0: none; -1:
 * none, and no #comment-N anchor, for cards shown in a comment's context).
 */
struct comment;
struct mu_map *admin_comment_card(struct req *r, const struct comment *c, int64_t next_id);

/* Made once at start-up: the password hash unknown users are checked against. */
void admin_login_init(void);

/* Handlers, one file per page family. */
int admin_login_form(struct admin_req *admin);        /* admin-login.c */
int admin_login(struct admin_req *admin);
int admin_logout(struct admin_req *admin);
int admin_queue(struct admin_req *admin);             /* admin-queue.c */
int admin_comments(struct admin_req *admin);
int admin_comment_action(struct admin_req *admin);    /* admin-actions.c */
int admin_bulk(struct admin_req *admin);
int admin_undo(struct admin_req *admin);
int admin_comment_page(struct admin_req *admin);      /* admin-comment.c */
int admin_comment_reply(struct admin_req *admin);
int admin_comment_edit(struct admin_req *admin);
int admin_mail(struct admin_req *admin);              /* admin-mail.c */
int admin_sessions(struct admin_req *admin);          /* admin-sessions.c */
int admin_session_end(struct admin_req *admin);
int admin_sessions_end_others(struct admin_req *admin);
int admin_audit(struct admin_req *admin);             /* admin-audit.c */
int admin_rules(struct admin_req *admin);             /* admin-rules.c */
int admin_rules_save(struct admin_req *admin);
int admin_block_add(struct admin_req *admin);
int admin_block_delete(struct admin_req *admin);
int admin_posts(struct admin_req *admin);             /* admin-posts.c */
int admin_post_comments(struct admin_req *admin);

#endif

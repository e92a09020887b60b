/* admin-app.c: parley-moderate's route table, guard (sessions, CSRF, origin), and shared page plumbing. */
#include "admin.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mailer.h"
#include "render.h"
#include "sessions.h"
#include "text.h"

/* last_seen is written at most this often, to spare the database a write per page. */
#define SESSION_TOUCH_SECONDS 60
#define RETURN_PATH_MAX 300

static const struct admin_route admin_routes[] = {
	{ { HTTP_GET, "/admin/login" }, admin_login_form, 0 },
	{ { HTTP_POST, "/admin/login" }, admin_login, ADMIN_ORIGIN },
	{ { HTTP_POST, "/admin/logout" }, admin_logout, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_GET, "/admin/" }, admin_queue, ADMIN_LOGIN },
	{ { HTTP_GET, "/admin/comments" }, admin_comments, ADMIN_LOGIN },
	{ { HTTP_POST, "/admin/comments/bulk" }, admin_bulk, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_GET, "/admin/comments/*" }, admin_comment_page, ADMIN_LOGIN },
	{ { HTTP_POST, "/admin/comments/*/*" }, admin_comment_action, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_POST, "/admin/undo" }, admin_undo, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_GET, "/admin/posts" }, admin_posts, ADMIN_LOGIN },
	{ { HTTP_POST, "/admin/posts/*/*" }, admin_post_comments, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_GET, "/admin/rules" }, admin_rules, ADMIN_LOGIN },
	{ { HTTP_POST, "/admin/rules" }, admin_rules_save, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_POST, "/admin/blocks" }, admin_block_add, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_POST, "/admin/blocks/*/delete" }, admin_block_delete, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_GET, "/admin/audit" }, admin_audit, ADMIN_LOGIN },
	{ { HTTP_GET, "/admin/sessions" }, admin_sessions, ADMIN_LOGIN },
	{ { HTTP_POST, "/admin/sessions/others" }, admin_sessions_end_others, ADMIN_LOGIN | ADMIN_CSRF },
	{ { HTTP_POST, "/admin/sessions/*/end" }, admin_session_end, ADMIN_LOGIN | ADMIN_CSRF },
	/* From a moderator mail: the signed link stands for the login; only its POST acts. */
	{ { HTTP_GET | HTTP_POST, "/admin/mail/*" }, admin_mail, ADMIN_ORIGIN },
};

static const char *const admin_templates[] = {
	"admin_head", "admin_foot", "admin_pager", "admin_login", "admin_queue", "admin_posts",
	"admin_rules", "admin_audit", "admin_sessions", "admin_error", "admin_comment",
	"admin_confirm", "admin_card", "admin_done", "admin_mail", NULL
};

static int
admin_worker_open(struct req *r, char *err, size_t errlen)
{
	admin_login_init();
	r->db = db_open(r->cfg->db, DB_OPEN_EXISTING, err, errlen);
	return r->db ? 0 : -1;
}

static void
admin_worker_close(struct req *r)
{
	db_close(r->db);
	r->db = NULL;
}

const char *
admin_cookie_path(struct req *r)
{
	return arena_printf(r->arena, "%s/admin", r->cfg->mount);
}

int
admin_session_load(struct admin_req *admin)
{
	struct req *r = admin->r;
	const char *token = req_cookie(r, ADMIN_SESSION_COOKIE);
	struct session_limits lim = {
		(long)r->cfg->session_idle_minutes * 60, (long)r->cfg->session_max_hours * 3600
	};
	struct session *s;
	int rc;

	if (admin->session != NULL)
		return 1;
	if (token == NULL || *token == '\0')
		return 0;
	s = arena_zalloc(r->arena, sizeof(*s));
	rc = sessions_lookup(r->db, r->arena, token, r->now, &lim, s);
	if (rc == STORE_ERR)
		return -1;
	if (rc == STORE_NOTFOUND) {
		resp_cookie(r, ADMIN_SESSION_COOKIE, "", admin_cookie_path(r), 0, 1, "Strict");
		return 0;
	}
	if (r->now - s->last_seen >= SESSION_TOUCH_SECONDS &&
	    sessions_touch(r->db, s->id, r->now) == STORE_OK)
		s->last_seen = r->now;
	admin->session = s;
	return 1;
}

/* The form's csrf against the session's secret, in constant time. */
static int
csrf_valid(const struct admin_req *admin)
{
	const char *got = req_form(admin->r, "csrf"), *want = admin->session->csrf;
	size_t n = strlen(want);

	return n > 0 && got != NULL && strlen(got) == n && sodium_memcmp(got, want, n) == 0;
}

/*
 * Before every handler: a live session for ADMIN_LOGIN routes (else 303 to
 * the login page, POSTs too), then for POSTs the origin and, with
 * ADMIN_CSRF, the csrf field (else 403).  The form is read here, so
 * handlers find it parsed.
 */
static int
admin_guard(struct admin_req *admin, const struct admin_route *route)
{
	struct req *r = admin->r;
	int rc;

	if (route->flags & ADMIN_LOGIN) {
		if ((rc = admin_session_load(admin)) < 0)
			return 500;
		if (rc == 0)
			return resp_redirect(r, 303, "/admin/login");
	}
	if ((route->flags & (ADMIN_CSRF | ADMIN_ORIGIN)) && r->method == HTTP_POST &&
	    !req_same_origin(r))
		return 403;
	if (route->flags & ADMIN_CSRF) {
		if ((rc = req_read_form(r, ADMIN_FORM_LIMIT)) != 0)
			return rc;
		if (admin->session == NULL || !csrf_valid(admin))
			return 403;
	}
	return 0;
}

/* What the error page says for each status (the last row for any other). */
static const struct http_error_text admin_errors[] = {
	{ { 403 }, "Forbidden",
	  "This form has expired or was sent from another site. Go back, reload the page and "
	  "try again." },
	{ { 404 }, "Not found",
	  "There is nothing at this address." },
	{ { 409 }, "Nothing to do",
	  "That comment is not where this button expected it (restore works only on a comment "
	  "in trash). Reload the page to see where it is now." },
	{ { 405 }, "Method not allowed",
	  "This address does not accept that kind of request." },
	{ { 413 }, "Too large",
	  "The form sent more than this page accepts." },
	{ { 400, 414, 415 }, "Bad request",
	  "Your browser sent a request this page could not understand." },
	{ { 0 }, "Something went wrong",
	  "The request could not be completed. Please try again in a moment." },
};

static void
admin_error_page(struct admin_req *admin, int status)
{
	struct req *r = admin->r;
	const struct http_error_text *e = http_error_text(admin_errors, status);
	struct mu_map *ctx;

	r->content_type = NULL;
	ctx = admin_context(admin, e->title, "");
	mu_set_int(ctx, "status", status);
	mu_set_str(ctx, "message", e->message);
	admin_render(r, "admin_error", ctx, status);
	r->status = status;
}

static const struct route *
admin_route(size_t i)
{
	return i < sizeof(admin_routes) / sizeof(admin_routes[0]) ? &admin_routes[i].route : NULL;
}

/*
 * Answer one request: the guard and then the route's handler with a fresh
 * admin_req (no session survives from one request to the next), and the
 * error page for a status without a body.
 */
static void
admin_respond(struct req *r, long route, int status)
{
	struct admin_req admin = { .r = r };

	if (route >= 0) {
		const struct admin_route *rt = &admin_routes[route];
		status = admin_guard(&admin, rt);
		if (status == 0)
			status = rt->handler(&admin);
	}
	r->status = status;
	if (status >= 400 && r->body->len == 0)
		admin_error_page(&admin, status);
}

struct mu_map *
admin_context(struct admin_req *admin, const char *page_title, const char *nav)
{
	struct req *r = admin->r;
	static const char *const keys[COMMENT_STATUS__MAX] = {
		"count_pending", "count_approved", "count_rejected", "count_spam", "count_trash"
	};
	struct mu_map *ctx = mu_map_new(r->arena);
	int64_t n;
	int i;

	mu_set_str(ctx, "site_title", r->cfg->site_title);
	mu_set_str(ctx, "mount", r->cfg->mount);
	mu_set_str(ctx, "page_title", page_title);
	if (admin->session != NULL) {
		mu_set_bool(ctx, "logged_in", 1);
		mu_set_str(ctx, "user", admin->session->user_name);
		mu_set_str(ctx, "csrf", admin->session->csrf);
		/* Exact at any size: the counts are kept by triggers (sql/0012). */
		for (i = 0; i < COMMENT_STATUS__MAX; i++)
			if (comments_count(r->db, i, 0, &n) == STORE_OK) {
				mu_set_str(ctx, keys[i], text_thousands(r->arena, n));
				if (i == COMMENT_PENDING)
					mu_set_bool(ctx, "queue_waiting", n > 0);
			}
		if (nav != NULL && *nav != '\0')
			mu_set_bool(ctx, arena_printf(r->arena, "nav_%s", nav), 1);
	}
	mu_set_str(ctx, "return", "/admin/");
	return ctx;
}

int
admin_render(struct req *r, const char *name, struct mu_map *ctx, int status)
{
	if (render_page(r->tpl, name, ctx, r->body) != 0)
		return 500;
	r->status = status;
	return status;
}

/* Is c a hex digit?  Its value in *v. */
static int
hex_digit(char c, int *v)
{
	if (c >= '0' && c <= '9')
		*v = c - '0';
	else if (c >= 'a' && c <= 'f')
		*v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		*v = c - 'A' + 10;
	else
		return 0;
	return 1;
}

const char *
admin_return_path(struct req *r)
{
	static const char allowed[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.?=&%+~";
	const char *p = req_form(r, "return");
	size_t len, i;
	int hi, lo;

	if (p == NULL || strncmp(p, "/admin/", 7) != 0)
		return "/admin/";
	len = strlen(p);
	if (len > RETURN_PATH_MAX || strspn(p, allowed) != len || strstr(p, "//") != NULL ||
	    strstr(p, "..") != NULL)
		return "/admin/";
	/*
	 * A percent escape only in the query (filter words), and never of a
	 * dot, slash, backslash or control: browsers read "%2e%2e" as a ".."
	 * segment, so an escape could otherwise lead out of the admin pages.
	 */
	for (i = 0; i < len; i++) {
		if (p[i] != '%')
			continue;
		if (strchr(p, '?') == NULL || &p[i] < strchr(p, '?') || i + 2 >= len ||
		    !hex_digit(p[i + 1], &hi) || !hex_digit(p[i + 2], &lo))
			return "/admin/";
		lo |= hi << 4;
		if (lo < 0x20 || lo == '.' || lo == '/' || lo == '\\' || lo == 0x7f)
			return "/admin/";
	}
	return p;
}

const char *
admin_excerpt(struct arena *a, const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	if (s == NULL)
		return "";
	while (s[i] != '\0' && chars < max) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	if (s[i] == '\0')
		return s;
	return arena_printf(a, "%.*s\u2026", (int)i, s);
}

const char *
admin_age(struct arena *a, time_t now, time_t then)
{
	static const struct { long seconds; const char *unit; } units[] = {
		{ 365L * 86400, "year" }, { 30L * 86400, "month" }, { 7L * 86400, "week" },
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
	};
	long diff = (long)(now - then), n;
	size_t i;

	if (diff < 60)
		return "just now";
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (diff >= units[i].seconds) {
			n = diff / units[i].seconds;
			return arena_printf(a, "%ld %s%s ago", n, units[i].unit, n == 1 ? "" : "s");
		}
	}
	return "just now";
}

int
admin_page_number(struct req *r)
{
	int n = page_number_parse(req_query(r, "page"), ADMIN_PAGE_MAX);

	return n > 0 ? n : 1;
}

int64_t
admin_parse_id(const char *s)
{
	char *end;
	long long n;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return 0;
	n = strtoll(s, &end, 10);
	return *end == '\0' && n > 0 ? (int64_t)n : 0;
}

void
admin_pager(struct req *r, struct mu_map *ctx, const char *prefix, int page, int has_more)
{
	render_pager(r->arena, ctx, arena_printf(r->arena, "%s1", prefix), prefix, page, has_more,
		     ADMIN_PAGE_MAX);
}

/*
 * After a POST (a moderation) the mail worker may have work.  Free heap pages go
 * back to the system (once a second at most).
 */
static void
admin_after_response(struct req *r)
{
	if (r->method == HTTP_POST)
		mailer_kick(r->cfg);
	heap_release(r->now);
}

/*
 * Referrer-Policy is same-origin, not no-referrer: under no-referrer
 * browsers send "Origin: null" with every form POST, which the origin
 * check above must refuse.
 */
const struct app admin_app = {
	.name = "parley-moderate",
	.route = admin_route,
	.respond = admin_respond,
	.security_headers =
		"Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; "
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"Referrer-Policy: same-origin\r\n"
		"Cache-Control: no-store\r\n"
		"Cross-Origin-Opener-Policy: same-origin\r\n",
	.templates = admin_templates,
	.worker_open = admin_worker_open,
	.worker_close = admin_worker_close,
	.start = mailer_start,
	.after_response = admin_after_response,
};

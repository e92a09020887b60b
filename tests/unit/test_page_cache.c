/* test_page_cache.c: a cached page sent from the cache's own memory outlives its eviction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "db.h"
#include "fixture.h"
#include "http.h"
#include "mustache.h"
#include "posts.h"
#include "site.h"

static struct arena arena;
static struct config cfg;
static struct mu_set *tpl;
static struct db *db;

static char **
get_env(const char *uri)
{
	char **env = arena_alloc(&arena, 4 * sizeof(*env));

	env[0] = "REQUEST_METHOD=GET";
	env[1] = arena_printf(&arena, "REQUEST_URI=%s", uri);
	env[2] = "REMOTE_ADDR=127.0.0.1";
	env[3] = NULL;
	return env;
}

static struct test_response
get(const char *uri)
{
	return test_request(&arena, &site_app, &cfg, tpl, db, get_env(uri), NULL);
}

static void
hold(struct test_held *h, const char *uri)
{
	test_request_begin(h, &arena, &site_app, &cfg, tpl, db, get_env(uri), NULL);
}

/* The value of the hidden field name in page, or "" when it has none. */
static const char *
field_of(const char *page, const char *name)
{
	const char *attr = arena_printf(&arena, "name=\"%s\" value=\"", name);
	const char *p = strstr(page, attr), *end;

	if (p == NULL)
		return "";
	p += strlen(attr);
	end = strchr(p, '"');
	return end != NULL ? arena_strndup(&arena, p, (size_t)(end - p)) : "";
}

/* The comment form's token: fresh in every copy of the page. */
static const char *
token_of(const char *page)
{
	return field_of(page, "token");
}

/* page with the field's value cut out. */
static const char *
without(const char *page, const char *name)
{
	const char *v = field_of(page, name), *at = *v ? strstr(page, v) : NULL;

	if (at == NULL)
		return page;
	return arena_printf(&arena, "%.*s%s", (int)(at - page), page, at + strlen(v));
}

/* What every copy of a page kept in the cache shares. */
static const char *
without_token(const char *page)
{
	return without(page, "token");
}

/*
 * page_cache_mb = 1 holds three pages of 300 KB.  Two readers' copies of
 * one page are still being sent (held) when four other pages push it out
 * of the cache: each copy, once sent, is the page as rendered, with its
 * own fresh token.  Were the entry freed at its eviction, the copies would
 * be read from freed memory (AddressSanitizer stops the test there); were
 * a reference never given back, the entry would leak (LeakSanitizer).
 */
static void
test_eviction_while_sending(void)
{
	struct test_held first, second;
	struct test_response rendered, a, b, again;
	const char *page;
	char uri[64];
	int i;

	rendered = get("/posts/big");
	CHECK(rendered.status == 200);
	CHECK(strlen(rendered.body) > 250000);
	CHECK(*token_of(rendered.body) != '\0');
	hold(&first, "/posts/big");
	hold(&second, "/posts/big");
	for (i = 0; i < 4; i++) {
		snprintf(uri, sizeof(uri), "/posts/big?v=%d", i);
		CHECK(get(uri).status == 200);
	}
	a = test_request_end(&second);
	b = test_request_end(&first);
	page = without_token(rendered.body);
	CHECK(a.status == 200 && b.status == 200);
	CHECK(strcmp(without_token(a.body), page) == 0);
	CHECK(strcmp(without_token(b.body), page) == 0);
	CHECK(*token_of(a.body) != '\0' && *token_of(b.body) != '\0');
	CHECK(strcmp(token_of(a.body), token_of(b.body)) != 0);
	CHECK(strcmp(token_of(a.body), token_of(rendered.body)) != 0);
	/* Pushed out, then rendered and kept again: the same page (its like button's token new). */
	again = get("/posts/big");
	CHECK(strcmp(without(without_token(again.body), "like_token"),
		     without(page, "like_token")) == 0);
}

int
main(void)
{
	char dir[] = "/tmp/parley-test-cache-XXXXXX", err[256];
	struct post_input in;
	struct buf md = BUF_INIT;
	int i;

	arena_init(&arena);
	config_defaults(&cfg);
	CHECK(config_set(&cfg, "page_cache_mb", "1", err, sizeof(err)) == 0);
	CHECK(config_finish(&cfg, err, sizeof(err)) == 0);
	tpl = test_templates();
	db = test_db_create(dir);
	for (i = 0; i < 4200; i++)
		buf_printf(&md, "Paragraph %d of the long post, about the beans on the fence.\n\n", i);
	memset(&in, 0, sizeof(in));
	in.slug = "big";
	in.title = "A long post";
	in.author = "Sam Rivera";
	in.published_at = 1720000000;
	in.comments_open = 1;
	in.body_md = md.data;
	CHECK(test_post_save(db, &arena, &in, NULL, NULL) == STORE_OK);
	buf_free(&md);

	test_eviction_while_sending();

	test_db_remove(db, dir);
	mu_set_free(tpl);
	config_free(&cfg);
	arena_free(&arena);
	return check_summary();
}

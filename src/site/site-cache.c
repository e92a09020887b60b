/* site-cache.c: validators and an in-memory page cache for the public pages. */
#include "site.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "comment_form.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mustache.h"

/*
 * Every public page is a function of the database generation (a post's own
 * for its page), the hour (form
 * tokens age), the path and query, the visitor's own-comment cookie and the
 * templates this process loaded.  The hash of those is both the page's ETag
 * and its key in this cache, so a page is rendered once per change and then
 * copied out, with a fresh comment-form token spliced in.  The cache is the
 * process's only shared mutable state: a read-write lock guards it.  It
 * holds at most page_cache_mb megabytes of pages (0 turns it off).
 */
#define CACHE_SLOTS 256
#define CACHE_MAX_PAGE (2u << 20)
#define KEY_HEX 25

/*
 * A kept page.  A hit sends it where it is (resp_body_refer) while the
 * entry stays counted: the cache holds one reference, each response in
 * flight one more, so an entry evicted or replaced while a worker still
 * writes it is freed by the last of them.
 */
struct cache_entry {
	char key[KEY_HEX];
	int refs;                /* atomic: the cache's, plus one per response sending it */
	size_t prefix_len;       /* body up to the token's slot (all of it without a token) */
	size_t suffix_len;       /* body after the token's slot */
	size_t headers_len;      /* headers the handler added */
	const char *content_type;
	int64_t token_post;      /* post id of the comment-form token, 0 for none */
	uint64_t used;           /* clock for eviction */
	char data[];             /* prefix, then suffix, then extra headers */
};

static struct {
	pthread_rwlock_t lock;
	struct cache_entry *slots[CACHE_SLOTS];
	size_t bytes;
	uint64_t clock;
	time_t boot;             /* this process's start, and with r->settings_generation
	                            the templates' version */
} cache = { .lock = PTHREAD_RWLOCK_INITIALIZER };

/* Drop one reference to e: the last frees it.  A resp_body_refer release hook. */
static void
entry_release(void *ctx)
{
	struct cache_entry *e = ctx;

	if (__atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(e);
}

static pthread_once_t boot_once = PTHREAD_ONCE_INIT;

static void
set_boot(void)
{
	cache.boot = time(NULL);
}

/* Add a number and a '|' to the key's hash. */
static void
key_int(crypto_generichash_state *st, long long v)
{
	char d[DEC_INT_MAX + 1];
	size_t n = dec_int(d, v);

	d[n++] = '|';
	crypto_generichash_update(st, (const unsigned char *)d, n);
}

/* Add a string the request chose, after its length: no two lists of parts hash alike. */
static void
key_text(crypto_generichash_state *st, const char *s)
{
	size_t len = strlen(s);

	key_int(st, (long long)len);
	crypto_generichash_update(st, (const unsigned char *)s, len);
}

/*
 * The validator of this request's page into hex; its Last-Modified in
 * *modified.  A post's page (slug not NULL) follows that post's generation
 * when it has one, every other page the site's.
 */
static int
page_key(struct req *r, const char *slug, const char *extra, char hex[KEY_HEX],
	 time_t *modified)
{
	int64_t gen, mod;
	unsigned char hash[(KEY_HEX - 1) / 2];
	crypto_generichash_state st;
	char scope = 'p';
	int rc = slug != NULL ? db_post_generation(r->db, slug, &gen, &mod) : STORE_NOTFOUND;

	pthread_once(&boot_once, set_boot);
	if (rc == STORE_NOTFOUND) {
		scope = 's';
		rc = db_generation(r->db, &gen, &mod);
	}
	if (rc != STORE_OK)
		return -1;
	/* The parts are hashed as they come: no string is formatted for it. */
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	crypto_generichash_update(&st, (const unsigned char *)&scope, 1);
	key_int(&st, (long long)gen);
	key_int(&st, (long long)(r->now / 3600));
	key_int(&st, (long long)cache.boot);
	key_int(&st, (long long)r->settings_generation);
	key_text(&st, r->path);
	key_text(&st, r->query_string);
	key_text(&st, extra ? extra : "");
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(hex, KEY_HEX, hash, sizeof(hash));
	*modified = (time_t)mod;
	return 0;
}

/*
 * Cache-Control for a page: every cache asks again (a 304 is cheap), so a
 * browser never shows its copy from before the reader's own comment.  A
 * page made for one reader (personal: their cookies changed it, or it
 * carries a comment-form token, which is good for one comment) is
 * "private" too, and "X-Accel-Expires: 0" keeps it out of nginx's cache
 * even where nginx is told to ignore Cache-Control (parley-microcache.conf
 * does); nginx never passes that header on to the browser.
 */
static void
page_cache_control(struct req *r, int personal)
{
	if (!personal) {
		resp_header(r, "Cache-Control", "no-cache");
		return;
	}
	resp_header(r, "Cache-Control", "private, no-cache");
	resp_header(r, "X-Accel-Expires", "0");
}

/* The page's ETag and Last-Modified: 1 when If-None-Match matches, 0 when not, -1 on error. */
static int
page_validators(struct req *r, const char *slug, const char *extra, char hex[KEY_HEX])
{
	time_t modified;

	if (page_key(r, slug, extra, hex, &modified) != 0)
		return -1;
	return resp_validators(r, hex, modified);
}

static int
is_personal(const char *extra)
{
	return extra != NULL && *extra != '\0';
}

int
site_not_modified(struct req *r, const char *extra)
{
	char hex[KEY_HEX];
	int match = page_validators(r, NULL, extra, hex);

	if (match >= 0)
		page_cache_control(r, is_personal(extra));
	if (match != 1)
		return 0;
	r->status = 304;
	return 1;
}

/* The slot holding key's page, or NULL.  Under cache.lock. */
static struct cache_entry **
find(const char *key)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (cache.slots[i] != NULL && memcmp(cache.slots[i]->key, key, KEY_HEX) == 0)
			return &cache.slots[i];
	return NULL;
}

int
site_cached(struct site_req *site, const char *extra)
{
	return site_cached_post(site, NULL, extra);
}

int
site_cached_post(struct site_req *site, const char *slug, const char *extra)
{
	struct req *r = site->r;
	char hex[KEY_HEX];
	struct cache_entry **slot, *e = NULL;
	int match, token = 0;

	if ((match = page_validators(r, slug, extra, hex)) < 0)
		return 0;
	pthread_rwlock_rdlock(&cache.lock);
	if ((slot = find(hex)) != NULL) {
		e = *slot;
		token = e->token_post > 0;
		if (!match) {
			__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&e->used, __atomic_add_fetch(&cache.clock, 1,
								      __ATOMIC_RELAXED),
					 __ATOMIC_RELAXED);
		}
	}
	pthread_rwlock_unlock(&cache.lock);
	if (e != NULL && !match) {
		/* The page goes out from the entry itself: only the token is new. */
		struct resp_piece piece[3] = { { e->data, e->prefix_len } };
		_Static_assert(RESP_PIECES >= 3, "a hit refers to three pieces");
		size_t n = 1;

		if (token) {
			const char *t = comment_token_make(r->arena, r->db->secret, e->token_post,
							   r->now);
			piece[n].data = t;
			piece[n++].len = strlen(t);
			piece[n].data = e->data + e->prefix_len;
			piece[n++].len = e->suffix_len;
		}
		buf_append(r->headers, e->data + e->prefix_len + e->suffix_len, e->headers_len);
		r->content_type = e->content_type;
		resp_body_refer(r, piece, n, entry_release, e);
		page_cache_control(r, is_personal(extra) || token);
		r->status = 200;
		site->cache_served = 1;
		return 200;
	}
	if (match) {
		/* A page whose form was evicted meanwhile says "no-cache" alone: a
		 * shared cache holds no copy of it to refresh (it was private). */
		page_cache_control(r, is_personal(extra) || token);
		r->status = 304;
		return 304;
	}
	/* Rendered now: site_page_finish sends Cache-Control once it knows about a form. */
	site->cache_key = arena_strdup(r->arena, hex);
	site->cache_headers_from = r->headers->len;
	site->cache_personal = is_personal(extra);
	return 0;
}

/* Take the page out of its slot; a response still sending it keeps it alive.  Under cache.lock. */
static void
entry_drop(struct cache_entry **slot)
{
	struct cache_entry *e = *slot;

	cache.bytes -= e->prefix_len + e->suffix_len + e->headers_len;
	*slot = NULL;
	entry_release(e);
}

/*
 * The post id of a comment-form token slot's name ("form-token:ID"), or 0
 * when name is another slot's.
 */
static int64_t
token_slot_post(const char *name, size_t len)
{
	static const char prefix[] = SITE_TOKEN_SLOT ":";
	int64_t id = 0;
	size_t i = sizeof(prefix) - 1;

	if (len <= i || memcmp(name, prefix, i) != 0)
		return 0;
	for (; i < len; i++) {
		if (name[i] < '0' || name[i] > '9' || id > INT64_MAX / 10 - 1)
			return 0;
		id = id * 10 + (name[i] - '0');
	}
	return id;
}

/* Fill every slot left in r->body; returns 1 when a comment-form token went in. */
static int
fill_slots(struct req *r)
{
	size_t at, marker_len, name_len, from = 0;
	const char *name;
	struct buf out = BUF_INIT;
	int64_t post;
	int token = 0;

	if (!mu_slot_find(r->body->data, r->body->len, &at, &marker_len, &name, &name_len))
		return 0;
	/* Every marker goes: a token slot becomes a fresh token, any other nothing. */
	do {
		buf_append(&out, r->body->data + from, at);
		if ((post = token_slot_post(name, name_len)) > 0) {
			buf_puts(&out, comment_token_make(r->arena, r->db->secret, post, r->now));
			token = 1;
		}
		from += at + marker_len;
	} while (mu_slot_find(r->body->data + from, r->body->len - from, &at, &marker_len,
			      &name, &name_len));
	buf_append(&out, r->body->data + from, r->body->len - from);
	buf_reset(r->body);
	buf_append(r->body, out.data, out.len);
	buf_free(&out);
	return token;
}

static void
site_cache_store(struct site_req *site)
{
	struct req *r = site->r;
	const char *body = r->body->data, *name;
	size_t hlen, size, i, at = 0, marker_len = 0, name_len;
	size_t cap = (size_t)r->cfg->page_cache_mb << 20, in_use = 0;
	struct cache_entry *e;
	int64_t post = 0;
	int has_token, kept = 0;

	if (site->cache_key == NULL || r->status != 200 || body == NULL ||
	    r->body->len > CACHE_MAX_PAGE)
		return;
	/*
	 * The comment form's token is per visit: keep the page around the slot
	 * the template engine wrote for it (never a search of the HTML, which a
	 * theme may write in any order).  A page with another slot is not kept.
	 */
	has_token = mu_slot_find(body, r->body->len, &at, &marker_len, &name, &name_len);
	if (has_token) {
		size_t a2, m2, n2;
		const char *name2;
		post = token_slot_post(name, name_len);
		if (post <= 0 || mu_slot_find(body + at + marker_len, r->body->len - at - marker_len,
					      &a2, &m2, &name2, &n2))
			return;
	}
	hlen = r->headers->len - site->cache_headers_from;
	size = r->body->len - marker_len + hlen;
	if (size > cap)
		return;
	/* Made whole before the lock: readers wait for the copy no longer than for a slot. */
	if ((e = malloc(sizeof(*e) + (size ? size : 1))) == NULL)
		return;
	memcpy(e->key, site->cache_key, KEY_HEX);
	e->refs = 1;
	e->token_post = post;
	if (has_token) {
		e->prefix_len = at;
		e->suffix_len = r->body->len - at - marker_len;
		memcpy(e->data, body, e->prefix_len);
		memcpy(e->data + e->prefix_len, body + at + marker_len, e->suffix_len);
	} else {
		e->prefix_len = r->body->len;
		e->suffix_len = 0;
		memcpy(e->data, body, e->prefix_len);
	}
	e->headers_len = hlen;
	memcpy(e->data + e->prefix_len + e->suffix_len,
	       r->headers->data + site->cache_headers_from, hlen);
	e->content_type = r->content_type;   /* handlers set string literals */
	pthread_rwlock_wrlock(&cache.lock);
	if (find(site->cache_key) != NULL)
		goto out;
	/* Evict the least recently used until the page fits. */
	for (;;) {
		struct cache_entry **empty = NULL, **oldest = NULL;
		for (i = 0; i < CACHE_SLOTS; i++) {
			struct cache_entry **slot = &cache.slots[i];
			if (*slot == NULL) {
				if (empty == NULL)
					empty = slot;
			} else if (oldest == NULL || (*slot)->used < (*oldest)->used)
				oldest = slot;
		}
		if (empty != NULL && cache.bytes + size <= cap) {
			e->used = __atomic_add_fetch(&cache.clock, 1, __ATOMIC_RELAXED);
			*empty = e;
			break;
		}
		if (oldest == NULL)
			goto out;
		entry_drop(oldest);
	}
	cache.bytes += size;
	in_use = cache.bytes;
	kept = 1;
out:
	pthread_rwlock_unlock(&cache.lock);
	if (!kept)
		free(e);
	/* The cache's own accounting, for tests of the cap (test_page_cache). */
	if (kept)
		log_debug("page cache: kept %zu bytes, %zu of %zu in use", size, in_use, cap);
}

void
site_page_finish(struct site_req *site)
{
	struct req *r = site->r;
	int token;

	/* A copy from the cache has its token in and no slot left: scanning it
	 * again (memmem over the whole page) was a fifth of a hit's instructions. */
	if (site->cache_served)
		return;
	site_cache_store(site);
	token = fill_slots(r);
	if (site->cache_key != NULL)
		page_cache_control(r, site->cache_personal || token);
	else if (token)          /* a form outside the page cache (a refilled post page) */
		page_cache_control(r, 1);
}

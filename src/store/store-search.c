/* store-search.c: full-text search of published posts, its work bounded. */
#include "posts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rows.h"
#include "store-posts-rows.h"
#include "utf8.h"

/* Search input limits: words beyond these are ignored. */
#define SEARCH_MAX_WORDS 20
#define SEARCH_MAX_BYTES 200

/*
 * The newest matches, at most SEARCH_RANK_MAX + 1, each with its rank: one
 * walk of the doclist back from the newest, no snippet and no body read.
 */
static const char sql_search_rank[] =
	"SELECT rowid, parley_rank(posts_fts) FROM posts_fts "
	"WHERE posts_fts MATCH ?1 AND rowid NOT IN (SELECT id FROM posts WHERE draft = 1) "
	"ORDER BY rowid DESC LIMIT ?2";
/*
 * The page's posts with their snippets: a walk of the doclist over the
 * rowids the page spans (?2 to ?3), keeping those of the page (a JSON
 * array); the + keeps SQLite from seeking the doclist once for each.
 */
static const char sql_search_page[] =
	"SELECT " POST_COLUMNS_BRIEF ", "
	"snippet(posts_fts, 1, char(1), char(2), '\xe2\x80\xa6', 24) "
	"FROM posts_fts CROSS JOIN posts p ON p.id = posts_fts.rowid "
	"WHERE posts_fts MATCH ?1 AND posts_fts.rowid BETWEEN ?2 AND ?3 "
	"AND +posts_fts.rowid IN (SELECT value FROM json_each(?4))";

/*
 * bm25's saturation of a word's count, and the weight of a word in the
 * title against the body's 1.
 */
#define RANK_K1 1.2
#define RANK_TITLE_WEIGHT 10.0

/* What parley_rank works out once a query (FTS5 auxiliary data). */
struct rank_query {
	int nphrase;
	double idf[];           /* a weight per phrase (a word of the query) */
};

/* Counts the rows of a phrase (an xQueryPhrase callback), up to SEARCH_RANK_MAX. */
static int
count_upto(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx)
{
	int *n = ctx;

	(void)api;
	(void)fts;
	return ++*n < SEARCH_RANK_MAX ? SQLITE_OK : SQLITE_DONE;
}

/*
 * The query's word weights: bm25's IDF, but from each word's count of posts
 * only up to SEARCH_RANK_MAX (bm25 counts every post holding the word, the
 * cost a common word must not have), so words commoner than that weigh
 * alike.  One word alone needs no weight (it would scale every score
 * alike), so a one-word search counts nothing.
 */
static struct rank_query *
rank_query_new(const Fts5ExtensionApi *api, Fts5Context *fts)
{
	int nphrase = api->xPhraseCount(fts), i;
	struct rank_query *q = sqlite3_malloc64(sizeof(*q) + (size_t)nphrase * sizeof(double));
	sqlite3_int64 rows = 0;

	if (q == NULL)
		return NULL;
	q->nphrase = nphrase;
	for (i = 0; i < nphrase; i++)
		q->idf[i] = 1.0;
	if (nphrase < 2)
		return q;
	if (api->xRowCount(fts, &rows) != SQLITE_OK) {
		sqlite3_free(q);
		return NULL;
	}
	for (i = 0; i < nphrase; i++) {
		int n = 0;

		if (api->xQueryPhrase(fts, i, &n, count_upto) != SQLITE_OK) {
			sqlite3_free(q);
			return NULL;
		}
		q->idf[i] = log(((double)rows - n + 0.5) / (n + 0.5));
		if (q->idf[i] <= 0.0)
			q->idf[i] = 1e-6;
	}
	return q;
}

/*
 * parley_rank(posts_fts), lower is better: for each word of the query, its
 * weight times bm25's saturated count of it in the post, the title's
 * matches counting RANK_TITLE_WEIGHT each and the body's 1.  Unlike bm25 it
 * does not scale by the post's length: that is a lookup a row, which the
 * newest matches of a common word cannot all afford.  A row costs a read
 * of its matches' positions, already at hand in the doclist.
 */
static void
parley_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
	    int nval, sqlite3_value **val)
{
	struct rank_query *q = api->xGetAuxdata(fts, 0);
	double freq[SEARCH_MAX_WORDS] = { 0 }, score = 0.0;
	int ninst = 0, i, rc;

	(void)nval;
	(void)val;
	if (q == NULL) {
		if ((q = rank_query_new(api, fts)) == NULL) {
			sqlite3_result_error(ctx, "parley_rank: out of memory or unreadable index", -1);
			return;
		}
		/* On failure SQLite frees q itself. */
		if ((rc = api->xSetAuxdata(fts, q, sqlite3_free)) != SQLITE_OK) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
	}
	if ((rc = api->xInstCount(fts, &ninst)) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	for (i = 0; i < ninst; i++) {
		int phrase, col, off;

		if (api->xInst(fts, i, &phrase, &col, &off) == SQLITE_OK &&
		    phrase >= 0 && phrase < SEARCH_MAX_WORDS)
			freq[phrase] += col == 0 ? RANK_TITLE_WEIGHT : 1.0;
	}
	for (i = 0; i < q->nphrase && i < SEARCH_MAX_WORDS; i++)
		score += q->idf[i] * freq[i] * (RANK_K1 + 1.0) / (freq[i] + RANK_K1);
	sqlite3_result_double(ctx, -score);
}

int
search_sql_functions(sqlite3 *handle)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st;

	/* FTS5 hands out its API through a pointer bound to SELECT fts5(?). */
	if (sqlite3_prepare_v2(handle, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return STORE_ERR;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2)
		return STORE_ERR;
	return api->xCreateFunction(api, "parley_rank", NULL, parley_rank, NULL) == SQLITE_OK
		       ? STORE_OK : STORE_ERR;
}

/*
 * The reader's words as an FTS5 query: each whitespace-separated word a
 * double-quoted string (inner quotes doubled), so no FTS5 syntax survives.
 * At most SEARCH_MAX_WORDS words from the first SEARCH_MAX_BYTES bytes.
 * Returns the query in the arena, or NULL when there is nothing to search.
 */
static char *
search_query(struct arena *a, const char *words)
{
	struct buf q = BUF_INIT;
	size_t len = strlen(words), i = 0, nwords = 0;
	char *query = NULL;

	if (len > SEARCH_MAX_BYTES) {
		len = SEARCH_MAX_BYTES;
		/* Do not cut a UTF-8 sequence in half. */
		while (len > 0 && ((unsigned char)words[len] & 0xc0) == 0x80)
			len--;
	}
	if (!utf8_valid_text(words, len))
		return NULL;
	while (i < len && nwords < SEARCH_MAX_WORDS) {
		size_t start;

		while (i < len && strchr(" \t\r\n", words[i]) != NULL)
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && strchr(" \t\r\n", words[i]) == NULL)
			i++;
		if (nwords++)
			buf_putc(&q, ' ');
		buf_putc(&q, '"');
		for (; start < i; start++) {
			if (words[start] == '"')
				buf_putc(&q, '"');
			buf_putc(&q, words[start]);
		}
		buf_putc(&q, '"');
	}
	if (nwords > 0)
		query = arena_strndup(a, q.data, q.len);
	buf_free(&q);
	return query;
}

/* A match and its rank (lower is better). */
struct ranked {
	int64_t id;
	double score;
};

/* A ranked match from sql_search_rank (a db_fill_fn). */
static int
fill_ranked(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct ranked *r = item;

	(void)ctx;
	(void)a;
	r->id = sqlite3_column_int64(st, 0);
	r->score = sqlite3_column_double(st, 1);
	return DB_ROW_NEXT;
}

/* Best first; of equals, the newest. */
static int
ranked_cmp(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return a->id > b->id ? -1 : a->id < b->id;
}

/* Put the page's posts (read in rowid order) in the order of its ranked ids. */
static void
page_order(struct post_list *out, const struct ranked *page, size_t n)
{
	size_t i, j;

	for (i = 0; i < n && i < out->len; i++) {
		for (j = i; j < out->len && out->items[j].id != page[i].id; j++)
			;
		if (j < out->len && j != i) {
			struct post t = out->items[i];

			out->items[i] = out->items[j];
			out->items[j] = t;
		}
	}
}

int
posts_search(struct db *db, struct arena *a, const char *words, int page,
	     int per_page, struct post_list *out)
{
	struct db_rows rows;
	struct ranked *r;
	struct buf ids = BUF_INIT;
	sqlite3_stmt *st;
	char *query;
	size_t skip, n, i;
	int64_t lo, hi;
	int rc;

	memset(out, 0, sizeof(*out));
	if (page < 1 || per_page < 1 || words == NULL ||
	    (query = search_query(a, words)) == NULL)
		return STORE_OK;
	if ((st = db_stmt(db, sql_search_rank)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SEARCH_RANK_MAX + 1);
	db_rows_init(&rows, a, sizeof(struct ranked), SEARCH_RANK_MAX);
	if (db_rows(db, st, "ranking a search", &rows, fill_ranked, NULL) != STORE_OK)
		return STORE_ERR;
	out->cut = rows.more;
	skip = (size_t)(page - 1) * (size_t)per_page;
	if (rows.len <= skip)
		return STORE_OK;
	r = rows.items;
	qsort(r, rows.len, sizeof(*r), ranked_cmp);
	r += skip;
	n = rows.len - skip;
	if (n > (size_t)per_page)
		n = (size_t)per_page;
	lo = hi = r[0].id;
	buf_putc(&ids, '[');
	for (i = 0; i < n; i++) {
		buf_printf(&ids, "%s%lld", i ? "," : "", (long long)r[i].id);
		lo = r[i].id < lo ? r[i].id : lo;
		hi = r[i].id > hi ? r[i].id : hi;
	}
	buf_putc(&ids, ']');
	if ((st = db_stmt(db, sql_search_page)) == NULL) {
		buf_free(&ids);
		return STORE_ERR;
	}
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	sqlite3_bind_text(st, 4, ids.data, (int)ids.len, SQLITE_TRANSIENT);
	rc = posts_read_list(db, a, st, 0, COL_BODY_MD, out);
	buf_free(&ids);
	out->cut = rows.more;
	out->has_more = rows.len > skip + n;
	if (rc == STORE_OK)
		page_order(out, r, n);
	return rc;
}

/* store-search.c: full-text search of published posts, its work bounded. */
#include "posts.h"

#include <string.h>

#include "buf.h"
#include "store-posts-rows.h"
#include "utf8.h"

/* Search input limits: words beyond these are ignored. */
#define SEARCH_MAX_WORDS 20
#define SEARCH_MAX_BYTES 200

static const char sql_search[] =
	"SELECT " POST_COLUMNS ", "
	"snippet(posts_fts, 1, char(1), char(2), '\xe2\x80\xa6', 24) "
	"FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid "
	"WHERE posts_fts MATCH ?1 AND posts_fts.rowid > ?4 AND p.draft = 0 "
	"ORDER BY bm25(posts_fts, 10.0, 1.0), p.published_at DESC LIMIT ?2 OFFSET ?3";
/*
 * The match just older than the newest SEARCH_RANK_MAX, if there is one: a
 * walk of the doclist by rowid, no scoring; ranking then starts above it.
 */
static const char sql_search_floor[] =
	"SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?1 "
	"ORDER BY rowid DESC LIMIT 1 OFFSET ?2";

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

int
posts_search(struct db *db, struct arena *a, const char *words, int page,
	     int per_page, struct post_list *out)
{
	sqlite3_stmt *st;
	char *query;
	int64_t floor;
	int rc;

	memset(out, 0, sizeof(*out));
	if (page < 1 || per_page < 1 || words == NULL ||
	    (query = search_query(a, words)) == NULL)
		return STORE_OK;
	if ((st = db_stmt(db, sql_search_floor)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SEARCH_RANK_MAX);
	rc = sqlite3_step(st);
	floor = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_log_error(db, "bounding a search");
		return STORE_ERR;
	}
	if ((st = db_stmt(db, sql_search)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, per_page + 1);
	sqlite3_bind_int64(st, 3, (int64_t)(page - 1) * per_page);
	sqlite3_bind_int64(st, 4, floor);
	rc = posts_read_list(db, a, st, (size_t)per_page, COL_BODY_MD, out);
	out->cut = rc == STORE_OK && floor > 0;
	return rc;
}

/* store-likes.c: readers' likes of posts: a capped insert per address hash. */
#include "likes.h"

static const char sql_likes_from[] =
	"SELECT count(*) FROM likes WHERE post_id = ? AND ip_hash = ?";
static const char sql_likes_insert[] =
	"INSERT INTO likes (post_id, ip_hash, created_at) VALUES (?, ?, ?)";

int
likes_add(struct db *db, int64_t post_id, const char *ip_hash, time_t now,
	  int max_per_address)
{
	sqlite3_stmt *st;
	int nested = !sqlite3_get_autocommit(db->handle), rc = STORE_ERR;
	int64_t have;

	if (!nested && db_begin(db) != STORE_OK)
		return STORE_ERR;
	if ((st = db_stmt(db, sql_likes_from)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, post_id);
	sqlite3_bind_text(st, 2, ip_hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_log_error(db, "count likes");
		sqlite3_reset(st);
		goto done;
	}
	have = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (have >= max_per_address) {
		rc = LIKES_CAPPED;
		goto done;
	}
	if ((st = db_stmt(db, sql_likes_insert)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, post_id);
	sqlite3_bind_text(st, 2, ip_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	rc = db_exec_stmt(db, st) == STORE_OK ? LIKES_ADDED : STORE_ERR;
done:
	if (!nested) {
		if (rc == STORE_ERR || db_commit(db) != STORE_OK) {
			db_rollback(db);
			rc = STORE_ERR;
		}
	}
	return rc;
}

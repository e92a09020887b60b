/* store-ratelimit.c: counted events in a sliding window, and keyed hashes of client addresses. */
#include "ratelimit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Context of the subkey that keys address hashes (see ratelimit_address_hash). */
static const char address_context[] = "parley address hash v1";

/*
 * Count bucket's events after now - window; *oldest receives the earliest
 * of them (0 when none).  STORE_OK or STORE_ERR.
 */
static int
window_count(struct db *db, const char *bucket, time_t now, int window_seconds,
	     int *count, time_t *oldest)
{
	static const char sql[] =
		"SELECT count(*), coalesce(min(at), 0) FROM rate_events"
		" WHERE bucket = ? AND at > ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now - window_seconds);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		db_log_error(db, "rate limit count");
		sqlite3_reset(st);
		return STORE_ERR;
	}
	*count = sqlite3_column_int(st, 0);
	*oldest = (time_t)sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return STORE_OK;
}

/* Drop bucket's events that have left the window. */
static int
prune_bucket(struct db *db, const char *bucket, time_t now, int window_seconds)
{
	static const char sql[] = "DELETE FROM rate_events WHERE bucket = ? AND at <= ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now - window_seconds);
	return db_exec_stmt(db, st);
}

int
ratelimit_check(struct db *db, const char *bucket, time_t now, int window_seconds,
		int limit, int *retry_after, int *count)
{
	time_t oldest;
	int n;

	if (window_count(db, bucket, now, window_seconds, &n, &oldest) != STORE_OK)
		return STORE_ERR;
	if (count != NULL)
		*count = n;
	if (n < limit)
		return RATELIMIT_ALLOWED;
	if (retry_after != NULL) {
		long wait = (long)(oldest + window_seconds - now);
		*retry_after = wait < 1 ? 1 : (int)wait;
	}
	return RATELIMIT_LIMITED;
}

int
ratelimit_record(struct db *db, const char *bucket, time_t now)
{
	static const char sql[] = "INSERT INTO rate_events (bucket, at) VALUES (?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	return db_exec_stmt(db, st);
}

int
ratelimit_hit(struct db *db, const char *bucket, time_t now, int window_seconds,
	      int limit, int *retry_after)
{
	int rc;

	if (prune_bucket(db, bucket, now, window_seconds) != STORE_OK)
		return STORE_ERR;
	/* Now and then, sweep the buckets nobody hits any more (older than a day). */
	if (randombytes_uniform(256) == 0 && ratelimit_prune(db, now - 86400) != STORE_OK)
		return STORE_ERR;
	rc = ratelimit_check(db, bucket, now, window_seconds, limit, retry_after, NULL);
	if (rc != RATELIMIT_ALLOWED)
		return rc;
	return ratelimit_record(db, bucket, now) == STORE_OK ? RATELIMIT_ALLOWED : STORE_ERR;
}

int
ratelimit_clear(struct db *db, const char *bucket)
{
	static const char sql[] = "DELETE FROM rate_events WHERE bucket = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	return db_exec_stmt(db, st);
}

int
ratelimit_prune(struct db *db, time_t before)
{
	static const char sql[] = "DELETE FROM rate_events WHERE at < ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	return db_exec_stmt(db, st);
}

void
ratelimit_address_group(const char *address, char out[RATELIMIT_GROUP_MAX])
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, address, &a4) == 1 &&
	    inet_ntop(AF_INET, &a4, out, RATELIMIT_GROUP_MAX) != NULL)
		return;
	if (inet_pton(AF_INET6, address, &a6) == 1) {
		/* ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket. */
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(&a4, a6.s6_addr + 12, 4);
			if (inet_ntop(AF_INET, &a4, out, RATELIMIT_GROUP_MAX) != NULL)
				return;
		}
		/* One /64 is one subscriber's network: it counts as one address. */
		memset(a6.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a6, out, RATELIMIT_GROUP_MAX - 3) != NULL) {
			strcat(out, "/64");
			return;
		}
	}
	/* Not an address (a test's, or a misconfigured server's): taken as it is. */
	snprintf(out, RATELIMIT_GROUP_MAX, "%s", address);
}

void
ratelimit_address_hash(const struct db *db, const char *address, char hex[RATELIMIT_HASH_HEX])
{
	unsigned char key[crypto_generichash_KEYBYTES], hash[16];
	char group[RATELIMIT_GROUP_MAX];

	if (address == NULL || *address == '\0') {
		hex[0] = '\0';
		return;
	}
	ratelimit_address_group(address, group);
	crypto_generichash(key, sizeof(key), (const unsigned char *)address_context,
			   sizeof(address_context) - 1, db->secret, sizeof(db->secret));
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)group,
			   strlen(group), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	sodium_bin2hex(hex, RATELIMIT_HASH_HEX, hash, sizeof(hash));
}

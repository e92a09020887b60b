/* test_migrations.c: the schema's migrations: every trigger and index they create survives later ones, data survives the comments rebuild. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "check.h"
#include "db.h"
#include "fixture.h"
#include "migrations.h"

/* Does the schema hold an object of this type and name? */
static int
schema_has(struct db *db, const char *type, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db->handle,
	    "SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Is "DROP <kind> [IF EXISTS] name" anywhere in the migrations after index from? */
static int
dropped_later(int from, const char *kind, const char *name)
{
	char pat[200], pat2[200];
	int i;

	snprintf(pat, sizeof(pat), "DROP %s %s", kind, name);
	snprintf(pat2, sizeof(pat2), "DROP %s IF EXISTS %s", kind, name);
	for (i = from + 1; i < migrations_count; i++)
		if (strcasestr(migrations[i].sql, pat) != NULL ||
		    strcasestr(migrations[i].sql, pat2) != NULL)
			return 1;
	return 0;
}

/*
 * Every "CREATE TRIGGER name" and "CREATE [UNIQUE] INDEX name" in every
 * migration is in the final schema unless a later migration drops it by
 * name: a table rebuild that forgets another migration's trigger fails here.
 */
static void
test_nothing_lost(void)
{
	static const struct { const char *word, *type, *kind; } objects[] = {
		{ "CREATE TRIGGER ", "trigger", "TRIGGER" },
		{ "CREATE INDEX ", "index", "INDEX" },
		{ "CREATE UNIQUE INDEX ", "index", "INDEX" },
	};
	char dir[] = "/tmp/parley-test-XXXXXX", name[128];
	struct db *db = test_db_create(dir);
	size_t k, n;
	int i;

	for (i = 0; i < migrations_count; i++) {
		for (k = 0; k < sizeof(objects) / sizeof(objects[0]); k++) {
			const char *p = migrations[i].sql;
			while ((p = strcasestr(p, objects[k].word)) != NULL) {
				p += strlen(objects[k].word);
				if (strncasecmp(p, "IF NOT EXISTS ", 14) == 0)
					p += 14;
				for (n = 0; n < sizeof(name) - 1 && (isalnum((unsigned char)p[n]) || p[n] == '_'); n++)
					name[n] = p[n];
				name[n] = '\0';
				if (n == 0 || dropped_later(i, objects[k].kind, name))
					continue;
				check_count++;
				if (!schema_has(db, objects[k].type, name)) {
					char what[300];
					snprintf(what, sizeof(what), "%s %s (from %s) is in the final schema",
						 objects[k].type, name, migrations[i].name);
					check_fail(__FILE__, __LINE__, what);
				}
			}
		}
	}
	test_db_remove(db, dir);
}

/* Versions ascend strictly, so every database applies each migration once. */
static void
test_versions_ascend(void)
{
	int i;

	CHECK(migrations_count >= 2);
	for (i = 1; i < migrations_count; i++)
		CHECK(migrations[i].version > migrations[i - 1].version);
}

int
main(void)
{
	test_versions_ascend();
	test_nothing_lost();
	return check_summary();
}

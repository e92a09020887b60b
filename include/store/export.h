/* export.h: the whole site as tables of rows for `parley export` and `import-json`: what is written, how it is read back. */
#ifndef PARLEY_EXPORT_H
#define PARLEY_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "html.h"

/* The export format this build writes, and the newest it reads. */
#define EXPORT_FORMAT "parley-export"
#define EXPORT_VERSION 1

/*
 * One section of an export: a JSON array of objects, one per row.
 * select_sql names its columns as the objects' fields (the order they are
 * written in is sorted by the writer); json_fields lists the columns that
 * hold JSON text (written as arrays, not strings); insert_sql are the
 * statements run for each object on import, with a named parameter
 * ":field" for each field they read (a missing field is an error).
 * Sections are written and read in table order, so a table comes after
 * the ones it refers to.  Adding a table to the export is adding a row
 * here (and a line to the README's field list).
 */
struct export_section {
	const char *name;
	const char *select_sql;
	const char *const *json_fields;        /* NULL-terminated, or NULL */
	const char *const *insert_sql;         /* NULL-terminated */
};

/* The site: tags, posts, comments, origins, rules, blocks, ... in order. */
const struct export_section *export_site_sections(size_t *n);

/*
 * Is the database empty of posts and comments (import-json's condition)?
 * 1 yes, 0 no, STORE_ERR.
 */
int export_database_empty(struct db *db);

/*
 * Open the import's transaction, its foreign keys checked at the commit
 * (a comment may come before the parent it answers).  STORE_OK or
 * STORE_ERR; the caller commits or rolls back.
 */
int export_import_begin(struct db *db);

/*
 * How export_render_all renders one row's Markdown (the store knows no
 * HTML): into *html, and for a post (comment 0) also into *text, all in a.
 */
typedef void (*export_render_fn)(void *ctx, struct arena *a, const char *md, size_t len,
				 int comment, struct html *html, const char **text);

/*
 * After an import has inserted the rows: render every post's and comment's
 * Markdown with render (as posts_save's and intake's callers do), so
 * nothing in the file is trusted as HTML.  STORE_OK or STORE_ERR.
 */
int export_render_all(struct db *db, export_render_fn render, void *ctx);

/* One value of a row written out or of an object read in, typed as SQLite holds it. */
enum export_type { EXPORT_NULL, EXPORT_INTEGER, EXPORT_REAL, EXPORT_TEXT };
struct export_value {
	const char *name;             /* the column's or field's name */
	enum export_type type;
	int64_t integer;              /* EXPORT_INTEGER */
	double real;                  /* EXPORT_REAL */
	const char *text;             /* EXPORT_TEXT: len bytes, NUL-terminated */
	size_t len;
};

/*
 * Called with each row of a section: its n columns in select_sql's order,
 * valid until the call returns.  0 to go on; anything else stops the walk
 * and is returned.
 */
typedef int (*export_row_fn)(void *ctx, const struct export_value *columns, int n);

/*
 * Walk the rows of section s in order, handing each to row.  Run inside
 * db_read_begin/db_read_end for a consistent snapshot of every section.
 * STORE_OK, STORE_ERR (logged under the section's name), or the nonzero
 * value row returned.
 */
int export_section_rows(struct db *db, const struct export_section *s, export_row_fn row,
			void *ctx);

/*
 * The field named name of the object being read in, into *out (its text,
 * when EXPORT_TEXT, valid until the next call): 0, or -1 when the object
 * has no such field.
 */
typedef int (*export_field_fn)(void *ctx, const char *name, struct export_value *out);

/*
 * Run section s's insert_sql for one object whose fields field gives,
 * inside the caller's transaction.  STORE_OK; STORE_NOTFOUND with the
 * missing field's name in *missing (nothing of the object inserted by
 * that statement); STORE_ERR with the database's reason in *why (valid
 * until the next call on db), or *why NULL when it was logged already.
 */
int export_insert_object(struct db *db, const struct export_section *s, export_field_fn field,
			 void *ctx, const char **missing, const char **why);

#endif

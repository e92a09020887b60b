/* export.h: the whole site as tables of rows for `parley export` and `import-json`: what is written, how it is read back. */
#ifndef PARLEY_EXPORT_H
#define PARLEY_EXPORT_H

#include <stddef.h>

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

#endif

/* cli-export.c: `parley export FILE.json` and `parley import-json FILE.json`, JSON through jansson. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "export.h"
#include "log.h"
#include "render.h"
#include "spam.h"

static int
is_json_field(const struct export_section *s, const char *name)
{
	const char *const *f;

	for (f = s->json_fields; f != NULL && *f != NULL; f++)
		if (strcmp(*f, name) == 0)
			return 1;
	return 0;
}

/* The current row of st as a JSON object (new reference), or NULL when a value is not UTF-8. */
static json_t *
row_object(const struct export_section *s, sqlite3_stmt *st)
{
	json_t *obj = json_object(), *v;
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			v = json_null();
			break;
		case SQLITE_INTEGER:
			v = json_integer((json_int_t)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(st, i));
			break;
		default:
			v = is_json_field(s, name) ?
			    json_loads(db_col_text(st, i), JSON_DECODE_ANY, NULL) :
			    json_stringn(db_col_text(st, i), (size_t)sqlite3_column_bytes(st, i));
			break;
		}
		if (v == NULL) {
			log_error("%s: a value of '%s' is not valid UTF-8 text", s->name, name);
			json_decref(obj);
			return NULL;
		}
		json_object_set_new(obj, name, v);
	}
	return obj;
}

/*
 * Write one section as `"name": [` then one object a line, keys sorted,
 * so the same database always gives the same bytes.  CLI_OK or CLI_FAILED.
 */
static int
write_section(struct cli *c, FILE *f, const struct export_section *s)
{
	sqlite3_stmt *st = db_stmt(c->db, s->select_sql);
	int rc, n = 0;

	if (st == NULL)
		return CLI_FAILED;
	fprintf(f, ",\n\"%s\": [", s->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *obj = row_object(s, st);
		char *text;
		if (obj == NULL) {
			sqlite3_reset(st);
			return CLI_FAILED;
		}
		text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
		fprintf(f, "%s\n%s", n++ ? "," : "", text ? text : "null");
		free(text);
		json_decref(obj);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(c->db, s->name);
		return CLI_FAILED;
	}
	fputs(n ? "\n]" : "]", f);
	return CLI_OK;
}

/* The sections, in one read transaction (a consistent snapshot), as a JSON object. */
static int
write_document(struct cli *c, FILE *f, const struct export_section *sections, size_t n)
{
	static const char begin[] = "BEGIN";
	static const char end[] = "COMMIT";
	sqlite3_stmt *st;
	json_t *head;
	char *text;
	size_t i;
	int rc = CLI_OK;

	if ((st = db_stmt(c->db, begin)) == NULL || db_exec_stmt(c->db, st) != STORE_OK)
		return CLI_FAILED;
	head = json_pack("{s:s, s:i}", "format", EXPORT_FORMAT, "version", EXPORT_VERSION);
	text = head ? json_dumps(head, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(head);
	if (text == NULL) {
		log_error("out of memory");
		rc = CLI_FAILED;
		goto done;
	}
	/* The head's fields, then the sections, in one object. */
	text[strlen(text) - 1] = '\0';
	fputs(text, f);
	free(text);
	for (i = 0; i < n && rc == CLI_OK; i++)
		rc = write_section(c, f, &sections[i]);
	fputs("\n}\n", f);
done:
	if ((st = db_stmt(c->db, end)) != NULL)
		db_exec_stmt(c->db, st);
	return rc;
}

int
cli_export(struct cli *c, int argc, char **argv)
{
	const struct export_section *sections;
	size_t n;
	FILE *f;
	int fd, rc;

	if (argc != 2) {
		log_error("usage: parley export FILE.json  (- for standard output)");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (strcmp(argv[1], "-") == 0)
		f = stdout;
	else {
		/* Commenters' addresses are inside: readable by the owner only. */
		if ((fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
		    (f = fdopen(fd, "w")) == NULL) {
			log_error("%s: %s", argv[1], strerror(errno));
			return CLI_FAILED;
		}
	}
	sections = export_site_sections(&n);
	rc = write_document(c, f, sections, n);
	if (fflush(f) != 0 || ferror(f)) {
		log_error("%s: %s", argv[1], strerror(errno));
		rc = CLI_FAILED;
	}
	if (f != stdout && fclose(f) != 0 && rc == CLI_OK) {
		log_error("%s: %s", argv[1], strerror(errno));
		rc = CLI_FAILED;
	}
	return rc;
}

/* Bind every ":field" of st from obj.  0, or -1 with the missing field's name in *missing. */
static int
bind_fields(sqlite3_stmt *st, json_t *obj, const char **missing)
{
	int i, n = sqlite3_bind_parameter_count(st);

	for (i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		json_t *v = name ? json_object_get(obj, name + 1) : NULL;
		char *text;
		if (v == NULL) {
			*missing = name ? name + 1 : "?";
			return -1;
		}
		switch (json_typeof(v)) {
		case JSON_STRING:
			sqlite3_bind_text(st, i, json_string_value(v), (int)json_string_length(v),
					  SQLITE_TRANSIENT);
			break;
		case JSON_INTEGER:
			sqlite3_bind_int64(st, i, (sqlite3_int64)json_integer_value(v));
			break;
		case JSON_REAL:
			sqlite3_bind_double(st, i, json_real_value(v));
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			sqlite3_bind_int(st, i, json_is_true(v));
			break;
		case JSON_NULL:
			sqlite3_bind_null(st, i);
			break;
		default:
			text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			sqlite3_bind_text(st, i, text ? text : "null", -1, SQLITE_TRANSIENT);
			free(text);
			break;
		}
	}
	return 0;
}

/* Insert every object of one section.  The count in *rows.  CLI_OK or CLI_FAILED after one line. */
/* export_render_fn for import-json: as `parley post add` and comment intake render. */
static void
render_row(void *ctx, struct arena *a, const char *md, size_t len, int comment,
	   struct html *html, const char **text)
{
	const struct cli *c = ctx;

	*html = markdown_html(a, md, len, comment ? MARKDOWN_COMMENT :
			      c->cfg.allow_raw_html ? MARKDOWN_POST_RAW : MARKDOWN_POST);
	if (text != NULL)
		*text = markdown_text(a, md, len);
}

static int
read_section(struct cli *c, const char *path, json_t *root, const struct export_section *s,
	     size_t *rows)
{
	json_t *arr = json_object_get(root, s->name), *obj;
	const char *const *sql;
	const char *missing;
	size_t i;

	if (!json_is_array(arr)) {
		log_error("%s: %s field '%s' (not a complete parley export; nothing imported)", path,
			  arr ? "a wrong" : "no", s->name);
		return CLI_FAILED;
	}
	json_array_foreach(arr, i, obj) {
		if (!json_is_object(obj)) {
			log_error("%s: %s[%zu] is not an object", path, s->name, i);
			return CLI_FAILED;
		}
		for (sql = s->insert_sql; *sql != NULL; sql++) {
			sqlite3_stmt *st = db_stmt(c->db, *sql);
			int rc;
			if (st == NULL)
				return CLI_FAILED;
			if (bind_fields(st, obj, &missing) != 0) {
				sqlite3_reset(st);
				sqlite3_clear_bindings(st);
				log_error("%s: %s[%zu] has no field '%s' (nothing imported)", path,
					  s->name, i, missing);
				return CLI_FAILED;
			}
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc != SQLITE_DONE) {
				log_error("%s: %s[%zu] refused: %s (nothing imported)", path, s->name,
					  i, sqlite3_errmsg(c->db->handle));
				return CLI_FAILED;
			}
		}
	}
	*rows = i;
	return CLI_OK;
}

int
cli_import_json(struct cli *c, int argc, char **argv)
{
	const struct export_section *sections;
	json_error_t jerr;
	json_t *root = NULL, *format, *version;
	size_t n, i, rows[16];
	int empty, rc = CLI_FAILED;

	if (argc != 2) {
		log_error("usage: parley import-json FILE.json");
		return CLI_USAGE;
	}
	if ((root = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		if (jerr.line > 0)
			log_error("%s: line %d, column %d: %s (nothing imported)", argv[1], jerr.line,
				  jerr.column, jerr.text);
		else
			log_error("%s: %s (nothing imported)", argv[1], jerr.text);
		return CLI_FAILED;
	}
	format = json_object_get(root, "format");
	version = json_object_get(root, "version");
	if (!json_is_object(root) || !json_is_string(format) ||
	    strcmp(json_string_value(format), EXPORT_FORMAT) != 0 || !json_is_integer(version)) {
		log_error("%s: not a parley export (no \"format\": \"" EXPORT_FORMAT "\" with a version)",
			  argv[1]);
		goto done;
	}
	if (json_integer_value(version) > EXPORT_VERSION || json_integer_value(version) < 1) {
		log_error("%s: export version %lld, this parley reads version %d (nothing imported)",
			  argv[1], (long long)json_integer_value(version), EXPORT_VERSION);
		goto done;
	}
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		goto done;
	if ((empty = export_database_empty(c->db)) != 1) {
		if (empty == 0)
			log_error("the database already holds posts or comments: import-json loads "
				  "into an empty one (parley --db NEW.db init first)");
		goto done;
	}
	if (db_begin(c->db) != STORE_OK || db_exec(c->db, "PRAGMA defer_foreign_keys = ON") != STORE_OK)
		goto fail;
	sections = export_site_sections(&n);
	for (i = 0; i < n && i < sizeof(rows) / sizeof(rows[0]); i++)
		if (read_section(c, argv[1], root, &sections[i], &rows[i]) != CLI_OK)
			goto fail;
	if (export_render_all(c->db, render_row, c) != STORE_OK)
		goto fail;
	if (db_commit(c->db) != STORE_OK) {
		log_error("%s: a comment's post or parent is missing (nothing imported)", argv[1]);
		goto fail;
	}
	for (i = 0; i < n && i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("%s: %zu\n", sections[i].name, rows[i]);
	/* The classifier's counts follow from the decisions just loaded. */
	if (spam_rebuild(c->db) != STORE_OK)
		log_error("the spam classifier could not be rebuilt: run 'parley init'");
	rc = CLI_OK;
	goto done;
fail:
	db_rollback(c->db);
done:
	json_decref(root);
	return rc;
}

/* cli-export.c: `parley export FILE.json` and `parley import-json FILE.json`: JSON through jansson, rows through the store (store-export.c). */
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

/* What write_row needs: the section being written, its file, the rows so far. */
struct section_writer {
	const struct export_section *s;
	FILE *f;
	int n;
};

/*
 * export_row_fn: one row as a JSON object on its own line, keys sorted.
 * 0, or -1 (logged) when a value is not UTF-8 text.
 */
static int
write_row(void *ctx, const struct export_value *columns, int ncolumns)
{
	struct section_writer *w = ctx;
	json_t *obj = json_object(), *v;
	char *text;
	int i;

	for (i = 0; i < ncolumns; i++) {
		const struct export_value *c = &columns[i];
		switch (c->type) {
		case EXPORT_NULL:
			v = json_null();
			break;
		case EXPORT_INTEGER:
			v = json_integer((json_int_t)c->integer);
			break;
		case EXPORT_REAL:
			v = json_real(c->real);
			break;
		default:
			v = is_json_field(w->s, c->name) ?
			    json_loads(c->text, JSON_DECODE_ANY, NULL) :
			    json_stringn(c->text, c->len);
			break;
		}
		if (v == NULL) {
			log_error("%s: a value of '%s' is not valid UTF-8 text", w->s->name, c->name);
			json_decref(obj);
			return -1;
		}
		json_object_set_new(obj, c->name, v);
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	fprintf(w->f, "%s\n%s", w->n++ ? "," : "", text ? text : "null");
	free(text);
	json_decref(obj);
	return 0;
}

/*
 * Write one section as `"name": [` then one object a line, keys sorted,
 * so the same database always gives the same bytes.  CLI_OK or CLI_FAILED.
 */
static int
write_section(struct cli *c, FILE *f, const struct export_section *s)
{
	struct section_writer w = { s, f, 0 };

	fprintf(f, ",\n\"%s\": [", s->name);
	if (export_section_rows(c->db, s, write_row, &w) != STORE_OK)
		return CLI_FAILED;
	fputs(w.n ? "\n]" : "]", f);
	return CLI_OK;
}

/* The sections, in one read transaction (a consistent snapshot), as a JSON object. */
static int
write_document(struct cli *c, FILE *f, const struct export_section *sections, size_t n)
{
	json_t *head;
	char *text;
	size_t i;
	int rc = CLI_OK;

	if (db_read_begin(c->db) != STORE_OK)
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
	db_read_end(c->db);
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

/* What read_field needs: the object being read in, and the text it last made. */
struct object_reader {
	json_t *obj;
	char *dumped;
};

/*
 * export_field_fn: a field of the JSON object, as SQLite should hold it:
 * strings as text, true and false as 1 and 0, arrays and objects as their
 * JSON text.  0, or -1 when the object has no such field.
 */
static int
read_field(void *ctx, const char *name, struct export_value *out)
{
	struct object_reader *o = ctx;
	json_t *v = json_object_get(o->obj, name);

	if (v == NULL)
		return -1;
	out->name = name;
	switch (json_typeof(v)) {
	case JSON_STRING:
		out->type = EXPORT_TEXT;
		out->text = json_string_value(v);
		out->len = json_string_length(v);
		break;
	case JSON_INTEGER:
		out->type = EXPORT_INTEGER;
		out->integer = (int64_t)json_integer_value(v);
		break;
	case JSON_REAL:
		out->type = EXPORT_REAL;
		out->real = json_real_value(v);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		out->type = EXPORT_INTEGER;
		out->integer = json_is_true(v);
		break;
	case JSON_NULL:
		out->type = EXPORT_NULL;
		break;
	default:
		free(o->dumped);
		o->dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		out->type = EXPORT_TEXT;
		out->text = o->dumped ? o->dumped : "null";
		out->len = strlen(out->text);
		break;
	}
	return 0;
}

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

/* Insert every object of one section.  The count in *rows.  CLI_OK or CLI_FAILED after one line. */
static int
read_section(struct cli *c, const char *path, json_t *root, const struct export_section *s,
	     size_t *rows)
{
	json_t *arr = json_object_get(root, s->name), *obj;
	size_t i;

	if (!json_is_array(arr)) {
		log_error("%s: %s field '%s' (not a complete parley export; nothing imported)", path,
			  arr ? "a wrong" : "no", s->name);
		return CLI_FAILED;
	}
	json_array_foreach(arr, i, obj) {
		struct object_reader o = { obj, NULL };
		const char *missing, *why;
		int rc;

		if (!json_is_object(obj)) {
			log_error("%s: %s[%zu] is not an object", path, s->name, i);
			return CLI_FAILED;
		}
		rc = export_insert_object(c->db, s, read_field, &o, &missing, &why);
		free(o.dumped);
		if (rc == STORE_NOTFOUND) {
			log_error("%s: %s[%zu] has no field '%s' (nothing imported)", path, s->name, i,
				  missing);
			return CLI_FAILED;
		}
		if (rc != STORE_OK) {
			if (why != NULL)
				log_error("%s: %s[%zu] refused: %s (nothing imported)", path, s->name,
					  i, why);
			return CLI_FAILED;
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
	if (export_import_begin(c->db) != STORE_OK)
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

/* cli-import.c: `parley import DIR`: every *.md file of a folder, in name order, as post add. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static int
compare_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Regular files of dir ending in ".md", not hidden, sorted bytewise; in the arena. */
static int
md_files(struct arena *a, const char *dir, char ***out, size_t *len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 16;
	char **names;

	*len = 0;
	if (d == NULL) {
		log_error("%s: %s", dir, strerror(errno));
		return CLI_FAILED;
	}
	names = arena_alloc(a, cap * sizeof(*names));
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct stat sb;
		char *path;

		if (e->d_name[0] == '.' || n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
			continue;
		path = arena_printf(a, "%s/%s", dir, e->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (*len == cap) {
			char **grown = arena_alloc(a, cap * 2 * sizeof(*grown));
			memcpy(grown, names, cap * sizeof(*grown));
			names = grown;
			cap *= 2;
		}
		names[(*len)++] = path;
	}
	closedir(d);
	qsort(names, *len, sizeof(*names), compare_names);
	*out = names;
	return CLI_OK;
}

/*
 * Each file goes in on its own, as `parley post add` would: a bad file is
 * reported as FILE:LINE and the others are still imported.  Ends with a
 * count; exit 1 when any file failed.
 */
int
cli_import(struct cli *c, int argc, char **argv)
{
	char **files;
	size_t n, i, failed = 0;

	if (argc != 2) {
		log_error("usage: parley import DIR");
		return CLI_USAGE;
	}
	if (md_files(&c->arena, argv[1], &files, &n) != CLI_OK)
		return CLI_FAILED;
	if (cli_open_db(c, CLI_WRITE) != CLI_OK)
		return CLI_FAILED;
	for (i = 0; i < n; i++)
		if (cli_post_add_file(c, files[i]) != CLI_OK)
			failed++;
	printf("imported %zu post%s", n - failed, n - failed == 1 ? "" : "s");
	if (failed)
		printf(", %zu file%s failed", failed, failed == 1 ? "" : "s");
	printf("\n");
	if (failed)
		log_error("%zu of %zu files failed", failed, n);
	return failed ? CLI_FAILED : CLI_OK;
}

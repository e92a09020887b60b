/* mustache-load.c: a folder of NAME.mustache files loaded into a template set. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mustache-impl.h"

static void mu_errorf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
mu_errorf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Read the file name in the folder dfd into *data, a heap buffer the caller
 * frees.  Returns 1 when read, 0 when it is not a regular file (skipped),
 * or -1 with errno set.
 */
static int
mu_file_read(int dfd, const char *name, char **data, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd, saved, rc = -1;

	*data = NULL;
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		rc = 0;
		goto out;
	}
	if ((*data = malloc((size_t)st.st_size + 1)) == NULL)
		die("out of memory");
	while (off < (size_t)st.st_size) {
		n = read(fd, *data + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto out;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	(*data)[off] = '\0';
	*len = off;
	rc = 1;
out:
	saved = errno;
	if (rc != 1) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	errno = saved;
	return rc;
}

static int
mu_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mu_set_load_dir(struct mu_set *set, const char *dir, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, *src, *label;
	size_t nnames = 0, cap = 0, len, slen = strlen(MU_SUFFIX), i;
	int rc = -1, loaded = 0, got;

	if ((d = opendir(dir)) == NULL) {
		mu_errorf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* Sorted, so loading and its first error do not depend on readdir. */
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= slen ||
		    strcmp(de->d_name + len - slen, MU_SUFFIX) != 0)
			continue;
		names = mu_grow(names, &cap, nnames, sizeof(*names));
		if ((names[nnames++] = strdup(de->d_name)) == NULL)
			die("out of memory");
	}
	if (nnames > 0)
		qsort(names, nnames, sizeof(*names), mu_name_cmp);

	for (i = 0; i < nnames; i++) {
		if ((got = mu_file_read(dirfd(d), names[i], &src, &len)) == 0)
			continue;
		if (got == -1) {
			mu_errorf(err, errlen, "%s/%s: %s", dir, names[i],
			    strerror(errno));
			goto out;
		}
		if (asprintf(&label, "%s/%s", dir, names[i]) == -1)
			die("out of memory");
		names[i][strlen(names[i]) - slen] = '\0';
		if (mu_set_add_labelled(set, names[i], label, src, len, err,
		    errlen) == -1) {
			free(label);
			free(src);
			goto out;
		}
		free(label);
		free(src);
		loaded++;
	}
	rc = loaded;
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

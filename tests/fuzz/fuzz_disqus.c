/* fuzz_disqus.c: libFuzzer target for import-disqus's reader: the streaming Disqus reader and each message to Markdown. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "wxr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s)
{
	if (s == NULL || !utf8_valid_text(s, strlen(s)))
		abort();
}

/* Every field the importer reads is acceptable text. */
static int
on_thread(void *ctx, const struct dsq_thread *t)
{
	(void)ctx;
	check_text(t->id);
	check_text(t->ident);
	check_text(t->link);
	check_text(t->title);
	return 0;
}

/* As the importer does: the message becomes Markdown, which is acceptable text. */
static int
on_post(void *ctx, const struct dsq_post *p)
{
	struct arena *a = ctx;
	const char *md;

	check_text(p->id);
	check_text(p->thread);
	check_text(p->parent);
	check_text(p->created);
	check_text(p->name);
	check_text(p->email);
	check_text(p->username);
	check_text(p->ip);
	check_text(p->message);
	md = wxr_html_to_markdown(a, p->message, strlen(p->message), NULL);
	check_text(md);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	char err[512];

	arena_init(&a);
	err[0] = '\0';
	if (dsq_read_memory((const char *)data, size, on_thread, on_post, &a, err, sizeof(err)) < 0 &&
	    (err[0] == '\0' || strchr(err, '\n') != NULL))
		abort();        /* a failure always says why, in one line */
	arena_free(&a);
	return 0;
}

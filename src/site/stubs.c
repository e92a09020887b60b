/* stubs.c: placeholders until each page family lands in its own file (delete as they do). */
#include "site.h"

int site_index(struct req *r) { (void)r; return 404; }
int site_page(struct req *r) { (void)r; return 404; }
int site_post(struct req *r) { (void)r; return 404; }
int site_tag(struct req *r) { (void)r; return 404; }
int site_search(struct req *r) { (void)r; return 404; }
int site_feed(struct req *r) { (void)r; return 404; }
int site_sitemap(struct req *r) { (void)r; return 404; }

/* comment.c: placeholder for comment intake and threads until they land. */
#include "site.h"

int site_comment_feed(struct req *r) { (void)r; return 404; }
int site_comment_post(struct req *r) { (void)r; return 404; }
int site_post_comments(struct req *r, const struct post *p, struct mu_map *ctx)
{ (void)r; (void)p; (void)ctx; return 0; }
const char *site_comment_etag_extra(struct req *r) { (void)r; return ""; }

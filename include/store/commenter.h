/* commenter.h: everything held about one commenter's email address: its export and its erasure. */
#ifndef PARLEY_COMMENTER_H
#define PARLEY_COMMENTER_H

#include "arena.h"
#include "db.h"

/*
 * Everything stored about one commenter (by email, compared without
 * case), as one JSON object in a (`parley comments export --email`):
 * their comments (with parent, address hash, the classifier's standing
 * and import origin), their subscriber row (confirmation state) and
 * subscriptions, the mail to or about them and the mail events of their
 * comments, the blocks on the email or on their comments' address
 * hashes, the likes and rate-limit events from those hashes, the form
 * tokens that brought their comments, and the audit rows about their
 * comments or naming the email.  parley(1) lists the fields.  STORE_OK or
 * STORE_ERR.
 */
/* Adds names_address(TEXT, EMAIL) to a connection (whole addresses, any case). */
int commenter_sql_functions(sqlite3 *handle);

int commenter_export(struct db *db, struct arena *a, const char *email, const char **json);

/* What commenter_erase changed. */
struct commenter_erased {
	int comments;       /* comments whose personal fields were blanked */
	int subscriptions;  /* subscriptions removed with the subscriber */
	int mails;          /* mail to or naming the address removed */
	int likes;          /* likes whose address hash was blanked */
};

/*
 * Remove all of it (`parley comments erase --email`), in one transaction:
 * comments_erase_email, the subscriber with its subscriptions and events,
 * the mail, the rate-limit events and form tokens of the comments'
 * address hashes and ids, and the address hash of the likes from them
 * (the likes are still counted).  Blocks on the address hashes stay: they
 * are the site's defence and name nobody once the comments no longer hold
 * the hash.  Afterwards commenter_export finds nothing.  STORE_OK or
 * STORE_ERR (nothing changed).
 */
int commenter_erase(struct db *db, const char *email, struct commenter_erased *out);

/*
 * The comments' part of commenter_erase: for every comment with this
 * email, blank email, website and ip_hash and set the author to
 * "(erased)"; drop the email from the block list; take the email and the
 * names out of the audit log (audit_erase).  The text of the comments
 * stays.  *count receives the number of comments changed.  Call it inside
 * a transaction.  STORE_OK or STORE_ERR.
 */
int comments_erase_email(struct db *db, const char *email, int *count);

#endif

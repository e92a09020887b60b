/* cli-spam.c: `parley spam stats`: what the classifier learned, and how well it does on the site's own decisions. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "spam.h"

/* Folds of the cross-validation. */
#define STATS_FOLDS 10

/* "97.5%" of part in whole, or "n/a" when whole is 0; in buf. */
static const char *
percent(char *buf, size_t size, int64_t part, int64_t whole)
{
	if (whole <= 0)
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

static int
spam_stats(struct cli *c)
{
	struct spam_cv cv;
	uint32_t ham, spam;
	char precision[16], recall[16], fp[16];
	int min = c->cfg.spam_min_examples;

	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (spam_totals(c->db, &ham, &spam) != STORE_OK ||
	    spam_cross_validate(c->db, STATS_FOLDS, c->cfg.spam_threshold, &cv) != STORE_OK) {
		log_error("could not read the spam classifier's counts");
		return CLI_FAILED;
	}
	printf("decisions learned: %u approved (not spam), %u spam\n", (unsigned)ham, (unsigned)spam);
	if (ham >= (uint32_t)min && spam >= (uint32_t)min)
		printf("classifier: acting (at least %d of each); comments above %.2f are filed as spam\n",
		       min, c->cfg.spam_threshold);
	else
		printf("classifier: holding back until it has learned %d of each"
		       " (%u more approved, %u more spam)\n", min,
		       ham < (uint32_t)min ? (unsigned)(min - (int)ham) : 0,
		       spam < (uint32_t)min ? (unsigned)(min - (int)spam) : 0);
	if (cv.folds == 0) {
		printf("cross-validation: too few decisions to measure\n");
		return CLI_OK;
	}
	printf("cross-validation (%d folds, threshold %.2f, %lld decisions):\n", cv.folds,
	       c->cfg.spam_threshold, (long long)(cv.ham + cv.spam));
	printf("  precision %s (of the comments it would file as spam, how many were spam)\n",
	       percent(precision, sizeof(precision), cv.caught, cv.caught + cv.false_alarms));
	printf("  recall    %s (of the spam, how much it would catch: %lld of %lld)\n",
	       percent(recall, sizeof(recall), cv.caught, cv.spam), (long long)cv.caught,
	       (long long)cv.spam);
	printf("  approved comments it would file as spam: %s (%lld of %lld)\n",
	       percent(fp, sizeof(fp), cv.false_alarms, cv.ham), (long long)cv.false_alarms,
	       (long long)cv.ham);
	return CLI_OK;
}

int
cli_spam(struct cli *c, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "stats") == 0)
		return spam_stats(c);
	log_error("usage: parley spam stats");
	return CLI_USAGE;
}

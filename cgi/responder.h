/* responder.h: the start-up both FastCGI responders share (cgi/responder.c). */
#ifndef PARLEY_RESPONDER_H
#define PARLEY_RESPONDER_H

#include "http.h"

/*
 * The whole main() of a responder: flags (--config, --db, --templates,
 * --workers, --user, --listen, --socket-group, --request-timeout,
 * --log-level, --help, --version), configuration, templates, then
 * http_serve, which calls back here to reload on SIGHUP.  Returns the exit status: 2 for bad flags, configuration,
 * templates or database.
 */
int responder_main(int argc, char **argv, const struct app *app);

#endif

/* mail.h: notes to moderators through the configured mail command (sendmail -t). */
#ifndef PARLEY_MAIL_H
#define PARLEY_MAIL_H

struct config;

/*
 * Send a plain-text message to cfg->moderator_emails through
 * cfg->mail_command (run by /bin/sh, the message on its standard input,
 * recipients in the headers as `sendmail -t` expects).  Does not wait for
 * the command: responders reap children automatically (SIGCHLD ignored).
 * CR and LF in subject are replaced, so no header can be injected.
 * Returns 0 when the command was started (or there is nobody to tell), -1
 * after logging why not.
 */
int mail_moderators(const struct config *cfg, const char *subject, const char *body);

#endif

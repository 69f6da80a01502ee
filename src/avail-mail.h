/* Availability by mail: the commands members write to
 * LOCAL+availability@DOMAIN (or as the first lines of a reply to a
 * prompt), the .ics files they attach, the `who` command, and the
 * out-of-office auto-replies that say when someone is back.
 *
 *   zone Europe/Lisbon              hours 08:00-16:00     days mon-thu
 *   ooo 2026-12-20..2027-01-03      ooo clear
 *   deep work mon-fri 09:00-12:00   deep work clear
 *   status traveling until friday   status clear
 *
 * A mail is taken whole or not at all: when any line (or attached
 * calendar) cannot be read, nothing changes and the answer names each
 * line at fault and why.  Every answer says what tidings now holds for
 * the person (templates/availability.txt). */
#ifndef TIDINGS_AVAIL_MAIL_H
#define TIDINGS_AVAIL_MAIL_H

#include <glib.h>

#include "message.h"

/* What one mail may make tidings store: past these, the mail is kept
 * and what it says within them is applied, and the rest is not read (the
 * calendars after the first AVAIL_MAX_CALENDARS) or not stored (whole
 * events after the first AVAIL_MAX_BLOCKS blocks of time); the mail's
 * note and the answer say what was left out. */
#define AVAIL_MAX_CALENDARS 10
#define AVAIL_MAX_BLOCKS 2000

struct take;
struct tidings_ctx;
struct ical_result;
struct person;
struct store;

/* avail_mail_take(), the handler of availability and who, is declared
 * with the mail commands' (mail-command.h). */

/* The calendars of the mail T takes, read for the member it speaks for
 * ahead of the transaction that applies them (taker.h's prepare); NULL
 * when there is nothing to read.  avail_mail_take() finds them in
 * t->prepared.  Free with avail_prepared_free(). */
gpointer avail_mail_prepare(struct tidings_ctx *env, const struct take *t);
void avail_prepared_free(gpointer prepared);

/* An out-of-office auto-reply from a member that says when they are back
 * marks them away until then (source autoreply); it is never answered. */
gboolean avail_take_autoreply(struct tidings_ctx *env, struct take *t,
    GError **error);

/*
 * Applies the command LINES (NULL-terminated) and the calendars ICS (of
 * struct ical_result *, may be NULL) to P, all or nothing, as SOURCE
 * (mail or cli).  Each line that cannot be read adds "line N: "LINE":
 * why" to BAD (then nothing is changed); each change done adds a line to
 * DONE (may be NULL).  FALSE only with error set, on a store failure.
 */
gboolean avail_apply(struct store *st, struct person *p, char **lines,
    GPtrArray *ics, const char *source, gint64 now, GPtrArray *bad,
    GPtrArray *done, GError **error);

/* Stores what calendar R says for P (as avail_apply does). */
gboolean avail_apply_ics(struct store *st, struct person *p,
    const struct ical_result *r, gint64 now, GError **error);

/* The day an out-of-office TEXT says the person is back (the start of it,
 * in ZONE), or 0: "back on Monday 5 January", "returning 2027-01-05",
 * "until 3 January" (back the day after), "zurück am 5. Januar". */
gint64 avail_return_date(const char *text, const char *zone, gint64 now);

/* What tidings holds for P, as template variables (zone, local_now, hours,
 * days, status, away, deep). */
struct render_vars;
gboolean avail_vars(struct store *st, const struct person *p, gint64 now,
    struct render_vars *v, GError **error);

#endif

/* Check-ins at work: asking each member at the right local time, reminding
 * those who have not answered, closing what is over.  What members answer
 * is taken by take-answer.c and take-command.c.
 *
 * Everything tidings says here goes to the outbox in the same transaction
 * as the change that causes it: a prompt row is claimed and its mail
 * queued together, or neither. */
#ifndef TIDINGS_CHECKIN_H
#define TIDINGS_CHECKIN_H

#include <glib.h>

#include "message.h"

struct tidings_ctx;

struct checkin_stats {
	guint prompted;		/* prompts queued */
	guint skipped;		/* occurrences skipped: not a workday, away,
				   paused */
	guint reminded;
	guint closed;		/* prompts closed unanswered */
};

/* Asks everyone whose prompt is due at NOW (or was due within catch-up),
 * sends the reminders that are due and closes what is over.  Each prompt
 * is claimed once, in its own transaction with its mail. */
gboolean checkin_tick(struct tidings_ctx *env, gint64 now,
    struct checkin_stats *stats, GError **error);

/* When the next prompt or reminder is due after NOW, or 0 when nothing is
 * scheduled. */
gint64 checkin_next_due(struct tidings_ctx *env, gint64 now, GError **error);

/* The mail that the next prompt of each of EMAIL's check-ins (or of
 * check-in CHECKIN alone, when not 0) would be (not stored, not sent), in
 * a GPtrArray of GBytes; *when gets the first one's time. */
GPtrArray *checkin_preview(struct tidings_ctx *env, const char *email,
    gint64 checkin,
    gint64 now, gint64 *when, GError **error);

#endif

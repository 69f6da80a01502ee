/* Takers: what tidings does with a received mail once the filters have
 * read it (answers, mail commands, availability, meeting replies, list
 * requests and bounces, digest comments).  src/takers.c holds their
 * ordered table and the dispatcher; each taker is one file, take-*.c. */
#ifndef TIDINGS_TAKER_H
#define TIDINGS_TAKER_H

#include <glib.h>

#include "message.h"

/* One received mail as it is taken: handed to the taker, and to every
 * flow that may answer it (replies.h). */
struct take {
	const struct message *msg;
	gint64 id;		/* the stored mail's */
	gint64 now;
	/* The memo of the reply policy (reply_may()): 0 not weighed yet,
	 * 1 it may be answered, -1 it may not. */
	int may_answer;
};

#endif

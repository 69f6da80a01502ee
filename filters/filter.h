/* The filter interface.  Each filter is one file exporting one
 * const struct filter; filters.c runs them in order on every parsed mail.
 * A filter reads and annotates struct message: it knows nothing of sockets
 * or SQL. */
#ifndef TIDINGS_FILTER_H
#define TIDINGS_FILTER_H

#include <glib.h>

#include "message.h"

enum verdict {
	FILTER_NEXT,	/* go on with the next filter */
	FILTER_DONE,	/* the mail is handled; stop */
	FILTER_DROP,	/* nothing more to do; the raw mail is kept, with why */
	FILTER_DEFER,	/* a temporary failure: try the whole mail again later */
};

/* Every mail tidings sends carries this header, so that it knows its own
 * mail when it comes back. */
#define FILTER_MARKER_HEADER "X-Tidings"

struct conf;

/* What filters may consult besides the message. */
struct filter_ctx {
	const struct conf *conf;
	const char *address;	/* tidings' own address, or NULL */
	GError *error;		/* set by a filter that defers */
};

struct filter {
	const char *name;
	enum verdict (*run)(struct message *msg, struct filter_ctx *ctx);
};

extern const struct filter filter_loop;
extern const struct filter filter_autoreply;
extern const struct filter filter_bounce;
extern const struct filter filter_quote;
extern const struct filter filter_signature;
extern const struct filter filter_exec;

/* Runs every filter in order until one ends the pipeline; returns the last
 * verdict (FILTER_NEXT when every filter passed). */
enum verdict filters_run(struct message *msg, struct filter_ctx *ctx);
const char *filter_verdict_name(enum verdict v);

#endif

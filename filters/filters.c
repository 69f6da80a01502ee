/* The pipeline: the filters in the order they run. */
#include "config.h"

#include <string.h>

#include "filter.h"
#include "log.h"
#include "subject.h"

/* Machines first, so that nothing after them answers one; the reply text
 * is cut before the external program sees the verdicts.  auth only notes
 * what a trusted server says of the sender, for checkin.c to weigh.  The
 * filters that run at commit come last (filters_prepare() stops at the
 * first of them). */
static const struct filter *const filters[] = {
	&filter_loop,
	&filter_auth,
	&filter_bounce,
	&filter_autoreply,
	&filter_quote,
	&filter_signature,
	&filter_answer,
	&filter_exec,
};

/* What a mail no filter claimed is: a reply when it answers something. */
static void
classify(struct message *msg)
{
	if (msg->kind != MESSAGE_UNPROCESSED)
		return;
	subject_key_prepare(msg);
	if (msg->subject_reply || msg->in_reply_to != NULL ||
	    (msg->references != NULL && msg->references->len > 0))
		msg->kind = MESSAGE_REPLY;
	else
		msg->kind = MESSAGE_OTHER;
}

static enum verdict
run_one(const struct filter *f, struct message *msg, struct filter_ctx *ctx)
{
	enum verdict v = f->run(msg, ctx);

	log_trace(TRACE_FILTER, "<%s>: filter %s: %s%s%s", msg->message_id,
	    f->name, filter_verdict_name(v), msg->reason != NULL ? ": " : "",
	    msg->reason != NULL ? msg->reason : "");
	return v;
}

enum verdict
filters_prepare(struct message *msg, struct filter_ctx *ctx)
{
	enum verdict v = FILTER_NEXT;

	for (size_t i = 0; i < G_N_ELEMENTS(filters) && v == FILTER_NEXT &&
	    !filters[i]->at_commit; i++)
		v = run_one(filters[i], msg, ctx);
	return v;
}

enum verdict
filters_finish(struct message *msg, struct filter_ctx *ctx, enum verdict v)
{
	for (size_t i = 0; i < G_N_ELEMENTS(filters) && v == FILTER_NEXT; i++)
		if (filters[i]->at_commit)
			v = run_one(filters[i], msg, ctx);
	classify(msg);
	return v == FILTER_DONE ? FILTER_NEXT : v;
}

enum verdict
filters_run(struct message *msg, struct filter_ctx *ctx)
{
	return filters_finish(msg, ctx, filters_prepare(msg, ctx));
}

const char *
filter_verdict_name(enum verdict v)
{
	switch (v) {
	case FILTER_NEXT: return "next";
	case FILTER_DONE: return "done";
	case FILTER_DROP: return "drop";
	case FILTER_DEFER: return "defer";
	}
	return "?";
}

/* loop: mail tidings sent itself, come back (a Bcc, a list echo, a
 * forwarding loop).  Everything tidings sends carries its marker header. */
#include "config.h"

#include <string.h>

#include "filter.h"

static gboolean
is_own_address(const char *addr, const char *own)
{
	const char *at, *own_at;
	size_t local;

	if (addr == NULL || own == NULL)
		return FALSE;
	if (g_ascii_strcasecmp(addr, own) == 0)
		return TRUE;
	/* LOCAL+anything@DOMAIN is ours too. */
	at = strrchr(addr, '@');
	own_at = strrchr(own, '@');
	local = (size_t)(own_at - own);
	return at != NULL && own_at != NULL &&
	    g_ascii_strcasecmp(at, own_at) == 0 &&
	    g_ascii_strncasecmp(addr, own, local) == 0 && addr[local] == '+';
}

static enum verdict
loop_run(struct message *msg, struct filter_ctx *ctx)
{
	const char *why = NULL;

	if (message_header(msg, FILTER_MARKER_HEADER) != NULL)
		why = "sent by tidings (" FILTER_MARKER_HEADER ")";
	else if (is_own_address(msg->from, ctx->address))
		why = "from tidings' own address";
	if (why == NULL)
		return FILTER_NEXT;
	msg->kind = MESSAGE_SENT;
	msg->auto_generated = TRUE;
	g_free(msg->reason);
	msg->reason = g_strdup(why);
	return FILTER_DROP;
}

const struct filter filter_loop = {
	.name = "loop",
	.run = loop_run,
};

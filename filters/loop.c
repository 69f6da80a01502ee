/* loop: mail tidings sent itself, come back (a Bcc, a list echo, a
 * forwarding loop).  Everything tidings sends carries its marker header. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "detect.h"
#include "filter.h"
#include "token.h"

gboolean
detect_own_address(const char *addr, const char *own, const char *domain)
{
	g_autofree char *at_own = NULL, *at_domain = NULL;

	if (addr == NULL || own == NULL)
		return FALSE;
	if (g_ascii_strcasecmp(addr, own) == 0)
		return TRUE;
	/* LOCAL+anything@ is ours too, at the address's domain and at that
	 * of the reply addresses. */
	at_own = token_subaddress(addr, own, NULL);
	if (at_own == NULL && domain != NULL)
		at_domain = token_subaddress(addr, own, domain);
	return at_own != NULL || at_domain != NULL;
}

static enum verdict
loop_run(struct message *msg, struct filter_ctx *ctx)
{
	struct detect d;
	const char *domain = ctx->domain;

	/* Ahead of the store, the context has no domain yet. */
	if (domain == NULL && ctx->conf != NULL)
		domain = conf_get(ctx->conf, "tidings", "domain");
	detect_machine(msg, ctx->address, domain, &d);
	if (d.sender != DETECT_TIDINGS)
		return FILTER_NEXT;
	msg->kind = MESSAGE_SENT;
	msg->auto_generated = TRUE;
	g_free(msg->reason);
	msg->reason = g_strdup(d.why);
	return FILTER_DROP;
}

const struct filter filter_loop = {
	.name = "loop",
	.run = loop_run,
};

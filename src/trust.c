/* The trust rule; see trust.h. */
#include "config.h"

#include "token.h"
#include "trust.h"

gboolean
trust_same_address(const char *a, const char *b)
{
	return a != NULL && b != NULL && g_ascii_strcasecmp(a, b) == 0;
}

gboolean
trust_vouched(const struct message *msg, const char *token, char **why)
{
	if (token != NULL && msg->token != NULL &&
	    token_equal(msg->token, token)) {
		*why = g_strdup("from the member, to their reply address");
		return TRUE;
	}
	if (msg->auth_id != NULL && (msg->dkim_aligned || msg->dmarc_pass)) {
		*why = g_strdup_printf("from the member, authenticated by %s "
		    "(%s)", msg->auth_id, msg->auth_result);
		return TRUE;
	}
	*why = g_strdup_printf("from the member's address, but not to their "
	    "reply address and %s", msg->auth_id != NULL ? "without a DKIM or "
	    "DMARC pass for its domain" : "without a trusted "
	    "Authentication-Results header");
	return FALSE;
}

/* The trust rule; see trust.h. */
#include "config.h"

#include "store.h"
#include "store-checkin.h"
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

gboolean
trust_verdict(struct store *st, const struct message *msg, char **why)
{
	g_autoptr(Prompt) p = NULL;

	if (msg->from == NULL) {
		*why = g_strdup("it has no From address");
		return FALSE;
	}
	if (msg->prompt_person != NULL &&
	    !trust_same_address(msg->from, msg->prompt_person)) {
		*why = g_strdup_printf("sent by %s, but the prompt asked %s",
		    msg->from, msg->prompt_person);
		return FALSE;
	}
	if (msg->prompt_id != 0)
		p = store_prompt_get(st, msg->prompt_id, NULL);
	return trust_vouched(msg, p != NULL ? p->token : NULL, why);
}

gboolean
trust_verdict_proof(struct store *st, const struct message *msg,
    gboolean holds, const char *proof, char **why)
{
	g_autofree char *rule = NULL;

	if (holds) {
		*why = g_strdup(proof);
		return TRUE;
	}
	if (trust_verdict(st, msg, &rule)) {
		*why = g_steal_pointer(&rule);
		return TRUE;
	}
	*why = proof != NULL ? g_strdup_printf("%s, and %s", proof, rule) :
	    g_steal_pointer(&rule);
	return FALSE;
}

/* The bounce filter: recognises delivery failure reports and lists the
 * recipients that failed, so that dead addresses can be disabled.
 *
 * The sources, in the order they are trusted: the message/delivery-status
 * part of an RFC 3464 report; Amazon SES's JSON; then, for mail from a
 * mail system or with a failure subject, the notice as text: delivery
 * status fields that lost their MIME part, X-Failed-Recipients, the
 * addresses the notice lists (qmail, Exim, Postfix, Sendmail, Exchange,
 * Gmail, Yahoo and the rest all put them first on a line or after a
 * label), a bounce it forwards, and last the returned message's own To.
 * Nothing here knows one server from another: the rules are about the
 * shapes that notices share.  Every scan is linear in the notice, which
 * is read only so far (NOTICE_MAX). */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "detect.h"
#include "filter.h"
#include "verp.h"

/* Longer reports are not read past this: real notices are short, and the
 * returned message after them is not ours to scan. */
#define NOTICE_MAX (64 * 1024)
/* Diagnostics are kept to this many bytes. */
#define DIAGNOSTIC_MAX 400
/* Lines of a notice are cut to this many bytes. */
#define NOTICE_LINE_MAX 4096
/* A notice is not read for more failed recipients than this: tidings
 * sends to a person or a list, and a hostile notice must stay cheap. */
#define RECIPIENTS_MAX 256

/* What a scan of one report gathers. */
struct scan {
	const struct message *msg;
	GPtrArray *out;		/* of struct bounce_recipient * */
	GHashTable *seen;	/* lower-case address -> its recipient */
	GHashTable *ours;	/* lower-case addresses of the sender side */
	gboolean delayed;	/* the whole notice is a delay warning */
	guint delays;		/* delivery status blocks of Action: delayed */
	struct bounce_recipient *spare;	/* see recipient_add() */
};

static gboolean bounce_detect_depth(const struct message *msg,
    GPtrArray **recipients, int depth);

/* --- addresses ------------------------------------------------------- */

static gboolean
local_char(char c)
{
	/* "/" is allowed but found in paths far more than in addresses. */
	return g_ascii_isalnum(c) || (c != '\0' &&
	    strchr("!#$%&*+-=?^_{|}~.", c) != NULL);
}

static gboolean
domain_char(char c)
{
	return g_ascii_isalnum(c) || c == '-' || c == '.';
}

/* Finds the next thing in S that looks like an address: sets *START and
 * *LEN and returns TRUE.  Linear in the length of S. */
static gboolean
addr_next(const char *s, const char **start, size_t *len)
{
	const char *at = s;

	while ((at = strchr(at, '@')) != NULL) {
		const char *b = at, *e = at + 1;
		while (b > s && local_char(b[-1]))
			b--;
		while (*b == '.')
			b++;
		while (domain_char(*e))
			e++;
		while (e > at + 1 && (e[-1] == '.' || e[-1] == '-'))
			e--;
		if (b < at && e > at + 1 && at[1] != '.' && at[1] != '-' &&
		    memchr(at + 1, '.', (size_t)(e - at - 1)) != NULL) {
			*start = b;
			*len = (size_t)(e - b);
			return TRUE;
		}
		at++;
	}
	return FALSE;
}

/* The first address in S, lower case, or NULL. */
static char *
addr_first(const char *s)
{
	const char *b;
	size_t len;

	if (s == NULL || !addr_next(s, &b, &len))
		return NULL;
	return g_ascii_strdown(b, (gssize)len);
}

static void
ours_add(struct scan *s, const char *addr)
{
	if (addr != NULL && *addr != '\0')
		g_hash_table_add(s->ours, g_ascii_strdown(addr, -1));
}

static void
ours_add_all(struct scan *s, const GPtrArray *list)
{
	for (guint i = 0; list != NULL && i < list->len; i++)
		ours_add(s, list->pdata[i]);
}

/* --- status and severity --------------------------------------------- */

/* The first enhanced status code (RFC 3463) in TEXT, as "5.1.1", or NULL;
 * with FAILED, the first of a failure (4.x.x or 5.x.x), as transcripts
 * hold the successful steps too.  Dotted numbers inside longer ones (IP
 * addresses, versions) do not count. */
static char *
status_find(const char *text, gboolean failed)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++) {
		const char *q = p;
		int dots = 0, digits = 0;

		if ((*p != '4' && *p != '5' && (failed || *p != '2')) ||
		    (p > text && (g_ascii_isalnum(p[-1]) || p[-1] == '.')))
			continue;
		q++;
		while (*q == '.' || g_ascii_isdigit(*q)) {
			if (*q == '.') {
				if (digits == 0 && q != p + 1)
					break;
				dots++;
				digits = 0;
			} else if (++digits > 3)
				break;
			q++;
		}
		while (q > p && q[-1] == '.') {
			q--;
			dots--;
		}
		if (dots == 2 && p[1] == '.' && !g_ascii_isalnum(*q) &&
		    !(q[0] == '.' && g_ascii_isdigit(q[1])))
			return g_strndup(p, (size_t)(q - p));
	}
	return NULL;
}

/* The class digit of the first SMTP reply code (4xx or 5xx) in TEXT, or
 * 0. */
static char
reply_class_find(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++) {
		if ((*p != '4' && *p != '5') || !g_ascii_isdigit(p[1]) ||
		    !g_ascii_isdigit(p[2]) || p[1] > '5')
			continue;
		if (p > text && (g_ascii_isalnum(p[-1]) || p[-1] == '.' ||
		    p[-1] == '#'))
			continue;
		if (p[3] == ' ' || p[3] == '-' || p[3] == ',' || p[3] == '\0' ||
		    p[3] == '\n' || p[3] == '\r')
			return *p;
	}
	return 0;
}

static gboolean
has_any(const char *lower, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strstr(lower, *words) != NULL)
			return TRUE;
	return FALSE;
}

/* The lines of at most the first MAX bytes of TEXT, without their line
 * ends; the rest is left unread.  Caller frees with g_strfreev(). */
static char **
lines_split(const char *text, gsize max)
{
	GPtrArray *out = g_ptr_array_new();
	const char *p = text, *end = text + strnlen(text, max);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;
		g_ptr_array_add(out, g_strndup(p, (gsize)(e - p)));
		p = nl != NULL ? nl + 1 : end;
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* What the words of a failure say, tried in this order: words that it is
 * not about the address even when they also say "unknown" (a full
 * mailbox, the sender's own address, a rate limit), words that the
 * address is dead, and words of a block or a policy that must win over a
 * code like 5.1.1 that some servers send for everything. */
static const char *const severity_soft[] = {
	"mailbox (is )?full", "quota", "insufficient (storage|disk|space)",
	"storage (space|limit)", "mailbox size", "too many", "out of storage",
	"disk full", "exceed", "try again later", "not found, try again",
	"temporar", "sender address", "domain of sender", "sender domain",
	"sender verif", "after mail from", "rate limit", "may not exist",
};

static const char *const severity_dead[] = {
	"user unknown", "unknown user", "no such (user|mailbox|recipient|"
	    "address|domain|account)", "unknown (local |e-?mail )?(recipient|"
	    "mailbox|address|alias)", "recipient unknown", "invalid recipient",
	"(recipient|user|mailbox|address|account) not found",
	"user .{0,40} not found", "does ?n[o']t exist", "not exist",
	"no mailbox", "mailbox unavailable", "unknown or illegal alias",
	"addressee unknown", "not a valid (mailbox|user|recipient)",
	"invalid (mailbox|address|user|domain)", "not listed in",
	"user doesn't have", "is not a known user", "no longer",
	"has moved", "host unknown", "unknown host", "host .{0,80}not found",
	"domain .{0,60}(not found|does not exist)", "unrout(e)?able",
	"name or service not known", "nxdomain", "bad destination",
	"no valid recipients", "account is unavailable", "account does not",
	"no mx record", "mail exchanger", "no smtp service",
	"does not accept mail", "domain is not reachable",
	"unknown or invalid", "invalid final delivery",
	"recipient name is not recogni[sz]ed",
	/* Exchange Online's answer for a recipient not in its directory. */
	"recipient address rejected: access denied",
};

/* A refusal at the end of the message data came after the server had
 * accepted the recipient: whatever it says, the address exists, and it
 * was the message (a filter, a late check) that was refused.  Unless the
 * transcript shows the recipient refused too (with pipelining, that
 * answer may come after DATA was sent). */
static const char *const severity_data[] = {
	"end of data", "after data", ">>> data", "reply to data",
	"smtp command\\W{0,8}data\\b", "did not like our final data",
	"after end of data",
};

/* Words that say the address is refused, which means dead unless a
 * reason of policy comes with them. */
static const char *const severity_refused[] = {
	"address rejected", "mailbox unavailable", "invalid address",
};

static const char *const severity_blocked[] = {
	"black ?list", "block ?list", "blocked", "spam", "policy",
	"reputation", "dnsbl", "\\brbl\\b", "\\bspf\\b", "dkim", "dmarc",
	"relay", "virus", "content", "authenticat", "refused", "denied",
};

static GRegex *
severity_regex(const char *const *list, guint n)
{
	GString *re = g_string_new("(?:");
	GRegex *r;

	for (guint i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(re, '|');
		g_string_append(re, list[i]);
	}
	g_string_append_c(re, ')');
	r = g_regex_new(re->str, G_REGEX_CASELESS | G_REGEX_OPTIMIZE |
	    G_REGEX_RAW, 0, NULL);
	g_assert(r != NULL);
	g_string_free(re, TRUE);
	return r;
}

/* The subject and detail of enhanced codes that say the address is dead:
 * bad mailbox, bad system, moved, no route, no mail accepted (null MX,
 * RFC 7505). */
static gboolean
status_is_dead_address(const char *status)
{
	static const char *const dead[] = { "1.1", "1.2", "1.6", "1.10",
	    "4.4" };

	if (status == NULL || status[0] != '5')
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(dead); i++)
		if (strcmp(status + 2, dead[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The word lists, compiled once. */
struct severity {
	GRegex *soft, *dead, *data, *refused, *blocked;
};

static const struct severity *
severity_get(void)
{
	static gsize once;
	static struct severity sv;

	if (g_once_init_enter(&once)) {
		sv.soft = severity_regex(severity_soft,
		    G_N_ELEMENTS(severity_soft));
		sv.dead = severity_regex(severity_dead,
		    G_N_ELEMENTS(severity_dead));
		sv.data = severity_regex(severity_data,
		    G_N_ELEMENTS(severity_data));
		sv.refused = severity_regex(severity_refused,
		    G_N_ELEMENTS(severity_refused));
		sv.blocked = severity_regex(severity_blocked,
		    G_N_ELEMENTS(severity_blocked));
		g_once_init_leave(&once, 1);
	}
	return &sv;
}

/* Whether TEXT shows the refusal came at the end of the data, after the
 * recipient was accepted. */
static gboolean
is_data_stage(const struct severity *sv, const char *text)
{
	g_autofree char *lower = NULL;

	if (text == NULL || !g_regex_match(sv->data, text, 0, NULL))
		return FALSE;
	lower = g_ascii_strdown(text, -1);
	return strstr(lower, "rcpt") == NULL &&
	    strstr(lower, "no valid recipients") == NULL;
}

/* What TEXT says of the address: 1 dead, 0 alive (or not about it), -1
 * nothing either way. */
static int
words_say(const struct severity *sv, const char *text)
{
	if (text == NULL)
		return -1;
	if (g_regex_match(sv->soft, text, 0, NULL))
		return 0;
	if (g_regex_match(sv->dead, text, 0, NULL))
		return 1;
	if (g_regex_match(sv->blocked, text, 0, NULL))
		return 0;
	return -1;
}

/* Whether STATUS is about the mail system, the message or security
 * policy (X.3, X.6, X.7) rather than the address. */
static gboolean
status_is_policy(const char *status)
{
	return status != NULL && strlen(status) > 3 && status[3] == '.' &&
	    (status[2] == '3' || status[2] == '6' || status[2] == '7');
}

/* Whether a failure with STATUS (or NULL) and the remote server's WORDS
 * means that the address is dead; MORE is the rest of the notice, read
 * when WORDS say nothing either way.  Words win over a code: servers send
 * 550 for a full mailbox and 5.1.1 for a spam block.  Either text may be
 * NULL. */
static gboolean
is_hard(const char *status, const char *words, const char *more,
    gboolean delayed)
{
	const struct severity *sv = severity_get();
	int say;

	if (delayed || (status != NULL && status[0] == '4'))
		return FALSE;
	if (is_data_stage(sv, words) || is_data_stage(sv, more))
		return FALSE;
	if ((say = words_say(sv, words)) >= 0 ||
	    (say = words_say(sv, more)) >= 0)
		return say == 1;
	if (status_is_policy(status))
		return FALSE;
	if ((words != NULL && g_regex_match(sv->refused, words, 0, NULL)) ||
	    (more != NULL && g_regex_match(sv->refused, more, 0, NULL)))
		return TRUE;
	return status_is_dead_address(status);
}

/* --- recipients ------------------------------------------------------ */

/* The recipient ADDR, added when new.  Past RECIPIENTS_MAX, a scratch
 * recipient that is not kept: callers fill it in and it is dropped. */
static struct bounce_recipient *
recipient_add(struct scan *s, const char *addr)
{
	g_autofree char *key = g_ascii_strdown(addr, -1);
	struct bounce_recipient *r = g_hash_table_lookup(s->seen, key);

	if (r != NULL)
		return r;
	if (s->out->len >= RECIPIENTS_MAX) {
		bounce_recipient_free(s->spare);
		s->spare = g_new0(struct bounce_recipient, 1);
		return s->spare;
	}
	r = g_new0(struct bounce_recipient, 1);
	r->address = g_strdup(addr);
	g_ptr_array_add(s->out, r);
	g_hash_table_insert(s->seen, g_steal_pointer(&key), r);
	return r;
}

/* TEXT with runs of white space made one space and cut to a sensible
 * length; caller frees. */
static char *
squeeze(const char *text)
{
	GString *out = g_string_new(NULL);
	gboolean space = FALSE;

	for (const char *p = text; *p != '\0' && out->len < DIAGNOSTIC_MAX;
	    p++) {
		if (g_ascii_isspace(*p)) {
			space = out->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(out, ' ');
		space = FALSE;
		g_string_append_c(out, *p);
	}
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL)) {
		const char *end;
		g_utf8_validate(out->str, (gssize)out->len, &end);
		g_string_truncate(out, (gsize)(end - out->str));
	}
	return g_string_free(out, FALSE);
}

/* Fills in what a recipient lacks from the words around it (CONTEXT):
 * the status code, the diagnostic and the severity.  MORE is the rest of
 * the notice when it is about this recipient alone, read for a code and
 * the severity when CONTEXT has none.  Both may be NULL. */
static void
recipient_finish(struct bounce_recipient *r, const char *context,
    const char *more, gboolean delayed)
{
	if (r->diagnostic == NULL && context != NULL && *context != '\0')
		r->diagnostic = squeeze(context);
	if (r->status == NULL || g_str_has_suffix(r->status, ".0.0")) {
		g_autofree char *found = status_find(r->diagnostic, TRUE);
		if (found == NULL)
			found = status_find(context, TRUE);
		if (found == NULL)
			found = status_find(more, TRUE);
		if (found != NULL && (r->status == NULL ||
		    r->status[0] == found[0])) {
			g_free(r->status);
			r->status = g_steal_pointer(&found);
		}
	}
	if (r->status == NULL) {
		char c = reply_class_find(r->diagnostic);
		if (c == 0)
			c = reply_class_find(context);
		if (c == 0)
			c = reply_class_find(more);
		/* No code at all: the notice itself says whether the
		 * message was returned or is still being tried. */
		if (c == 0)
			c = delayed ? '4' : '5';
		r->status = g_strdup_printf("%c.0.0", c);
	}
	r->hard = is_hard(r->status, r->diagnostic, more, delayed);
}

/* --- RFC 3464 -------------------------------------------------------- */

/* The fields of one per-recipient block of a delivery status
 * notification. */
struct dsn_block {
	char *final;
	char *original;
	char *action;
	char *status;
	char *diagnostic;
};

static void
dsn_block_clear(struct dsn_block *b)
{
	g_free(b->final);
	g_free(b->original);
	g_free(b->action);
	g_free(b->status);
	g_free(b->diagnostic);
	memset(b, 0, sizeof(*b));
}

/* The address of a Final-Recipient or Original-Recipient value such as
 * "rfc822; ana@example.org", or NULL. */
static char *
dsn_address(const char *value)
{
	const char *semi;
	g_autofree char *v = NULL;

	if (value == NULL)
		return NULL;
	semi = strchr(value, ';');
	v = g_strstrip(g_strdup(semi != NULL ? semi + 1 : value));
	if (*v == '<') {
		char *end = strchr(v, '>');
		if (end != NULL)
			*end = '\0';
		memmove(v, v + 1, strlen(v));
	}
	return strchr(v, '@') != NULL && strchr(v, ' ') == NULL ?
	    g_strdup(v) : NULL;
}

/* Turns a finished block into a failed recipient, or into nothing when it
 * reports a delivery. */
static void
dsn_block_end(struct scan *s, struct dsn_block *b, gboolean *success)
{
	g_autofree char *addr = dsn_address(b->original);
	g_autofree char *status = status_find(b->status, FALSE);
	const char *action = b->action != NULL ? b->action : "";
	gboolean delayed = g_ascii_strncasecmp(action, "delayed", 7) == 0;
	struct bounce_recipient *r;

	if (addr == NULL)
		addr = dsn_address(b->final);
	if (addr == NULL)
		goto out;
	/* Some servers write "deliverable"; a 2.x.x status says it all. */
	if (g_ascii_strncasecmp(action, "deliver", 7) == 0 ||
	    g_ascii_strncasecmp(action, "relayed", 7) == 0 ||
	    g_ascii_strncasecmp(action, "expanded", 8) == 0 ||
	    (status != NULL && status[0] == '2')) {
		*success = TRUE;
		goto out;
	}
	/* Still being tried: no failure yet (RFC 3464 2.3.3). */
	if (delayed) {
		s->delays++;
		goto out;
	}
	r = recipient_add(s, addr);
	if (r->status == NULL)
		r->status = g_steal_pointer(&status);
	if (r->diagnostic == NULL && b->diagnostic != NULL) {
		const char *d = strchr(b->diagnostic, ';');
		r->diagnostic = squeeze(d != NULL ? d + 1 : b->diagnostic);
	}
	recipient_finish(r, NULL, NULL, delayed || s->delayed);
out:
	dsn_block_clear(b);
}

static void
dsn_field(struct scan *s, struct dsn_block *b, const char *name,
    const char *value, gboolean *success)
{
	char **slot = NULL;

	if (g_ascii_strcasecmp(name, "Final-Recipient") == 0) {
		if (b->final != NULL)
			dsn_block_end(s, b, success);
		slot = &b->final;
	} else if (g_ascii_strcasecmp(name, "Original-Recipient") == 0) {
		if (b->original != NULL)
			dsn_block_end(s, b, success);
		slot = &b->original;
	} else if (g_ascii_strcasecmp(name, "Action") == 0)
		slot = &b->action;
	else if (g_ascii_strcasecmp(name, "Status") == 0)
		slot = &b->status;
	else if (g_ascii_strcasecmp(name, "Diagnostic-Code") == 0)
		slot = &b->diagnostic;
	if (slot != NULL && *slot == NULL)
		*slot = g_strstrip(g_strdup(value));
}

/* Reads the per-recipient blocks of a message/delivery-status part.
 * Sets *SUCCESS when a block reports a delivery. */
static void
dsn_read(struct scan *s, const char *text, gboolean *success)
{
	g_auto(GStrv) lines = lines_split(text, NOTICE_MAX);
	struct dsn_block b = { 0 };
	GString *field = g_string_new(NULL);

	for (char **l = lines; ; l++) {
		char *line = *l != NULL ? g_strchomp(*l) : NULL;
		gboolean cont = line != NULL && (*line == ' ' || *line == '\t');

		if (cont) {
			g_string_append_c(field, ' ');
			g_string_append(field, g_strchug(line));
			continue;
		}
		if (field->len > 0) {
			char *colon = strchr(field->str, ':');
			if (colon != NULL) {
				*colon = '\0';
				dsn_field(s, &b, g_strstrip(field->str),
				    colon + 1, success);
			}
			g_string_truncate(field, 0);
		}
		if (line == NULL)
			break;
		if (*line == '\0') {
			if (b.final != NULL || b.original != NULL)
				dsn_block_end(s, &b, success);
			continue;
		}
		g_string_append(field, line);
	}
	if (b.final != NULL || b.original != NULL)
		dsn_block_end(s, &b, success);
	dsn_block_clear(&b);
	g_string_free(field, TRUE);
}

/* Reads every delivery status part of the mail.  Returns whether there was
 * one. */
static gboolean
dsn_scan(struct scan *s, gboolean *success)
{
	gboolean found = FALSE;

	for (guint i = 0; i < s->msg->parts->len; i++) {
		struct message_part *p = s->msg->parts->pdata[i];
		if (p->text == NULL || p->depth > 1 ||
		    (strcmp(p->content_type, "message/delivery-status") != 0 &&
		    strcmp(p->content_type,
		    "message/global-delivery-status") != 0))
			continue;
		found = TRUE;
		dsn_read(s, p->text, success);
	}
	return found;
}

/* --- Amazon SES ------------------------------------------------------ */

/* The JSON object in TEXT (from its first "{" to its last "}"), or NULL;
 * caller unrefs. */
static JsonNode *
ses_json(const char *text)
{
	const char *open = strchr(text, '{'), *close = strrchr(text, '}');
	g_autoptr(JsonParser) parser = NULL;

	if (open == NULL || close == NULL || close < open ||
	    strspn(text, " \t\r\n") != (size_t)(open - text))
		return NULL;
	parser = json_parser_new();
	if (!json_parser_load_from_data(parser, open, close - open + 1, NULL))
		return NULL;
	return json_node_copy(json_parser_get_root(parser));
}

static const char *
ses_string(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) &&
	    json_node_get_value_type(n) == G_TYPE_STRING ?
	    json_node_get_string(n) : NULL;
}

static void
ses_recipient(struct scan *s, JsonObject *o, gboolean transient)
{
	const char *addr = ses_string(o, "emailAddress");
	const char *status = ses_string(o, "status");
	const char *diag = ses_string(o, "diagnosticCode");
	struct bounce_recipient *r;

	if (addr == NULL)
		return;
	r = recipient_add(s, addr);
	if (r->status == NULL)
		r->status = status_find(status, FALSE);
	if (r->diagnostic == NULL && diag != NULL) {
		const char *d = strchr(diag, ';');
		r->diagnostic = squeeze(d != NULL ? d + 1 : diag);
	}
	recipient_finish(r, NULL, NULL, transient);
}

/* Amazon SES bounce notifications, as JSON, alone or inside an SNS
 * envelope.  Returns whether the text was such a notification of any
 * type (complaints and deliveries are not bounces). */
static gboolean
ses_scan(struct scan *s, const char *text)
{
	g_autoptr(JsonNode) root = ses_json(text);
	g_autoptr(JsonNode) inner = NULL;
	JsonObject *o, *bounce;
	JsonArray *list;
	const char *type;

	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return FALSE;
	o = json_node_get_object(root);
	if (ses_string(o, "notificationType") == NULL &&
	    ses_string(o, "Message") != NULL) {
		inner = ses_json(ses_string(o, "Message"));
		if (inner == NULL || !JSON_NODE_HOLDS_OBJECT(inner))
			return FALSE;
		o = json_node_get_object(inner);
	}
	type = ses_string(o, "notificationType");
	if (type == NULL)
		type = ses_string(o, "eventType");
	if (type == NULL)
		return FALSE;
	if (strcmp(type, "Bounce") != 0 || !json_object_has_member(o,
	    "bounce") || !JSON_NODE_HOLDS_OBJECT(json_object_get_member(o,
	    "bounce")))
		return TRUE;
	bounce = json_object_get_object_member(o, "bounce");
	if (!json_object_has_member(bounce, "bouncedRecipients") ||
	    !JSON_NODE_HOLDS_ARRAY(json_object_get_member(bounce,
	    "bouncedRecipients")))
		return TRUE;
	list = json_object_get_array_member(bounce, "bouncedRecipients");
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonNode *n = json_array_get_element(list, i);
		if (JSON_NODE_HOLDS_OBJECT(n))
			ses_recipient(s, json_node_get_object(n),
			    g_strcmp0(ses_string(bounce, "bounceType"),
			    "Permanent") != 0);
	}
	return TRUE;
}

/* --- the report's text ----------------------------------------------- */

/* A notice split into what concerns us: the human-readable report, and the
 * header block of the message it returns. */
struct report {
	char *notice;		/* the report, before the returned message */
	char *returned;		/* the returned message's headers, or NULL */
	char *rest;		/* the text after the notice, or NULL */
};

static void
report_clear(struct report *r)
{
	g_free(r->notice);
	g_free(r->returned);
	g_free(r->rest);
}

/* Whether LINE (lower case, trimmed) starts the returned message. */
static gboolean
notice_is_separator(const char *line)
{
	static const char *const marks[] = {
		"original message", "copy of the message",
		"copy of your message", "returned message", "headers follow",
		"original headers", "header of the original",
		"headers of the original",
		"below this line", "undelivered message", "unsent message",
		"original mail", "message follows", "text of the message",
		"message header", "original text", "rfc822 message",
		NULL
	};
	size_t len = strlen(line);

	if (!has_any(line, marks))
		return FALSE;
	return *line == '-' || *line == '=' || *line == '*' || *line == '_' ||
	    *line == '[' || *line == '<' || *line == '+' ||
	    (len < 40 && len > 0 && line[len - 1] == ':') ||
	    g_str_has_suffix(line, "follows.") ||
	    g_str_has_suffix(line, "follows") ||
	    g_str_has_suffix(line, "follow.") ||
	    g_str_has_suffix(line, "below.");
}

/* Whether LINE is a header that begins a returned message's header
 * block. */
static gboolean
notice_is_header_start(const char *line)
{
	static const char *const names[] = {
		"return-path:", "received:", "dkim-signature:", "message-id:",
		"delivered-to:", "mime-version:", "authentication-results:",
		"x-received:", "arc-seal:", "received-spf:",
		NULL
	};

	for (const char *const *n = names; *n != NULL; n++)
		if (g_ascii_strncasecmp(line, *n, strlen(*n)) == 0)
			return TRUE;
	return FALSE;
}

/* Whether LINE looks like a header field "Name: value", possibly indented
 * by INDENT. */
static gboolean
line_is_header(const char *line, size_t indent)
{
	const char *p, *colon;

	if (strspn(line, " \t") < indent)
		return FALSE;
	p = line + indent;
	colon = strchr(p, ':');
	if (colon == NULL || colon == p)
		return FALSE;
	for (const char *q = p; q < colon; q++)
		if (!g_ascii_isalnum(*q) && *q != '-' && *q != '_')
			return FALSE;
	return TRUE;
}

/* The header block that starts at LINES (after blank lines and at most a
 * few lines of prose), unindented; caller frees.  NULL when there is
 * none. */
static char *
header_block(char **lines)
{
	GString *out;
	size_t indent;
	guint skipped = 0;

	while (*lines != NULL && !line_is_header(*lines, strspn(*lines,
	    " \t"))) {
		if (**lines != '\0' && ++skipped > 3)
			return NULL;
		lines++;
	}
	if (*lines == NULL)
		return NULL;
	/* Some notices quote it indented. */
	indent = strspn(*lines, " \t");
	out = g_string_new(NULL);
	for (; *lines != NULL; lines++) {
		const char *l = *lines;
		if (strspn(l, " \t") >= strlen(l))
			break;
		if (strspn(l, " \t") > indent && out->len > 0)
			g_string_append(out, l + indent);
		else if (line_is_header(l, indent))
			g_string_append(out, l + indent);
		else
			break;
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, out->len == 0);
}

/* Ends LINE at NOTICE_LINE_MAX bytes (on a character boundary) and
 * without its trailing white space: a notice's lines are short, and
 * longer ones are not worth reading twice. */
static void
line_cut(char *line)
{
	if (strlen(line) > NOTICE_LINE_MAX) {
		const char *end;
		line[NOTICE_LINE_MAX] = '\0';
		g_utf8_validate(line, -1, &end);
		line[end - line] = '\0';
	}
	g_strchomp(line);
}

/* Whether the line L (of a notice, trimmed copy LOWER) ends the notice:
 * a separator, or the first header of a returned message. */
static gboolean
notice_ends(char **l, const char *lower, gboolean *separator)
{
	*separator = notice_is_separator(lower);
	return *separator || (notice_is_header_start(*l) && l[1] != NULL &&
	    (l[1][0] == ' ' || l[1][0] == '\t' || line_is_header(l[1], 0)));
}

/* Splits TEXT into the notice and what follows it: the returned message's
 * headers, and the rest of the text from there.  Only the first
 * NOTICE_MAX bytes are read line by line. */
static void
report_split(struct report *r, const char *text)
{
	g_auto(GStrv) lines = lines_split(text, NOTICE_MAX);
	GString *out = g_string_new(NULL);
	const char *next = text, *rest = NULL;
	gboolean separator = FALSE;
	char **l;

	for (l = lines; *l != NULL; l++) {
		g_autofree char *lower = NULL;
		const char *start = next;

		next += strlen(*l);
		next += *next == '\n';
		line_cut(*l);
		lower = g_utf8_strdown(*l, -1);
		g_strstrip(lower);
		if (notice_ends(l, lower, &separator)) {
			rest = separator ? next : start;
			break;
		}
		g_string_append(out, *l);
		g_string_append_c(out, '\n');
	}
	r->notice = g_string_free(out, FALSE);
	if (rest == NULL)
		return;
	if (r->returned == NULL)
		r->returned = header_block(separator ? l + 1 : l);
	r->rest = g_strdup(rest);
}

/* The body of the raw mail, for mail whose MIME structure could not be
 * read; caller frees. */
static char *
raw_body(const struct message *msg)
{
	gsize len = MIN(message_raw_size(msg), NOTICE_MAX * 2);
	g_autofree char *piece = msg->raw == NULL ? g_malloc(len) : NULL;
	const char *raw = message_raw_at(msg, 0, len, piece, NULL);
	g_autofree char *copy = g_strndup(raw != NULL ? raw : "", len);
	const char *body = strstr(copy, "\n\n");
	const char *crlf = strstr(copy, "\r\n\r\n");

	if (crlf != NULL && (body == NULL || crlf < body))
		body = crlf;
	if (body == NULL)
		return g_strdup("");
	if (!g_utf8_validate(body, -1, NULL))
		return g_utf8_make_valid(body, -1);
	return g_strdup(body);
}

/* Reads the text of a notice: its text parts up to the returned message
 * (or the raw body, when the MIME structure was lost), and the returned
 * message's headers from its own part or from the text. */
static void
report_read(struct report *r, const struct message *msg)
{
	GString *all = g_string_new(NULL);
	gboolean past = FALSE;	/* past the report, into its attachments */

	for (guint i = 0; i < msg->parts->len; i++) {
		struct message_part *p = msg->parts->pdata[i];
		gboolean rfc822 = strcmp(p->content_type,
		    "message/rfc822") == 0 || strcmp(p->content_type,
		    "text/rfc822-headers") == 0;
		if (rfc822 && r->returned == NULL && p->text != NULL) {
			g_auto(GStrv) lines = lines_split(p->text, NOTICE_MAX);
			r->returned = header_block(lines);
		}
		if (rfc822 || g_str_has_prefix(p->content_type, "message/"))
			past = TRUE;
		if (past || strcmp(p->content_type, "text/plain") != 0 ||
		    p->text == NULL || p->attachment)
			continue;
		g_string_append(all, p->text);
		g_string_append_c(all, '\n');
	}
	/* A notice whose words name nobody may carry its report as an
	 * attached text file (AOL's "details"). */
	for (guint i = 0; strchr(all->str, '@') == NULL &&
	    i < msg->parts->len; i++) {
		struct message_part *p = msg->parts->pdata[i];
		if (g_str_has_prefix(p->content_type, "message/"))
			break;
		if (p->attachment && p->text != NULL &&
		    strcmp(p->content_type, "text/plain") == 0) {
			g_string_append(all, p->text);
			g_string_append_c(all, '\n');
		}
	}
	if (all->len == 0 && msg->text != NULL)
		g_string_append(all, msg->text);
	if (strspn(all->str, " \t\r\n") == all->len) {
		g_autofree char *body = raw_body(msg);
		g_string_assign(all, body);
	}
	report_split(r, all->str);
	g_string_free(all, TRUE);
}

/* The value of header NAME in BLOCK (from header_block()), or NULL;
 * caller frees. */
static char *
block_header(const char *block, const char *name)
{
	size_t nlen = strlen(name);
	const char *l = block, *p;
	GString *v;

	while (g_ascii_strncasecmp(l, name, nlen) != 0 || l[nlen] != ':') {
		l += strcspn(l, "\n");
		if (*l++ == '\0')
			return NULL;
	}
	v = g_string_new(NULL);
	p = l + nlen + 1;
	do {
		size_t n = strcspn(p, "\n");
		g_string_append_len(v, p, (gssize)n);
		g_string_append_c(v, ' ');
		p += n + (p[n] == '\n');
	} while (*p == ' ' || *p == '\t');
	return g_string_free(v, FALSE);
}

/* The addresses of the original sender, which a notice quotes but which
 * never failed: the notice's own addressee and the returned message's
 * From and Return-Path. */
static void
ours_collect(struct scan *s, const struct report *r)
{
	static const char *const embedded[] = { "From", "Sender",
	    "Return-Path", "Reply-To" };
	const struct message *msg = s->msg;

	ours_add_all(s, msg->to);
	ours_add_all(s, msg->cc);
	ours_add(s, msg->from);
	ours_add(s, msg->sender);
	ours_add(s, msg->reply_to);
	ours_add(s, msg->return_path);
	for (guint j = 0; r->returned != NULL && j < G_N_ELEMENTS(embedded);
	    j++) {
		g_autofree char *v = block_header(r->returned, embedded[j]);
		g_autofree char *a = addr_first(v);
		ours_add(s, a);
	}
}

/* --- plain-text notices ---------------------------------------------- */

/* Whether the text just before an address on its line says it is not a
 * recipient: the sender, a contact, a message id, a quoted header. */
static gboolean
text_context_excludes(const char *line, const char *at)
{
	static const char *const words[] = {
		"mail from", "from:", "sender", "envelope-from", "contact",
		"message-id", "message id", "return-path", "reply-to",
		"smtp.mailfrom", "header.from", "e-mail us", "email us",
		"write to", "mailto", "http", "send to", "sent to",
		NULL
	};
	size_t n = (size_t)(at - line);
	const char *from = n > 48 ? at - 48 : line;
	g_autofree char *before = g_ascii_strdown(from, (gssize)(at - from));

	if (has_any(before, words))
		return TRUE;
	/* A quoted "To:" header of the returned message. */
	g_strstrip(before);
	return strcmp(before, "to:") == 0 || strcmp(before, "cc:") == 0;
}

/* Whether the line before an address that stands alone introduces the
 * sender: "A message sent by\n\n  <ana@example.org>". */
static gboolean
text_prev_excludes(char **lines, guint i)
{
	static const char *const words[] = { "sent by", "from", "sender" };
	g_autofree char *prev = NULL;

	while (i > 0 && lines[i - 1][strspn(lines[i - 1], " \t\r")] == '\0')
		i--;
	if (i == 0)
		return FALSE;
	prev = g_strstrip(g_ascii_strdown(lines[i - 1], -1));
	for (guint k = 0; k < G_N_ELEMENTS(words); k++)
		if (g_str_has_suffix(prev, words[k]) ||
		    (g_str_has_suffix(prev, ":") && strstr(prev, words[k]) !=
		    NULL && strlen(prev) < 24))
			return TRUE;
	return FALSE;
}

/* How surely an address in a notice is a failed recipient. */
enum mention {
	MENTION_WEAK,		/* somewhere in the prose */
	MENTION_LABELLED,	/* after "RCPT TO:", "recipient:" and such */
	MENTION_ITEM,		/* an item of a list: first on its line */
};

/* Whether the text before an address on its line names it a
 * recipient. */
static gboolean
text_context_labels(const char *line, const char *at)
{
	static const char *const words[] = {
		"rcpt to", "recipient", "delivered to", "deliver to",
		"delivering your mail to", "delivery to", "failed:", "address:",
		"addressed to", "for <", "user:", "unknown user", "errors:",
		"mailbox:", "to <",
		NULL
	};
	g_autofree char *before = g_ascii_strdown(line, (gssize)(at - line));

	return has_any(before, words);
}

/* Whether the gap between two addresses on a line is that of a list:
 * "a@example.org, b@example.org". */
static gboolean
text_list_gap(const char *from, const char *to)
{
	gboolean sep = FALSE;

	for (const char *p = from; p < to; p++) {
		if (*p == ',' || *p == ';')
			sep = TRUE;
		else if (strchr(" \t<>\"'", *p) == NULL)
			return FALSE;
	}
	return sep;
}

/* Where the item of LINE starts: past indentation, brackets and a
 * leading SMTP reply code, as in Sendmail's "554 <ana@example.org>...
 * Service unavailable". */
static const char *
text_line_lead(const char *line)
{
	const char *p = line + strspn(line, " \t");

	if (g_ascii_isdigit(p[0]) && g_ascii_isdigit(p[1]) &&
	    g_ascii_isdigit(p[2]) && (p[3] == ' ' || p[3] == '-')) {
		p += 4;
		p += strspn(p, " \t");
	}
	return p + strspn(p, "<\"'(");
}

/* An address mentioned in a notice, and where. */
struct mention_at {
	char *address;
	enum mention how;
	guint line;
};

static void
mention_free(struct mention_at *m)
{
	g_free(m->address);
	g_free(m);
}

/* Exim lists failed addresses two spaces in, with details four spaces in;
 * pipes and files ("save to mbox") have no domain.  Returns the address
 * of such an item, or NULL. */
static char *
text_bare_item(char **lines, guint i, gboolean in_list)
{
	const char *l = lines[i];

	if (!in_list || strncmp(l, "  ", 2) != 0 || l[2] == ' ' ||
	    l[2] == '\t' || l[2] == '\0' || strchr(l, '@') != NULL)
		return NULL;
	/* "generated by ADDRESS" below names the address expanded. */
	if (lines[i + 1] != NULL) {
		const char *g = strstr(lines[i + 1], "generated by ");
		if (g != NULL && strncmp(lines[i + 1], "    ", 4) == 0) {
			g_autofree char *a = addr_first(g);
			if (a != NULL)
				return g_steal_pointer(&a);
		}
	}
	g_autofree char *item = g_strstrip(g_strdup(l));
	item[strcspn(item, ":")] = '\0';
	return *item != '\0' ? g_steal_pointer(&item) : NULL;
}

static gboolean
text_list_heading(const char *line)
{
	g_autofree char *lower = g_ascii_strdown(line, -1);

	return strstr(lower, "address(es) failed") != NULL ||
	    strstr(lower, "addresses failed") != NULL;
}

static void
mention_add(GPtrArray *out, char *address, enum mention how, guint line)
{
	struct mention_at *m = g_new0(struct mention_at, 1);

	m->address = address;
	m->how = how;
	m->line = line;
	g_ptr_array_add(out, m);
}

/* The addresses that line I mentions: the first, and the others of a
 * list that it starts.  The sender's own addresses count only as items:
 * notices quote them everywhere else. */
static void
text_line_mentions(struct scan *s, char **lines, guint i, GPtrArray *out)
{
	const char *p = lines[i], *lead = text_line_lead(lines[i]), *b;
	const char *prev_end = NULL;
	enum mention how = MENTION_WEAK;
	size_t len;

	for (; addr_next(p, &b, &len); p = prev_end = b + len) {
		g_autofree char *key = NULL;

		if (prev_end != NULL && !text_list_gap(prev_end, b))
			break;
		if (prev_end == NULL && b == lead)
			how = MENTION_ITEM;
		else if (prev_end == NULL && text_context_labels(lines[i], b))
			how = MENTION_LABELLED;
		key = g_ascii_strdown(b, (gssize)len);
		if (text_context_excludes(lines[i], b) ||
		    (b == lead && text_prev_excludes(lines, i)) ||
		    (how != MENTION_ITEM && g_hash_table_contains(s->ours,
		    key)))
			continue;
		mention_add(out, g_strndup(b, len), how, i);
	}
}

/* The addresses that the lines of a notice mention, in order. */
static GPtrArray *
text_mentions(struct scan *s, char **lines)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)mention_free);
	gboolean in_list = FALSE;
	char *bare;

	for (guint i = 0; lines[i] != NULL; i++) {
		if (text_list_heading(lines[i]))
			in_list = TRUE;
		else if (in_list && lines[i][0] != ' ' && lines[i][0] != '\0')
			in_list = FALSE;
		if ((bare = text_bare_item(lines, i, in_list)) != NULL)
			mention_add(out, bare, MENTION_ITEM, i);
		else
			text_line_mentions(s, lines, i, out);
	}
	return out;
}

/* Whether an address on LINE ending at END is followed by words of its
 * own, as in "<ana@example.org>: host mx.example.org said: 550 ...", rather
 * than standing alone above its details. */
static gboolean
text_inline_reason(const char *end)
{
	const char *p = end + strspn(end, " \t>:.,;)]\"'\r");

	/* Outlook's text part repeats the address as a link. */
	if (g_ascii_strncasecmp(p, "<mailto:", 8) == 0 && strchr(p, '>'))
		p = strchr(p, '>') + 1;
	return strlen(p + strspn(p, " \t\r")) > 3;
}

static size_t
indent_of(const char *line)
{
	return strspn(line, " \t");
}

/* The context of a recipient mentioned on line FROM: that line and its
 * indented continuation when it says why inline; otherwise the lines up
 * to the next recipient's (END).  Caller frees. */
static char *
text_block(char **lines, guint from, guint end, const char *addr)
{
	GString *c = g_string_new(lines[from]);
	g_autofree char *lower = g_ascii_strdown(lines[from], -1);
	const char *at = strstr(lower, addr);
	gboolean inline_reason = at != NULL &&
	    text_inline_reason(lines[from] + (at - lower) + strlen(addr));
	size_t indent = indent_of(lines[from]);

	g_string_append_c(c, '\n');
	for (guint k = from + 1; k < end && lines[k] != NULL; k++) {
		if (inline_reason && (lines[k][indent_of(lines[k])] == '\0' ||
		    indent_of(lines[k]) <= indent))
			break;
		g_string_append(c, lines[k]);
		g_string_append_c(c, '\n');
	}
	return g_string_free(c, FALSE);
}

/* The first line of LINES at or after FROM that mentions ADDR (lower
 * case), or -1. */
static int
text_find(char **lines, guint from, const char *addr)
{
	for (guint i = from; lines[i] != NULL; i++) {
		g_autofree char *lower = g_ascii_strdown(lines[i], -1);
		if (strstr(lower, addr) != NULL)
			return (int)i;
	}
	return -1;
}

/* Exim and Google name the failed recipients in a header of the notice
 * (X-Failed-Recipients); when there is one, it is the list. */
static gboolean
text_scan_failed_header(struct scan *s, const char *notice)
{
	const char *v = message_header(s->msg, "X-Failed-Recipients");
	const char *b;
	size_t len;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) at = g_array_new(FALSE, FALSE, sizeof(int));
	guint n;

	if (v == NULL || !addr_next(v, &b, &len))
		return FALSE;
	for (const char *p = v; addrs->len < RECIPIENTS_MAX &&
	    addr_next(p, &b, &len); p = b + len)
		g_ptr_array_add(addrs, g_ascii_strdown(b, (gssize)len));
	lines = lines_split(notice, NOTICE_MAX);
	n = g_strv_length(lines);
	/* Where each is first mentioned; its context ends where another
	 * one's begins. */
	for (guint i = 0; i < addrs->len; i++) {
		int line = text_find(lines, 0, addrs->pdata[i]);
		g_array_append_val(at, line);
	}
	for (guint i = 0; i < addrs->len; i++) {
		int from = g_array_index(at, int, i);
		guint end = n;
		g_autofree char *context = NULL;

		for (guint j = 0; j < addrs->len; j++) {
			int other = g_array_index(at, int, j);
			if (other > from && (guint)other < end)
				end = (guint)other;
		}
		if (from >= 0)
			context = text_block(lines, (guint)from, end,
			    addrs->pdata[i]);
		recipient_finish(recipient_add(s, addrs->pdata[i]), context,
		    addrs->len == 1 ? notice : NULL, s->delayed);
	}
	return TRUE;
}

/* The line where the recipient of mention I stops being talked about:
 * that of the next mention, at FLOOR or above, of another address on a
 * later line.  NEXT_LINE[i] is the first mention on a line after mention
 * i's, so that a list of many addresses on one line costs no more than
 * one pass. */
static guint
text_block_end(GPtrArray *mentions, const guint *next_line, guint i,
    enum mention floor, guint n)
{
	struct mention_at *m = mentions->pdata[i];

	for (guint j = next_line[i]; j < mentions->len; j++) {
		struct mention_at *next = mentions->pdata[j];
		if (next->how >= floor &&
		    g_ascii_strcasecmp(next->address, m->address) != 0)
			return next->line;
	}
	return n;
}

/* The recipients a plain-text notice names, each with the lines up to the
 * next one as the context its status and diagnostic come from.  Addresses
 * in lists and after labels are believed before those in the prose, and
 * those in the prose only with WEAK. */
static void
text_scan(struct scan *s, const char *notice, gboolean weak)
{
	g_auto(GStrv) lines = lines_split(notice, NOTICE_MAX);
	g_autoptr(GPtrArray) mentions = text_mentions(s, lines);
	g_autoptr(GArray) chosen = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GHashTable) named = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	g_autofree guint *next_line = g_new(guint, mentions->len + 1);
	enum mention floor = MENTION_WEAK;
	guint n = g_strv_length(lines);

	for (guint i = mentions->len; i-- > 0; ) {
		struct mention_at *m = mentions->pdata[i];
		next_line[i] = i + 1;
		if (i + 1 < mentions->len && ((struct mention_at *)
		    mentions->pdata[i + 1])->line == m->line)
			next_line[i] = next_line[i + 1];
		if (m->how > floor)
			floor = MENTION_LABELLED;
	}
	if (floor == MENTION_WEAK && !weak)
		return;
	for (guint i = 0; i < mentions->len &&
	    chosen->len < RECIPIENTS_MAX; i++) {
		struct mention_at *m = mentions->pdata[i];
		char *key = g_ascii_strdown(m->address, -1);
		if (m->how < floor || g_hash_table_contains(named, key)) {
			g_free(key);
			continue;
		}
		g_hash_table_add(named, key);
		g_array_append_val(chosen, i);
	}
	for (guint k = 0; k < chosen->len; k++) {
		guint i = g_array_index(chosen, guint, k);
		struct mention_at *m = mentions->pdata[i];
		g_autofree char *key = g_ascii_strdown(m->address, -1);
		guint end = text_block_end(mentions, next_line, i, floor, n);
		g_autofree char *context = text_block(lines, m->line, end, key);

		recipient_finish(recipient_add(s, m->address), context,
		    chosen->len == 1 ? notice : NULL, s->delayed);
	}
}

/* --- deciding -------------------------------------------------------- */

/* Whether an RFC 3834 header calls the mail an auto-reply. */
static gboolean
is_auto_reply(const struct message *msg)
{
	const char *v = message_header(msg, "Auto-Submitted");

	return v != NULL && g_ascii_strncasecmp(v + strspn(v, " \t"),
	    "auto-replied", 12) == 0;
}

/* Whether the mail comes from a mail system rather than a person. */
static gboolean
from_daemon(const struct message *msg)
{
	static const char *const locals[] = {
		"mailer-daemon", "mailer_daemon", "postmaster", "post_master",
		"mail.delivery.system", "mail-delivery-system", "mdaemon",
		"mailerdaemon", "mail-daemon", "maildaemon",
		NULL
	};
	const char *from = msg->from != NULL ? msg->from : "";
	g_autofree char *local = g_ascii_strdown(from, -1);
	char *at = strchr(local, '@');

	if (at != NULL)
		*at = '\0';
	/* The null reverse path (RFC 5321 4.5.5) is for notices and
	 * auto-replies; only the latter say so. */
	if (msg->return_path != NULL && *msg->return_path == '\0' &&
	    !is_auto_reply(msg))
		return TRUE;
	if (msg->from == NULL) {
		const char *h = message_header(msg, "From");
		return h == NULL || strstr(h, "@") == NULL;
	}
	for (const char *const *l = locals; *l != NULL; l++)
		if (strcmp(local, *l) == 0)
			return TRUE;
	return FALSE;
}

/* Whether LOWER, a subject in lower case, starts with a reply prefix in
 * one of the common languages ("re:", "aw:", "sv:", "antw:", "odp:"). */
static gboolean
subject_is_reply(const char *lower)
{
	static const char *const prefixes[] = { "re", "aw", "sv", "antw",
	    "odp" };
	const char *p = lower + strspn(lower, " \t");

	for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(p, prefixes[i], n) == 0 &&
		    p[n + strspn(p + n, " \t")] == ':')
			return TRUE;
	}
	return FALSE;
}

/* Subjects that mail systems give their failure notices, in the common
 * languages.  A reply ("Re: Delivery failed") is a person's. */
static gboolean
subject_says_bounce(const char *subject)
{
	static const char *const words[] = {
		"undeliver", "undelivered", "delivery fail", "delivery status",
		"failure notice", "failed delivery", "failure delivery",
		"returned mail", "returning message", "mail delivery failed",
		"delivery failure", "could not be delivered", "not delivered",
		"delivery notification", "mail system error", "mail failure",
		"delivery has failed", "delivery problem", "nondeliverable",
		"non-deliverable", "error sending", "delayed mail",
		"returned to sender", "message delayed", "delivery delayed",
		/* German, French, Spanish, Italian, Portuguese, Dutch */
		"unzustellbar", "nicht zustellbar", "non remis",
		"non distribu", "no entregado", "no se pudo entregar",
		"non recapitabile", "mancato recapito", "não entregue",
		"onbestelbaar", "niet afgeleverd",
		/* Russian, Japanese, Chinese */
		"не доставлено", "недоставлено", "エラー通知", "配信エラー",
		"送信エラー", "配信できません", "不達", "退信", "投递失败",
		NULL
	};
	g_autofree char *lower = g_utf8_strdown(subject, -1);

	return !subject_is_reply(lower) && has_any(lower, words);
}

/* Whether the notice says that a delivery failed. */
static gboolean
notice_says_failure(const char *notice)
{
	static const char *const words[] = {
		"could not be delivered", "couldn't be delivered",
		"wasn't delivered", "was not delivered", "not be delivered",
		"undeliverable", "undelivered", "delivery failed",
		"delivery to the following", "failed permanently",
		"permanent error", "permanent fatal", "fatal error",
		"unable to deliver", "failed to deliver", "did not reach",
		"following address", "following recipient", "rejected",
		"user unknown", "unknown user", "no such user",
		"delivery has failed", "could not deliver", "error delivering",
		"trouble delivering", "delivery error", "not delivered",
		"malformed", "delayed", "temporary", "returned", "failed",
		"error",
		NULL
	};
	g_autofree char *lower = g_utf8_strdown(notice, -1);

	return has_any(lower, words);
}

/* Reports that are about a message but not about its delivery: ARF
 * feedback (RFC 5965) and read receipts (RFC 8098). */
static gboolean
is_other_report(const struct message *msg)
{
	const char *ct = message_header(msg, "Content-Type");
	g_autofree char *lower = g_ascii_strdown(ct != NULL ? ct : "", -1);

	if (strstr(lower, "feedback-report") != NULL ||
	    strstr(lower, "disposition-notification") != NULL)
		return TRUE;
	for (guint i = 0; i < msg->parts->len; i++) {
		struct message_part *p = msg->parts->pdata[i];
		if (strcmp(p->content_type, "message/feedback-report") == 0 ||
		    strcmp(p->content_type,
		    "message/disposition-notification") == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
subject_says_delay(const char *subject)
{
	g_autofree char *lower = g_utf8_strdown(subject, -1);

	return strstr(lower, "delay") != NULL ||
	    strstr(lower, "warning") != NULL;
}

/* Mailing list managers answer a post they refuse (not a member, a loop)
 * from the list's administrative address. */
static gboolean
from_list_manager(const struct message *msg)
{
	g_autofree char *local = g_ascii_strdown(msg->from != NULL ?
	    msg->from : "", -1);
	char *at = strchr(local, '@');

	if (at == NULL)
		return FALSE;
	*at = '\0';
	return g_str_has_suffix(local, "-admin") ||
	    g_str_has_suffix(local, "-owner") ||
	    g_str_has_suffix(local, "-request") ||
	    g_str_has_prefix(local, "owner-");
}

/* A list manager's refusal names the list first: that is the address
 * that did not take the mail. */
static void
list_scan(struct scan *s, const struct report *r)
{
	static const char *const words[] = {
		"not a member", "not member", "non-member", "nonmember",
		"members only", "not subscribed", "loop", "duplicated",
		"rejected", "refused",
		NULL
	};
	g_autofree char *lower = g_utf8_strdown(r->notice, -1);
	g_autofree char *subject = g_utf8_strdown(s->msg->subject, -1);
	const char *p = r->notice, *b;
	size_t len;

	if (!has_any(lower, words) && !has_any(subject, words))
		return;
	for (; addr_next(p, &b, &len); p = b + len) {
		g_autofree char *key = g_ascii_strdown(b, (gssize)len);
		if (g_hash_table_contains(s->ours, key))
			continue;
		g_autofree char *a = g_strndup(b, len);
		recipient_finish(recipient_add(s, a), r->notice, NULL, FALSE);
		return;
	}
}

/* Delivery status fields that a notice carries as text, when its
 * message/delivery-status part was lost to broken MIME. */
static void
dsn_scan_text(struct scan *s, const char *body, gboolean *success)
{
	g_autofree char *text = g_strconcat("\n", body, NULL);
	g_autofree char *lower = g_ascii_strdown(text, -1);
	const char *f;

	if ((f = strstr(lower, "\nfinal-recipient:")) == NULL &&
	    (f = strstr(lower, "\noriginal-recipient:")) == NULL)
		return;
	dsn_read(s, text + (f - lower) + 1, success);
}

/* The recipients of DATA when it is itself a bounce. */
static void
attached_one(struct scan *s, GBytes *data, int depth)
{
	g_autoptr(Message) inner = NULL;
	g_autoptr(GPtrArray) found = NULL;

	if (data == NULL || g_bytes_get_size(data) == 0)
		return;
	inner = message_parse(data, s->msg->date, NULL);
	if (inner == NULL || !bounce_detect_depth(inner, &found, depth + 1))
		return;
	for (guint j = 0; j < found->len; j++) {
		struct bounce_recipient *r = found->pdata[j];
		struct bounce_recipient *mine = recipient_add(s, r->address);
		if (mine->status == NULL)
			mine->status = g_strdup(r->status);
		if (mine->diagnostic == NULL)
			mine->diagnostic = g_strdup(r->diagnostic);
		mine->hard = r->hard;
	}
}

/* A notice that forwards another notice, attached or inline (content
 * filters and relays do): the forwarded one names the recipients. */
static void
attached_scan(struct scan *s, const struct report *r, int depth)
{
	for (guint i = 0; i < s->msg->parts->len && s->out->len == 0; i++) {
		struct message_part *p = s->msg->parts->pdata[i];
		if (strcmp(p->content_type, "message/rfc822") == 0)
			attached_one(s, p->data, depth);
	}
	if (s->out->len == 0 && r->rest != NULL && r->returned != NULL) {
		g_autoptr(GBytes) rest = g_bytes_new(r->rest,
		    strlen(r->rest));
		attached_one(s, rest, depth);
	}
}

/* The last resort: a notice that names no recipient returns the message
 * it could not deliver, and that message says to whom it went. */
static void
returned_scan(struct scan *s, const struct report *r)
{
	static const char *const fields[] = { "To", "Cc" };

	if (r->returned == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
		g_autofree char *v = block_header(r->returned, fields[i]);
		const char *b;
		size_t len;
		for (const char *p = v; p != NULL && addr_next(p, &b, &len);
		    p = b + len) {
			g_autofree char *a = g_strndup(b, len);
			recipient_finish(recipient_add(s, a), r->notice, NULL,
			    s->delayed);
		}
	}
}

/* The human-readable part of a delivery status notification says more
 * than its fields: why, when there is no Diagnostic-Code, and at which
 * step of the SMTP dialogue. */
static void
dsn_explain(struct scan *s, const struct report *report)
{
	struct report r = { 0 };
	g_auto(GStrv) lines = NULL;

	if (s->out->len == 0)
		return;
	if (report == NULL) {
		report_read(&r, s->msg);
		report = &r;
	}
	lines = lines_split(report->notice, NOTICE_MAX);
	for (guint i = 0; i < s->out->len; i++) {
		struct bounce_recipient *rcpt = s->out->pdata[i];
		g_autofree char *key = g_ascii_strdown(rcpt->address, -1);
		int at = text_find(lines, 0, key);
		g_autofree char *context = NULL;

		if (at >= 0)
			context = text_block(lines, (guint)at,
			    g_strv_length(lines), key);
		if (rcpt->hard || rcpt->diagnostic == NULL)
			recipient_finish(rcpt, context, s->out->len == 1 ?
			    report->notice : context, s->delayed);
	}
	report_clear(&r);
}

/* Reads a plain-text notice, or a report whose structure was lost, in
 * the order of trust: delivery status fields, the X-Failed-Recipients
 * header, the addresses the notice lists, an attached notice, and last
 * the returned message's own recipients. */
static void
report_scan(struct scan *s, int depth)
{
	struct report r = { 0 };
	gboolean daemon = from_daemon(s->msg);
	gboolean subject = subject_says_bounce(s->msg->subject);
	gboolean list = !daemon && from_list_manager(s->msg);
	gboolean success = FALSE;

	if (!daemon && !subject && !list)
		return;
	report_read(&r, s->msg);
	ours_collect(s, &r);
	if (list && !subject)
		list_scan(s, &r);
	else if ((daemon && subject) || notice_says_failure(r.notice)) {
		dsn_scan_text(s, r.notice, &success);
		dsn_explain(s, &r);
		if (s->out->len == 0 && !success &&
		    !text_scan_failed_header(s, r.notice))
			text_scan(s, r.notice, FALSE);
		if (s->out->len == 0 && !success && depth < 2)
			attached_scan(s, &r, depth);
		if (s->out->len == 0 && !success)
			text_scan(s, r.notice, TRUE);
		if (s->out->len == 0 && !success)
			returned_scan(s, &r);
	}
	report_clear(&r);
}

/* Whether MSG has a header whose name starts with PREFIX. */
static gboolean
has_header_prefix(const struct message *msg, const char *prefix)
{
	size_t n = strlen(prefix);

	for (guint i = 0; msg->headers != NULL && i < msg->headers->len; i++) {
		const struct message_header *h = msg->headers->pdata[i];
		if (g_ascii_strncasecmp(h->name, prefix, n) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Whether MSG is a challenge of a challenge-response system: the
 * recipient's filter holds the mail until the sender proves to be a
 * person or is approved (Boxbe, SpamArrest, "sender not pre-approved").
 * The mail was not refused and the address works: no bounce.  Only a
 * notice without a delivery status part can be one, from a mail system,
 * an automatic sender, or with the services' own headers or words. */
static gboolean
is_challenge(const struct message *msg)
{
	/* Words of these systems alone: an out-of-office that says "guest
	 * list" must stay one. */
	static const char *const words[] = {
		"pre-approved", "preapproved", "approved senders",
		"list of approved", "waitlisted", "person and not a program",
		"you are a human", "not a robot", "challenge-response",
		"challenge/response", "boxbe", "spamarrest", "spam arrest",
		"mailblocks", "bluebottle", "verify your e-mail address",
		"verify your email address", "verify that you are",
		"sender verification request", "held until you",
		NULL
	};
	g_autofree char *subject = NULL, *lower = NULL;
	const char *text = msg->text != NULL ? msg->text : "";

	if (has_header_prefix(msg, "X-Boxbe") ||
	    message_header(msg, "X-Spamarrest-Noauth") != NULL ||
	    message_header(msg, "X-Challenge") != NULL)
		return TRUE;
	if (!from_daemon(msg) && !is_auto_reply(msg) &&
	    !subject_says_bounce(msg->subject) &&
	    message_header(msg, "Auto-Submitted") == NULL)
		return FALSE;
	subject = g_utf8_strdown(msg->subject, -1);
	lower = g_utf8_strdown(text, (gssize)strnlen(text, NOTICE_MAX));
	return has_any(subject, words) || has_any(lower, words);
}

/* Whether a delivery status part is among MSG's parts. */
static gboolean
has_dsn_part(const struct message *msg)
{
	for (guint i = 0; i < msg->parts->len; i++) {
		struct message_part *p = msg->parts->pdata[i];
		if (strcmp(p->content_type, "message/delivery-status") == 0 ||
		    strcmp(p->content_type,
		    "message/global-delivery-status") == 0)
			return TRUE;
	}
	return FALSE;
}

/* Whether every recipient of S is a soft failure: with a notice that
 * calls itself a delay, it is one. */
static gboolean
all_soft(const struct scan *s)
{
	for (guint i = 0; i < s->out->len; i++)
		if (((struct bounce_recipient *)s->out->pdata[i])->hard)
			return FALSE;
	return TRUE;
}

/* bounce_detect(), with why a notice is no bounce in *NOT (a static
 * string, or NULL). */
static gboolean
bounce_examine(const struct message *msg, GPtrArray **recipients, int depth,
    const char **not)
{
	struct scan s = { 0 };
	gboolean success = FALSE, dsn;

	if (recipients != NULL)
		*recipients = NULL;
	*not = NULL;
	if (is_other_report(msg))
		return FALSE;
	dsn = has_dsn_part(msg);
	if (!dsn && is_challenge(msg)) {
		*not = "a challenge-response request, not a bounce";
		return FALSE;
	}
	s.msg = msg;
	s.out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)bounce_recipient_free);
	s.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s.ours = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	s.delayed = subject_says_delay(msg->subject);

	if (!dsn_scan(&s, &success) || (s.out->len == 0 && !success &&
	    s.delays == 0)) {
		if (!ses_scan(&s, msg->text))
			report_scan(&s, depth);
		/* A warning that names only soft failures: still tried. */
		if (!dsn && s.delayed && s.out->len > 0 && all_soft(&s)) {
			g_ptr_array_set_size(s.out, 0);
			s.delays++;
		}
	} else
		dsn_explain(&s, NULL);
	if (s.out->len == 0 && s.delays > 0)
		*not = "a delay notice: delivery is still being tried";
	g_hash_table_unref(s.seen);
	g_hash_table_unref(s.ours);
	bounce_recipient_free(s.spare);
	if (s.out->len == 0) {
		g_ptr_array_unref(s.out);
		return FALSE;
	}
	if (recipients != NULL)
		*recipients = s.out;
	else
		g_ptr_array_unref(s.out);
	return TRUE;
}

static gboolean
bounce_detect_depth(const struct message *msg, GPtrArray **recipients,
    int depth)
{
	const char *not;

	return bounce_examine(msg, recipients, depth, &not);
}

gboolean
bounce_detect(const struct message *msg, GPtrArray **recipients)
{
	return bounce_detect_depth(msg, recipients, 0);
}

const char *
bounce_not_failure(const struct message *msg)
{
	const char *not;

	if (bounce_examine(msg, NULL, 0, &not))
		return NULL;
	return not;
}

/* --- the filter ------------------------------------------------------ */

/* Whether one of ADDRS is a bounce address of tidings (verp.h). */
static gboolean
bounce_address_among(const GPtrArray *addrs, const struct filter_ctx *ctx)
{
	for (guint i = 0; addrs != NULL && i < addrs->len; i++) {
		g_autofree char *t = verp_token_of(addrs->pdata[i],
		    ctx->address, ctx->domain);
		if (t != NULL)
			return TRUE;
	}
	return FALSE;
}

/* Whether MSG is a mail system's failure notice that names nobody (cut
 * off before its recipients, or in words no rule reads) but came to one
 * of tidings' bounce addresses, which names the recipient itself. */
static gboolean
is_bare_notice(const struct message *msg, const struct filter_ctx *ctx)
{
	struct report r = { 0 };
	gboolean failure;

	if (ctx->address == NULL || !from_daemon(msg) ||
	    is_other_report(msg) ||
	    (!bounce_address_among(msg->delivered_to, ctx) &&
	    !bounce_address_among(msg->to, ctx)))
		return FALSE;
	if (subject_says_bounce(msg->subject))
		return TRUE;
	report_read(&r, msg);
	failure = notice_says_failure(r.notice);
	report_clear(&r);
	return failure;
}

static enum verdict
bounce_run(struct message *msg, struct filter_ctx *ctx)
{
	GPtrArray *recipients;
	const char *not;
	guint hard = 0;

	if (!bounce_examine(msg, &recipients, 0, &not)) {
		if (not == NULL && is_bare_notice(msg, ctx)) {
			msg->kind = MESSAGE_BOUNCE;
			msg->auto_generated = TRUE;
			if (msg->bounce != NULL)
				g_ptr_array_unref(msg->bounce);
			msg->bounce = g_ptr_array_new_with_free_func(
			    (GDestroyNotify)bounce_recipient_free);
			g_free(msg->reason);
			msg->reason = g_strdup("delivery status notification "
			    "that names no recipient: its bounce address does");
			return FILTER_DONE;
		}
		if (not == NULL)
			return FILTER_NEXT;
		/* A mail system's word that is no failure: machine mail,
		 * never answered, and nothing after this reads it as a
		 * person's reply or an out-of-office. */
		msg->kind = MESSAGE_AUTOREPLY;
		msg->auto_generated = TRUE;
		g_free(msg->reason);
		msg->reason = g_strdup(not);
		return FILTER_DONE;
	}
	for (guint i = 0; i < recipients->len; i++)
		if (((struct bounce_recipient *)recipients->pdata[i])->hard)
			hard++;
	msg->kind = MESSAGE_BOUNCE;
	msg->auto_generated = TRUE;
	if (msg->bounce != NULL)
		g_ptr_array_unref(msg->bounce);
	msg->bounce = recipients;
	g_free(msg->reason);
	msg->reason = g_strdup_printf("delivery status notification: %u "
	    "recipient%s failed (%u hard)", recipients->len,
	    recipients->len == 1 ? "" : "s", hard);
	return FILTER_DONE;
}

const struct filter filter_bounce = {
	.name = "bounce",
	.run = bounce_run,
};

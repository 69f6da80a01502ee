/* auth: what the receiving mail server found of the sender (RFC 8601
 * Authentication-Results), believed only from a server the configuration
 * trusts.
 *
 * Anyone can write an Authentication-Results header into the mail they
 * send, with any authserv-id.  A receiving server adds its own above every
 * header the mail came with, so the rule is: only the topmost
 * Authentication-Results header is read, and only when its authserv-id is
 * one of [tidings] trusted-authserv-ids; every header below it is ignored,
 * whatever it claims.  (A server that writes its results in several
 * headers, as OpenDKIM and OpenDMARC do, must put the one that matters on
 * top; a DMARC pass alone is enough.)
 *
 * From that header, two facts are kept on the message: a DKIM pass whose
 * signing domain (header.d=, else the domain of header.i=) is the From
 * domain or a subdomain of it, a simple stand-in for DMARC's relaxed
 * alignment that needs no public suffix list; and a DMARC pass whose
 * header.from= is the From domain.  What they mean for a reply is decided
 * where replies are taken (checkin.c). */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "filter.h"

/* One token of a header value with its comments removed. */
enum auth_token { AUTH_WORD, AUTH_EQUALS, AUTH_SEMICOLON, AUTH_SLASH,
    AUTH_DOT };

struct auth_tok {
	enum auth_token type;
	char *word;		/* AUTH_WORD: unquoted, lower case */
};

static void
auth_tok_free(struct auth_tok *t)
{
	g_free(t->word);
	g_free(t);
}

static void
add_tok(GPtrArray *toks, enum auth_token type, GString *word)
{
	struct auth_tok *t = g_new0(struct auth_tok, 1);

	t->type = type;
	if (word != NULL) {
		t->word = g_ascii_strdown(word->str, (gssize)word->len);
		g_string_truncate(word, 0);
	}
	g_ptr_array_add(toks, t);
}

/* VALUE as tokens: comments (nested, with quoted pairs) dropped, quoted
 * strings made words, "=", ";", "/" and "." apart.  A dot inside a word
 * ("example.org") stays in it; only "header . d" with blanks would
 * split, and ptypes are read either way. */
static GPtrArray *
tokenize(const char *value)
{
	GPtrArray *toks = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)auth_tok_free);
	g_autoptr(GString) word = g_string_new(NULL);
	const char *p = value;
	int depth;

	while (*p != '\0') {
		char c = *p;

		if (c == '(') {
			if (word->len > 0)
				add_tok(toks, AUTH_WORD, word);
			for (depth = 0; *p != '\0'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0) {
					p++;
					break;
				}
			}
			continue;
		}
		if (c == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				g_string_append_c(word, *p);
			}
			if (*p == '"')
				p++;
			add_tok(toks, AUTH_WORD, word);
			continue;
		}
		if (g_ascii_isspace(c) || strchr("=;/", c) != NULL) {
			if (word->len > 0)
				add_tok(toks, AUTH_WORD, word);
			if (c == '=')
				add_tok(toks, AUTH_EQUALS, NULL);
			else if (c == ';')
				add_tok(toks, AUTH_SEMICOLON, NULL);
			else if (c == '/')
				add_tok(toks, AUTH_SLASH, NULL);
			p++;
			continue;
		}
		if (c == '.' && word->len == 0) {
			add_tok(toks, AUTH_DOT, NULL);
			p++;
			continue;
		}
		g_string_append_c(word, c);
		p++;
	}
	if (word->len > 0)
		add_tok(toks, AUTH_WORD, word);
	return toks;
}

static const char *
word_at(GPtrArray *toks, guint i)
{
	struct auth_tok *t;

	if (i >= toks->len)
		return NULL;
	t = toks->pdata[i];
	return t->type == AUTH_WORD ? t->word : NULL;
}

static gboolean
is_tok(GPtrArray *toks, guint i, enum auth_token type)
{
	return i < toks->len && ((struct auth_tok *)toks->pdata[i])->type ==
	    type;
}

/* One resinfo: "dkim=pass header.d=example.org header.s=sel". */
struct auth_resinfo {
	const char *method;
	const char *result;
	GHashTable *props;	/* "header.d" (owned) → value (borrowed) */
};

/* Reads the resinfo that starts at *i (after a ';') and leaves *i at the
 * next ';' or the end.  FALSE when it is not one (it is skipped). */
static gboolean
read_resinfo(GPtrArray *toks, guint *i, struct auth_resinfo *r)
{
	guint k = *i;
	gboolean ok = FALSE;

	r->method = word_at(toks, k++);
	if (is_tok(toks, k, AUTH_SLASH))
		k += 2;		/* a method version */
	if (r->method != NULL && is_tok(toks, k, AUTH_EQUALS) &&
	    (r->result = word_at(toks, k + 1)) != NULL) {
		ok = TRUE;
		k += 2;
	}
	/* Then reason=VALUE and PTYPE.PROPERTY=VALUE pairs. */
	while (k < toks->len && !is_tok(toks, k, AUTH_SEMICOLON)) {
		const char *key = word_at(toks, k);
		g_autofree char *name = g_strdup(key);
		guint v = k + 1;

		if (key != NULL && is_tok(toks, v, AUTH_DOT) &&
		    word_at(toks, v + 1) != NULL) {
			g_free(name);
			name = g_strconcat(key, ".", word_at(toks, v + 1),
			    NULL);
			v += 2;
		}
		if (key != NULL && is_tok(toks, v, AUTH_EQUALS) &&
		    word_at(toks, v + 1) != NULL) {
			if (ok && !g_hash_table_contains(r->props, name))
				g_hash_table_insert(r->props,
				    g_steal_pointer(&name),
				    (gpointer)word_at(toks, v + 1));
			k = v + 2;
		} else
			k++;
	}
	*i = k;
	return ok;
}

/* Whether DOMAIN is FROM or below it: "mail.example.org" for
 * "example.org".  A signature by a parent domain does not count: without
 * the public suffix list, "co.uk" would be the parent of everyone's. */
static gboolean
domain_aligned(const char *domain, const char *from)
{
	size_t dl, fl;

	if (domain == NULL || from == NULL || *from == '\0')
		return FALSE;
	if (g_ascii_strcasecmp(domain, from) == 0)
		return TRUE;
	dl = strlen(domain);
	fl = strlen(from);
	return dl > fl + 1 && domain[dl - fl - 1] == '.' &&
	    g_ascii_strcasecmp(domain + dl - fl, from) == 0;
}

/* The domain of a header.i= identity, "@example.org" or
 * "ana@example.org". */
static const char *
identity_domain(const char *identity)
{
	const char *at = identity != NULL ? strrchr(identity, '@') : NULL;

	return at != NULL ? at + 1 : NULL;
}

static void
note(struct message *msg, const char *what)
{
	char *all = msg->auth_result == NULL ? g_strdup(what) :
	    g_strconcat(msg->auth_result, ", ", what, NULL);

	g_free(msg->auth_result);
	msg->auth_result = all;
}

/* Takes what one resinfo says about MSG's From domain FROM. */
static void
take_resinfo(struct message *msg, const struct auth_resinfo *r,
    const char *from)
{
	g_autofree char *what = NULL;

	if (strcmp(r->result, "pass") != 0)
		return;
	if (strcmp(r->method, "dkim") == 0) {
		const char *d = g_hash_table_lookup(r->props, "header.d");
		if (d == NULL)
			d = identity_domain(g_hash_table_lookup(r->props,
			    "header.i"));
		if (msg->dkim_aligned || !domain_aligned(d, from))
			return;
		msg->dkim_aligned = TRUE;
		what = g_strdup_printf("dkim=pass header.d=%s", d);
	} else if (strcmp(r->method, "dmarc") == 0) {
		const char *f = g_hash_table_lookup(r->props, "header.from");
		if (msg->dmarc_pass || f == NULL ||
		    g_ascii_strcasecmp(f, from) != 0)
			return;
		msg->dmarc_pass = TRUE;
		what = g_strdup_printf("dmarc=pass header.from=%s", f);
	} else
		return;
	note(msg, what);
}

/* The topmost Authentication-Results header of MSG, not decoded. */
static const char *
topmost(const struct message *msg)
{
	for (guint i = 0; i < msg->headers->len; i++) {
		const struct message_header *h = msg->headers->pdata[i];
		if (g_ascii_strcasecmp(h->name, "Authentication-Results") == 0)
			return h->raw != NULL ? h->raw : h->value;
	}
	return NULL;
}

void
auth_check(struct message *msg, const char *const *trusted)
{
	const char *value = topmost(msg);
	const char *from_at = msg->from != NULL ? strrchr(msg->from, '@') :
	    NULL;
	g_autoptr(GPtrArray) toks = NULL;
	const char *id;
	guint i = 0;

	if (value == NULL || trusted == NULL || *trusted == NULL)
		return;
	toks = tokenize(value);
	if ((id = word_at(toks, 0)) == NULL ||
	    !g_strv_contains(trusted, id))
		return;
	msg->auth_id = g_strdup(id);
	if (from_at == NULL)
		return;
	/* After the id, an optional version; then ";" resinfo, or "none". */
	while (i < toks->len) {
		struct auth_resinfo r = { 0 };

		if (!is_tok(toks, i++, AUTH_SEMICOLON))
			continue;
		r.props = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		if (read_resinfo(toks, &i, &r))
			take_resinfo(msg, &r, from_at + 1);
		g_hash_table_unref(r.props);
	}
}

static enum verdict
auth_run(struct message *msg, struct filter_ctx *ctx)
{
	g_auto(GStrv) trusted = NULL;

	if (ctx->conf == NULL)
		return FILTER_NEXT;
	trusted = conf_get_list(ctx->conf, "tidings", "trusted-authserv-ids");
	auth_check(msg, (const char *const *)trusted);
	return FILTER_NEXT;
}

const struct filter filter_auth = {
	.name = "auth",
	.run = auth_run,
};

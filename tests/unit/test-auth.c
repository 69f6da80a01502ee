/* Unit tests for the auth filter: Authentication-Results (RFC 8601) read
 * only from the topmost header and only from a trusted authserv-id; DKIM
 * aligned with the From domain; DMARC for the From domain; comments,
 * quoted strings, several results in a header. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "filter.h"
#include "message.h"

#define ARRIVAL 1773100000

static const char *const trusted[] = { "mx.example.org", NULL };

/* A mail from FROM with HEADERS (each ending in "\n") above it, checked. */
static struct message *
checked(const char *headers, const char *from)
{
	g_autofree char *text = g_strdup_printf("%sFrom: %s\nTo: "
	    "standup@example.org\nSubject: Re: Daily\nMessage-ID: "
	    "<a@example.net>\n\nDone.\n", headers, from);
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	g_autoptr(GError) error = NULL;
	struct message *m = message_parse(raw, ARRIVAL, &error);

	g_assert_no_error(error);
	auth_check(m, trusted);
	return m;
}

static void
test_dkim(void)
{
	g_autoptr(Message) pass = checked("Authentication-Results: "
	    "mx.example.org;\n dkim=pass (2048-bit key) header.d=example.net "
	    "header.s=sel header.b=abc\n", "ana@example.net");
	g_autoptr(Message) sub = checked("Authentication-Results: "
	    "mx.example.org; dkim=pass header.d=mail.example.net\n",
	    "Ana <ana@example.net>");
	g_autoptr(Message) ident = checked("Authentication-Results: "
	    "mx.example.org; dkim=pass header.i=@Example.NET\n",
	    "ana@example.net");
	g_autoptr(Message) other = checked("Authentication-Results: "
	    "mx.example.org; dkim=pass header.d=evil.example\n",
	    "ana@example.net");
	g_autoptr(Message) parent = checked("Authentication-Results: "
	    "mx.example.org; dkim=pass header.d=net\n", "ana@example.net");
	g_autoptr(Message) suffix = checked("Authentication-Results: "
	    "mx.example.org; dkim=pass header.d=badexample.net\n",
	    "ana@example.net");
	g_autoptr(Message) fail = checked("Authentication-Results: "
	    "mx.example.org; dkim=fail header.d=example.net\n",
	    "ana@example.net");

	g_assert_true(pass->dkim_aligned);
	g_assert_false(pass->dmarc_pass);
	g_assert_cmpstr(pass->auth_id, ==, "mx.example.org");
	g_assert_cmpstr(pass->auth_result, ==, "dkim=pass header.d=example.net");
	g_assert_true(sub->dkim_aligned);
	g_assert_true(ident->dkim_aligned);
	g_assert_false(other->dkim_aligned);
	g_assert_false(parent->dkim_aligned);
	g_assert_false(suffix->dkim_aligned);
	g_assert_false(fail->dkim_aligned);
	g_assert_null(fail->auth_result);
}

/* Several results in one header, comments and quoted strings, spaces
 * around "=", method versions, and a reason. */
static void
test_syntax(void)
{
	g_autoptr(Message) m = checked("Authentication-Results: "
	    "mx.example.org 1 (a (nested) comment; dkim=pass);\n"
	    "\tspf=pass smtp.mailfrom=example.net;\n"
	    "\tdkim/1 = fail reason=\"bad; sig\" header.d=example.net;\n"
	    "\tdkim=pass header.d=\"example.net\" (ok);\n"
	    "\tdmarc=pass (p=reject) header.from=example.net\n",
	    "ana@example.net");
	g_autoptr(Message) none = checked("Authentication-Results: "
	    "mx.example.org; none\n", "ana@example.net");
	g_autoptr(Message) junk = checked("Authentication-Results: "
	    "mx.example.org; ;;= dkim = ; (unclosed\n", "ana@example.net");

	g_assert_true(m->dkim_aligned);
	g_assert_true(m->dmarc_pass);
	g_assert_cmpstr(m->auth_result, ==, "dkim=pass header.d=example.net, "
	    "dmarc=pass header.from=example.net");
	g_assert_cmpstr(none->auth_id, ==, "mx.example.org");
	g_assert_false(none->dkim_aligned || none->dmarc_pass);
	g_assert_false(junk->dkim_aligned || junk->dmarc_pass);
}

static void
test_dmarc(void)
{
	g_autoptr(Message) pass = checked("Authentication-Results: "
	    "mx.example.org; dmarc=pass header.from=example.net\n",
	    "ana@example.net");
	g_autoptr(Message) other = checked("Authentication-Results: "
	    "mx.example.org; dmarc=pass header.from=evil.example\n",
	    "ana@example.net");
	g_autoptr(Message) bare = checked("Authentication-Results: "
	    "mx.example.org; dmarc=pass\n", "ana@example.net");

	g_assert_true(pass->dmarc_pass);
	g_assert_false(other->dmarc_pass);
	g_assert_false(bare->dmarc_pass);
}

/* Only the topmost header counts, and only from a trusted server: what
 * the sender wrote below it, with our authserv-id or any, is ignored. */
static void
test_trust(void)
{
	g_autoptr(Message) untrusted = checked("Authentication-Results: "
	    "mx.evil.example; dkim=pass header.d=example.net; dmarc=pass "
	    "header.from=example.net\n", "ana@example.net");
	g_autoptr(Message) forged = checked("Authentication-Results: "
	    "mx.example.org; dkim=none\nReceived: from x by mx.example.org\n"
	    "Authentication-Results: mx.example.org; dkim=pass "
	    "header.d=example.net; dmarc=pass header.from=example.net\n",
	    "ana@example.net");
	g_autoptr(Message) below = checked("Authentication-Results: "
	    "mx.evil.example; none\nAuthentication-Results: mx.example.org; "
	    "dmarc=pass header.from=example.net\n", "ana@example.net");
	g_autoptr(Message) nobody = checked("", "ana@example.net");
	g_autoptr(Message) nofrom = checked("Authentication-Results: "
	    "mx.example.org; dmarc=pass header.from=example.net\n",
	    "undisclosed-recipients:;");
	g_autofree char *text = g_strdup("Authentication-Results: "
	    "mx.example.org; dmarc=pass header.from=example.net\n"
	    "From: ana@example.net\nSubject: x\n\nx\n");
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	g_autoptr(Message) m = message_parse(raw, ARRIVAL, NULL);
	static const char *const nothing[] = { NULL };

	g_assert_false(untrusted->dkim_aligned || untrusted->dmarc_pass);
	g_assert_null(untrusted->auth_id);
	g_assert_false(forged->dkim_aligned || forged->dmarc_pass);
	g_assert_false(below->dkim_aligned || below->dmarc_pass);
	g_assert_null(nobody->auth_id);
	g_assert_false(nofrom->dmarc_pass);
	/* Trusting nobody, the default, believes nothing. */
	auth_check(m, nothing);
	g_assert_false(m->dmarc_pass);
	auth_check(m, NULL);
	g_assert_false(m->dmarc_pass);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth/dkim", test_dkim);
	g_test_add_func("/auth/syntax", test_syntax);
	g_test_add_func("/auth/dmarc", test_dmarc);
	g_test_add_func("/auth/trust", test_trust);
	return g_test_run();
}

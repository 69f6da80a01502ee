/* Unit tests for tokens and subaddresses. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "token.h"

static GBytes *
key_of(const char *s)
{
	return g_bytes_new(s, strlen(s));
}

/* The expected values come from another implementation:
 *   printf 'prompt\0%s' '42 ana@example.org' |
 *       openssl dgst -sha256 -hmac 'secret key' -binary | head -c 10 |
 *       basenc --base32 | tr A-Z a-z */
static void
test_known_vectors(void)
{
	g_autoptr(GBytes) key = key_of("secret key");
	g_autoptr(GBytes) k = key_of("k");
	g_autofree char *t1 = token_make(key, "prompt", "42 ana@example.org");
	g_autofree char *t2 = token_make(k, "subscribe", "");

	g_assert_cmpstr(t1, ==, "gyovzdgccqgsjnxt");
	g_assert_cmpstr(t2, ==, "a45blityaryfsrze");
	g_assert_cmpuint(strlen(t1), ==, TOKEN_LENGTH);
}

static void
test_stable(void)
{
	g_autoptr(GBytes) key = key_of("secret key");
	g_autofree char *a = token_make(key, "prompt", "7 bo@example.org");
	g_autofree char *b = token_make(key, "prompt", "7 bo@example.org");

	g_assert_cmpstr(a, ==, b);
	for (const char *p = a; *p != '\0'; p++)
		g_assert_nonnull(strchr("abcdefghijklmnopqrstuvwxyz234567", *p));
}

static void
test_different_inputs(void)
{
	g_autoptr(GBytes) key = key_of("secret key");
	g_autoptr(GBytes) other = key_of("secret kez");
	g_autofree char *base = token_make(key, "prompt", "42 ana@example.org");
	g_autofree char *purpose = token_make(key, "subscribe",
	    "42 ana@example.org");
	g_autofree char *subject = token_make(key, "prompt",
	    "43 ana@example.org");
	g_autofree char *keyed = token_make(other, "prompt",
	    "42 ana@example.org");
	/* Moving the boundary between purpose and subject changes it too. */
	g_autofree char *shifted = token_make(key, "prompt4",
	    "2 ana@example.org");

	g_assert_cmpstr(base, !=, purpose);
	g_assert_cmpstr(base, !=, subject);
	g_assert_cmpstr(base, !=, keyed);
	g_assert_cmpstr(base, !=, shifted);
	g_assert_false(token_check(key, "subscribe", "42 ana@example.org",
	    base));
	g_assert_false(token_check(other, "prompt", "42 ana@example.org",
	    base));
}

static void
test_check(void)
{
	g_autoptr(GBytes) key = key_of("secret key");

	g_assert_true(token_check(key, "prompt", "42 ana@example.org",
	    "gyovzdgccqgsjnxt"));
	/* Mail systems may fold case. */
	g_assert_true(token_check(key, "prompt", "42 ana@example.org",
	    "GYOVZDGCCQGSJNXT"));
	g_assert_true(token_check(key, "prompt", "42 ana@example.org",
	    "GyOvZdGcCqGsJnXt"));
	/* Wrong length, wrong characters, nothing. */
	g_assert_false(token_check(key, "prompt", "42 ana@example.org",
	    "gyovzdgccqgsjnx"));
	g_assert_false(token_check(key, "prompt", "42 ana@example.org",
	    "gyovzdgccqgsjnxta"));
	g_assert_false(token_check(key, "prompt", "42 ana@example.org",
	    "gyovzdgccqgsjnxu"));
	g_assert_false(token_check(key, "prompt", "42 ana@example.org", ""));
	g_assert_false(token_check(key, "prompt", "42 ana@example.org",
	    NULL));
}

static void
test_equal(void)
{
	g_assert_true(token_equal("abc", "ABC"));
	g_assert_false(token_equal("abc", "abd"));
	g_assert_false(token_equal("abc", "abcd"));
	g_assert_false(token_equal("", ""));
	g_assert_false(token_equal(NULL, "abc"));
	g_assert_false(token_equal("abc", NULL));
}

static void
test_subaddress(void)
{
	static const struct {
		const char *address, *own, *domain, *detail;
	} cases[] = {
		{ "standup+k7q2mzx4@example.org", "standup@example.org", NULL,
		    "k7q2mzx4" },
		/* Local part and domain compared without case. */
		{ "StandUp+K7Q2@Example.ORG", "standup@example.org", NULL,
		    "K7Q2" },
		{ "standup+abc@mail.example.org", "standup@example.org",
		    "mail.example.org", "abc" },
		{ "standup+abc@example.org", "standup@example.org",
		    "mail.example.org", NULL },
		{ "standup+a+b@example.org", "standup@example.org", NULL,
		    "a+b" },
		/* Not ours, or no detail. */
		{ "standup@example.org", "standup@example.org", NULL, NULL },
		{ "standup+@example.org", "standup@example.org", NULL, NULL },
		{ "standupx+abc@example.org", "standup@example.org", NULL,
		    NULL },
		{ "stand+abc@example.org", "standup@example.org", NULL, NULL },
		{ "standup-abc@example.org", "standup@example.org", NULL,
		    NULL },
		{ "standup+abc@example.net", "standup@example.org", NULL,
		    NULL },
		{ "standup+abc@example.org.", "standup@example.org", NULL,
		    NULL },
		/* Odd or hostile forms. */
		{ "\"standup+abc\"@example.org", "standup@example.org", NULL,
		    NULL },
		{ "<standup+abc@example.org>", "standup@example.org", NULL,
		    NULL },
		{ "standup+a b@example.org", "standup@example.org", NULL,
		    NULL },
		{ "standup+a\r\nb@example.org", "standup@example.org", NULL,
		    NULL },
		{ "standup+a@b@example.org", "standup@example.org", NULL,
		    NULL },
		{ "standup+abc", "standup@example.org", NULL, NULL },
		{ "", "standup@example.org", NULL, NULL },
		{ "standup+abc@example.org", "standup", NULL, NULL },
		{ "standup+abc@example.org", "@example.org", NULL, NULL },
		{ NULL, "standup@example.org", NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *d = token_subaddress(cases[i].address,
		    cases[i].own, cases[i].domain);
		g_test_message("%s", cases[i].address ? cases[i].address :
		    "(null)");
		g_assert_cmpstr(d, ==, cases[i].detail);
	}
}

static void
test_address(void)
{
	g_autofree char *a = token_address("standup@example.org", NULL,
	    "k7q2mzx4");
	g_autofree char *b = token_address("standup@example.org",
	    "reply.example.org", "k7q2mzx4");
	g_autofree char *back = token_subaddress(b, "standup@example.org",
	    "reply.example.org");

	g_assert_cmpstr(a, ==, "standup+k7q2mzx4@example.org");
	g_assert_cmpstr(b, ==, "standup+k7q2mzx4@reply.example.org");
	g_assert_cmpstr(back, ==, "k7q2mzx4");
	g_assert_null(token_address("standup@example.org", NULL, ""));
	g_assert_null(token_address("standup@example.org", NULL, "a b"));
	g_assert_null(token_address("standup@example.org", NULL, "a\nb"));
	g_assert_null(token_address("standup@example.org", NULL, "a@b"));
	g_assert_null(token_address("standup@example.org", "x y", "abc"));
	g_assert_null(token_address("standup@example.org", "", "abc"));
	g_assert_null(token_address("standup", NULL, "abc"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/token/known-vectors", test_known_vectors);
	g_test_add_func("/token/stable", test_stable);
	g_test_add_func("/token/different-inputs", test_different_inputs);
	g_test_add_func("/token/check", test_check);
	g_test_add_func("/token/equal", test_equal);
	g_test_add_func("/token/subaddress", test_subaddress);
	g_test_add_func("/token/address", test_address);
	return g_test_run();
}

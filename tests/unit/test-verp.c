/* Unit tests for bounce addresses (VERP): made, read back, checked, and
 * refused when anything in them is changed. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "token.h"
#include "verp.h"

#define EXPECTED "jiqdgchvys2hfotq"

static GBytes *
key_of(const char *s)
{
	return g_bytes_new(s, strlen(s));
}

/* The expected token comes from another implementation:
 *   printf 'bounce\0%s' 'ana@example.org digest:7:ana@example.org' |
 *       openssl dgst -sha256 -hmac 'secret key' -binary | head -c 10 |
 *       basenc --base32 | tr A-Z a-z */
static void
test_make(void)
{
	g_autoptr(GBytes) key = key_of("secret key");
	g_autofree char *t = verp_token(key, "digest:7:ana@example.org",
	    "Ana@Example.org");
	g_autofree char *a = verp_address("standup@example.org", NULL, t);
	g_autofree char *b = verp_address("standup@example.org",
	    "mail.example.org", t);

	g_assert_cmpstr(t, ==, EXPECTED);
	g_assert_cmpstr(a, ==, "standup+bounce-" EXPECTED "@example.org");
	g_assert_cmpstr(b, ==, "standup+bounce-" EXPECTED "@mail.example.org");
	/* The local part stays within RFC 5321's 64 octets, or there is
	 * none. */
	g_assert_cmpuint(strlen("standup+bounce-" EXPECTED), <=, 64);
	g_assert_null(verp_address("a-very-long-local-part-of-forty-one-"
	    "chars@example.org", NULL, t));
	g_assert_null(verp_address("not an address", NULL, t));
}

static void
test_read_back(void)
{
	g_autoptr(GBytes) key = key_of("secret key");
	g_autofree char *t = verp_token(key, "prompt:1:2", "bo@example.net");
	g_autofree char *a = verp_address("standup@example.org", NULL, t);
	g_autofree char *upper = g_ascii_strup(a, -1);
	g_autofree char *back = verp_token_of(a, "standup@example.org", NULL);
	g_autofree char *back_up = verp_token_of(upper, "standup@example.org",
	    NULL);

	g_assert_cmpstr(back, ==, t);
	/* Mail systems may fold the case of the address. */
	g_assert_cmpstr(back_up, ==, t);
	g_assert_true(verp_check(key, "prompt:1:2", "BO@example.net", back_up));
	/* Not a bounce address: another detail, another local part or
	 * domain, a token of the wrong length or alphabet. */
	g_assert_null(verp_token_of("standup+help@example.org",
	    "standup@example.org", NULL));
	g_assert_null(verp_token_of("standup+bounce-abc@example.org",
	    "standup@example.org", NULL));
	g_assert_null(verp_token_of("standup+bounce-abcdefghijklmno1"
	    "@example.org", "standup@example.org", NULL));
	g_assert_null(verp_token_of("other+bounce-abcdefghijklmnop"
	    "@example.org", "standup@example.org", NULL));
	g_assert_null(verp_token_of("standup+bounce-abcdefghijklmnop"
	    "@example.net", "standup@example.org", NULL));
	g_assert_null(verp_token_of(NULL, "standup@example.org", NULL));
}

static void
test_tamper(void)
{
	g_autoptr(GBytes) key = key_of("secret key");
	g_autoptr(GBytes) other = key_of("another key");
	g_autofree char *t = verp_token(key, "prompt:1:2", "bo@example.net");
	g_autofree char *flipped = g_strdup(t);

	g_assert_true(verp_check(key, "prompt:1:2", "bo@example.net", t));
	/* Another recipient, another mail, another secret. */
	g_assert_false(verp_check(key, "prompt:1:2", "eve@example.net", t));
	g_assert_false(verp_check(key, "prompt:1:3", "bo@example.net", t));
	g_assert_false(verp_check(other, "prompt:1:2", "bo@example.net", t));
	/* One character changed, cut short, none. */
	flipped[3] = flipped[3] == 'a' ? 'b' : 'a';
	g_assert_false(verp_check(key, "prompt:1:2", "bo@example.net",
	    flipped));
	flipped[3] = '\0';
	g_assert_false(verp_check(key, "prompt:1:2", "bo@example.net",
	    flipped));
	g_assert_false(verp_check(key, "prompt:1:2", "bo@example.net", ""));
	g_assert_false(verp_check(key, "prompt:1:2", "bo@example.net", NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/verp/make", test_make);
	g_test_add_func("/verp/read-back", test_read_back);
	g_test_add_func("/verp/tamper", test_tamper);
	return g_test_run();
}

/* Unit tests for threading decisions and subject keys, without a store. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "message.h"
#include "subject.h"
#include "thread.h"

static struct message *
parse(const char *text)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	g_autoptr(GError) error = NULL;
	struct message *msg = message_parse(raw, 1773100000, &error);

	g_assert_no_error(error);
	g_assert_nonnull(msg);
	return msg;
}

static void
test_subject_keys(void)
{
	static const struct {
		const char *subject, *key;
		gboolean reply;
	} cases[] = {
		{ "Status", "status", FALSE },
		{ "Re: Status", "status", TRUE },
		{ "RE[2]: Re:  Weekly   status ", "weekly status", TRUE },
		{ "[ops] Re: Fwd: Deploy", "deploy", TRUE },
		{ "AW: Antw: Planung", "planung", TRUE },
		{ "回复：周报", "周报", TRUE },
		{ "Réf : point", "point", TRUE },
		{ "Reply needed", "reply needed", FALSE },
		{ "", "", FALSE },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gboolean reply = !cases[i].reply;
		g_autofree char *key = subject_key(cases[i].subject, &reply);

		g_assert_cmpstr(key, ==, cases[i].key);
		g_assert_cmpint(reply, ==, cases[i].reply);
	}
}

static void
test_placing_ids(void)
{
	struct message *msg = parse("From: a@example.org\n"
	    "Message-ID: <c@x>\nReferences: <a@x> <b@x>\n"
	    "In-Reply-To: <b@x>\nSubject: Re: s\n\nbody\n");
	g_autoptr(GPtrArray) ids = thread_placing_ids(msg);

	g_assert_cmpuint(ids->len, ==, 3);
	g_assert_cmpstr(ids->pdata[0], ==, "c@x");
	g_assert_cmpstr(ids->pdata[1], ==, "a@x");
	g_assert_cmpstr(ids->pdata[2], ==, "b@x");
	g_assert_cmpstr(thread_root(msg), ==, "a@x");
	message_free(msg);

	msg = parse("From: a@example.org\nMessage-ID: <d@x>\n"
	    "In-Reply-To: <p@x>\nSubject: s\n\nbody\n");
	ids = (g_ptr_array_unref(ids), thread_placing_ids(msg));
	g_assert_cmpuint(ids->len, ==, 2);
	g_assert_cmpstr(thread_root(msg), ==, "p@x");
	message_free(msg);

	msg = parse("From: a@example.org\nMessage-ID: <e@x>\n"
	    "Subject: s\n\nbody\n");
	g_assert_cmpstr(thread_root(msg), ==, "e@x");
	message_free(msg);
}

static void
test_plan(void)
{
	/* Known relatives win, whatever the subject says. */
	g_assert_cmpint(thread_plan(3, 2, "status", TRUE), ==, THREAD_JOIN);
	/* A reply without references joins by subject ... */
	g_assert_cmpint(thread_plan(1, 0, "status", TRUE), ==,
	    THREAD_BY_SUBJECT);
	/* ... but not one whose parent is merely unseen, not a first mail,
	 * and not an empty subject. */
	g_assert_cmpint(thread_plan(2, 0, "status", TRUE), ==, THREAD_NEW);
	g_assert_cmpint(thread_plan(1, 0, "status", FALSE), ==, THREAD_NEW);
	g_assert_cmpint(thread_plan(1, 0, "", TRUE), ==, THREAD_NEW);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/thread/subject-keys", test_subject_keys);
	g_test_add_func("/thread/placing-ids", test_placing_ids);
	g_test_add_func("/thread/plan", test_plan);
	return g_test_run();
}

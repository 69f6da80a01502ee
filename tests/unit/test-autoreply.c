/* Unit tests for auto-reply detection: RFC 3834 and the common
 * non-standard headers, list and daemon mail, out-of-office subjects in
 * many languages, and the people who only write about being away. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "detect.h"
#include "filter.h"
#include "message.h"
#include "testmail.h"

/* A short mail from a person with HEADERS (lines ending in "\n") and
 * SUBJECT. */
static struct message *
mail_with(const char *headers, const char *subject)
{
	g_autofree char *text = g_strdup_printf(
	    "From: Ana Lima <ana@example.org>\n"
	    "To: standup@example.org\n"
	    "Subject: %s\n"
	    "Message-ID: <t.1@example.org>\n"
	    "%s"
	    "Content-Type: text/plain; charset=UTF-8\n\n"
	    "Some text.\n", subject, headers);
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	g_autoptr(GError) error = NULL;
	struct message *msg = message_parse(raw, ARRIVAL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(msg);
	return msg;
}

static void
expect(const struct message *msg, gboolean is_auto, gboolean away,
    const char *what)
{
	gboolean ooo = !away;
	const char *why = "unset";
	gboolean got = autoreply_detect(msg, &ooo, &why);

	if (got != is_auto || ooo != away)
		g_error("%s: auto-generated %d (want %d), out of office %d "
		    "(want %d), why %s", what, got, is_auto, ooo, away,
		    why != NULL ? why : "none");
	if (is_auto)
		g_assert_nonnull(why);
	else
		g_assert_null(why);
	/* The outputs are optional. */
	g_assert_true(autoreply_detect(msg, NULL, NULL) == is_auto);
}

static void
test_files(void)
{
	static const struct {
		const char *file;
		gboolean is_auto, away;
	} cases[] = {
		{ "autoreply-auto-submitted.eml", TRUE, TRUE },
		{ "autoreply-x-autoreply.eml", TRUE, TRUE },
		{ "autoreply-x-autorespond.eml", TRUE, TRUE },
		{ "autoreply-exchange.eml", TRUE, TRUE },
		{ "autoreply-list.eml", TRUE, FALSE },
		/* Exchange's loop header alone is on anything an inbox rule
		 * forwarded; a person saying "out of office" is a person. */
		{ "autoreply-none-rules-loop.eml", FALSE, FALSE },
		{ "autoreply-none-human-ooo.eml", FALSE, FALSE },
		{ "plain-reply.eml", FALSE, FALSE },
		/* A bounce is machine mail, but nobody is away. */
		{ "bounce-dsn-two.eml", TRUE, FALSE },
		{ "bounce-qmail.eml", TRUE, FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(Message) m = testmail_parse_file(cases[i].file);
		expect(m, cases[i].is_auto, cases[i].away, cases[i].file);
	}
}

static void
test_headers(void)
{
	static const struct {
		const char *headers;
		gboolean is_auto, away;
	} cases[] = {
		{ "Auto-Submitted: auto-replied\n", TRUE, TRUE },
		{ "Auto-Submitted: auto-generated\n", TRUE, FALSE },
		{ "Auto-Submitted: auto-notified\n", TRUE, FALSE },
		{ "auto-submitted: Auto-Replied; owner-email=\"a@b.example\"\n",
		    TRUE, TRUE },
		{ "Auto-Submitted: no\n", FALSE, FALSE },
		{ "Auto-Submitted: No (a person wrote this)\n", FALSE, FALSE },
		{ "X-Autoreply: yes\n", TRUE, TRUE },
		{ "X-Autorespond: On vacation\n", TRUE, TRUE },
		{ "Precedence: bulk\n", TRUE, FALSE },
		{ "Precedence: junk\n", TRUE, FALSE },
		{ "Precedence: list\n", TRUE, FALSE },
		{ "Precedence: auto_reply\n", TRUE, TRUE },
		{ "Precedence: first-class\n", FALSE, FALSE },
		{ "X-Auto-Response-Suppress: All\n", FALSE, FALSE },
		{ "X-MS-Exchange-Inbox-Rules-Loop: ana@example.org\n", FALSE,
		    FALSE },
		{ "X-Auto-Response-Suppress: All\n"
		    "X-MS-Exchange-Inbox-Rules-Loop: ana@example.org\n", TRUE,
		    TRUE },
		{ "List-Id: Team <team.lists.example.org>\n", TRUE, FALSE },
		{ "List-Unsubscribe: <mailto:leave@lists.example.org>\n", TRUE,
		    FALSE },
		{ "Return-Path: <>\n", TRUE, FALSE },
		{ "Return-Path: <ana@example.org>\n", FALSE, FALSE },
		{ "Sender: noreply@example.org\n", TRUE, FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(Message) m = mail_with(cases[i].headers,
		    "Check-in: What did you work on?");
		expect(m, cases[i].is_auto, cases[i].away, cases[i].headers);
	}
}

static void
test_senders(void)
{
	static const struct {
		const char *from;
		gboolean is_auto;
	} cases[] = {
		{ "MAILER-DAEMON@mx.example.org", TRUE },
		{ "postmaster@example.org", TRUE },
		{ "no-reply@example.org", TRUE },
		{ "noreply@example.org", TRUE },
		{ "do-not-reply@example.org", TRUE },
		{ "DoNotReply@example.org", TRUE },
		{ "dmarc-noreply@example.org", TRUE },
		{ "ana@example.org", FALSE },
		{ "postmasters-club@example.org", FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = g_strdup_printf("From: %s\n"
		    "To: standup@example.org\nSubject: Hello\n\nText.\n",
		    cases[i].from);
		g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
		g_autoptr(Message) m = message_parse(raw, ARRIVAL, NULL);
		g_assert_nonnull(m);
		expect(m, cases[i].is_auto, FALSE, cases[i].from);
	}
}

static void
test_subjects(void)
{
	static const char *const away[] = {
		"Out of Office: Check-in: What did you work on?",
		"Out of office reply",
		"Automatic reply: Check-in",
		"Auto-Reply: Check-in",
		"AutoReply: Check-in",
		"Ana Lima is out of the office.",
		"Away until May 5",
		"On vacation",
		"vacation: Check-in",
		"Abwesenheitsnotiz: Check-in",
		"Automatische Antwort: Check-in",
		"Urlaub bis 20.03.",
		"Réponse automatique : Check-in",
		"Absence du bureau",
		"Respuesta automática: Check-in",
		"Fuera de la oficina",
		"Risposta automatica: Check-in",
		"Resposta automática: Check-in",
		"Automatisch antwoord: Check-in",
		"Afwezig",
		"Autosvar: Check-in",
		"Automatisk svar: Check-in",
		"OOO: back on Monday",
		"Abwesend: bis Montag",
		"Fraværende",
		"Automaattinen vastaus: Check-in",
		"Odpowiedź automatyczna: Check-in",
		"Automatická odpověď: Check-in",
		"Автоматический ответ: Check-in",
		"自動応答: Check-in",
		"自动回复: Check-in",
		"自動回覆: Check-in",
	};
	static const char *const not_away[] = {
		"Re: Out of office",
		"AW: Abwesenheitsnotiz",
		"  RE[2] : Out of office",
		"Fwd: Automatic reply: Check-in",
		"SV:Frånvaro",
		"Ответ: Автоматический ответ",
		"Re: Check-in: What did you work on?",
		"Vacation plans for the team",
		"Urlaubsplanung 2026",
		"Holiday party on Friday",
		"Absences in Q3",
		"Away team offsite agenda",
		"Check-in: What did you work on?",
		"",
	};

	for (guint i = 0; i < G_N_ELEMENTS(away); i++) {
		g_autoptr(Message) m = mail_with("", away[i]);
		expect(m, TRUE, TRUE, away[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(not_away); i++) {
		g_autoptr(Message) m = mail_with("", not_away[i]);
		expect(m, FALSE, FALSE, not_away[i]);
	}
}

static void
test_filter_run(void)
{
	g_autoptr(Message) m = testmail_parse_file("autoreply-exchange.eml");
	g_autoptr(Message) b = testmail_parse_file("bounce-qmail.eml");
	g_autoptr(Message) reply = testmail_parse_file("plain-reply.eml");
	struct filter_ctx ctx = { 0 };

	g_assert_cmpstr(filter_autoreply.name, ==, "autoreply");
	g_assert_cmpint(filter_autoreply.run(m, &ctx), ==, FILTER_DONE);
	g_assert_cmpint(m->kind, ==, MESSAGE_AUTOREPLY);
	g_assert_true(m->auto_generated);
	g_assert_true(m->out_of_office);
	g_assert_nonnull(m->reason);

	/* A bounce the bounce filter already marked stays a bounce. */
	b->kind = MESSAGE_BOUNCE;
	b->reason = g_strdup("earlier");
	g_assert_cmpint(filter_autoreply.run(b, &ctx), ==, FILTER_DONE);
	g_assert_cmpint(b->kind, ==, MESSAGE_BOUNCE);
	g_assert_true(b->auto_generated);
	g_assert_false(b->out_of_office);
	g_assert_cmpstr(b->reason, !=, "earlier");

	g_assert_cmpint(filter_autoreply.run(reply, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(reply->kind, ==, MESSAGE_UNPROCESSED);
	g_assert_false(reply->auto_generated);
	g_assert_null(reply->reason);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/autoreply/files", test_files);
	g_test_add_func("/autoreply/headers", test_headers);
	g_test_add_func("/autoreply/senders", test_senders);
	g_test_add_func("/autoreply/subjects", test_subjects);
	g_test_add_func("/autoreply/filter", test_filter_run);
	return g_test_run();
}

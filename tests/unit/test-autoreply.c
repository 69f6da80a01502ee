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

	/* A list post is list mail, not an auto-reply. */
	{
		g_autoptr(Message) l = testmail_parse_file("autoreply-list.eml");
		g_autoptr(Message) p = mail_with("Precedence: list\n",
		    "Weekly notes");
		g_assert_cmpint(filter_autoreply.run(l, &ctx), ==, FILTER_DONE);
		g_assert_cmpint(l->kind, ==, MESSAGE_LIST);
		g_assert_cmpstr(message_kind_name(l->kind), ==, "list");
		g_assert_true(l->auto_generated);
		g_assert_false(l->out_of_office);
		g_assert_cmpint(filter_autoreply.run(p, &ctx), ==, FILTER_DONE);
		g_assert_cmpint(p->kind, ==, MESSAGE_LIST);
	}

	g_assert_cmpint(filter_autoreply.run(reply, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(reply->kind, ==, MESSAGE_UNPROCESSED);
	g_assert_false(reply->auto_generated);
	g_assert_null(reply->reason);
}

/* Responders that mark their mail with nothing: the start of the text
 * says it, in the languages of the subjects; people who mention an
 * absence after their answer, or in the past, are people. */
static void
test_texts(void)
{
	static const char *const away[] = {
		"Thank you for your email. I am out of the office until "
		    "Monday 5 January with limited access to email.",
		"Hello,\n\nthanks for your message!\nI'm currently on "
		    "vacation and will reply when I return.",
		"This is an automatic reply. I will get back to you soon.",
		"I am on parental leave until March.\n\n> 1. What did you "
		    "work on?",
		"I will be out of the office until 12 May.",
		"Vielen Dank für Ihre Nachricht. Ich bin bis zum 5. Januar "
		    "nicht im Büro.",
		"Guten Tag,\nich bin derzeit im Urlaub.",
		"Merci pour votre message. Je suis absente jusqu'au 4 mai.",
		"Gracias por su mensaje. Estoy fuera de la oficina hasta el "
		    "lunes.",
		"Grazie per il messaggio. Sono in ferie fino al 3 aprile.",
		"Obrigado pelo contato. Estou de férias até dia 10.",
		"Bedankt voor uw bericht. Ik ben afwezig tot 4 mei.",
		"Tack för ditt mejl. Jag är på semester till den 4 augusti.",
		"Tak for din mail. Jeg er på ferie indtil mandag.",
		"Dziękuję za wiadomość. Jestem na urlopie do 5 maja.",
		"Спасибо за письмо. Я в отпуске до 5 мая.",
		"Réponse automatique : je suis absent.",
		"Automatic reply: Daily",
	};
	static const char *const person[] = {
		"Finished the release notes. I'll be out of office from "
		    "Thursday, so Raj covers the on-call.",
		"1. Shipped billing.\n2. I am on vacation from Friday.",
		"I was on vacation last week, so nothing to report.",
		"I will be away for lunch.",
		"Imports are done.\n\nI am out of the office tomorrow.",
		"> I am out of the office until Monday.\nGreat, see you then.",
		"Out of ideas for the exports, help welcome.",
		"",
	};

	for (guint i = 0; i < G_N_ELEMENTS(away); i++)
		if (!autoreply_text_is_away(away[i]))
			g_error("not found away: %s", away[i]);
	for (guint i = 0; i < G_N_ELEMENTS(person); i++)
		if (autoreply_text_is_away(person[i]))
			g_error("found away: %s", person[i]);
	g_assert_false(autoreply_text_is_away(NULL));
}

/* A mail of FROM to TO with HEADERS and BODY. */
static struct message *
mail_to(const char *to, const char *headers, const char *body)
{
	g_autofree char *text = g_strdup_printf(
	    "From: Ana Lima <ana@example.org>\nTo: %s\n"
	    "Subject: Re: Daily for Monday 5 January (Platform)\n"
	    "Message-ID: <v.1@mail.example.org>\n%s\n%s", to, headers, body);
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	struct message *msg = message_parse(raw, ARRIVAL, NULL);

	g_assert_nonnull(msg);
	return msg;
}

/* An unmarked out-of-office text in answer to a prompt (to its reply
 * address, or naming its Message-ID) is an auto-reply of someone away;
 * the same text anywhere else is left to the rest of the pipeline. */
static void
test_unmarked_reply(void)
{
	static const char ooo[] = "Thank you for your email. I am out of "
	    "the office until Monday 12 January.\n\n> 1. What did you work "
	    "on?\n";
	struct filter_ctx ctx = { .address = "standup@example.org" };
	g_autoptr(Message) token = mail_to("standup+abcdefghjk234567"
	    "@example.org", "", ooo);
	g_autoptr(Message) irt = mail_to("standup@example.org",
	    "In-Reply-To: <prompt-x7k2m9q4r8t1@example.org>\n", ooo);
	g_autoptr(Message) other = mail_to("standup@example.org", "", ooo);
	g_autoptr(Message) foreign = mail_to("standup@example.org",
	    "In-Reply-To: <prompt-x7k2m9q4r8t1@example.net>\n", ooo);
	g_autoptr(Message) answer = mail_to("standup+abcdefghjk234567"
	    "@example.org", "", "1. Exports\n2. Imports\n");

	g_assert_true(autoreply_answers_prompt(token, &ctx));
	g_assert_cmpint(filter_autoreply.run(token, &ctx), ==, FILTER_DONE);
	g_assert_cmpint(token->kind, ==, MESSAGE_AUTOREPLY);
	g_assert_true(token->auto_generated);
	g_assert_true(token->out_of_office);
	g_assert_cmpint(filter_autoreply.run(irt, &ctx), ==, FILTER_DONE);
	g_assert_true(irt->out_of_office);

	g_assert_false(autoreply_answers_prompt(other, &ctx));
	g_assert_cmpint(filter_autoreply.run(other, &ctx), ==, FILTER_NEXT);
	g_assert_false(other->auto_generated);
	g_assert_cmpint(filter_autoreply.run(foreign, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(filter_autoreply.run(answer, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(answer->kind, ==, MESSAGE_UNPROCESSED);
}

/* The one rule the filters and the reply policy share: tidings' own
 * address and its subaddresses, at its domain and at that of the reply
 * addresses; lists apart from responders. */
static void
test_detect(void)
{
	struct detect d;
	g_autoptr(Message) list = mail_with("List-Post: <mailto:chat@"
	    "lists.example.org>\n", "Weekly notes");
	g_autoptr(Message) bulk = mail_with("Precedence: bulk\n", "News");
	g_autoptr(Message) ooo = mail_with("Precedence: bulk\n"
	    "Auto-Submitted: auto-replied\nList-Id: <chat.example.org>\n",
	    "Out of office");
	g_autoptr(Message) lsubj = mail_with("List-Id: <chat.example.org>\n",
	    "Out of office: the rota for December");
	g_autoptr(Message) vac = mail_with("Precedence: bulk\n",
	    "Out of office");
	g_autoptr(Message) own = mail_with("", "Hello");
	g_autoptr(Message) marked = mail_with("X-Tidings: prompt 3\n", "x");

	g_assert_true(detect_own_address("standup@example.org",
	    "standup@example.org", NULL));
	g_assert_true(detect_own_address("STANDUP+help@Example.org",
	    "standup@example.org", NULL));
	g_assert_true(detect_own_address("standup+x7@replies.example.org",
	    "standup@example.org", "replies.example.org"));
	g_assert_false(detect_own_address("standup+x7@replies.example.org",
	    "standup@example.org", NULL));
	g_assert_false(detect_own_address("standups@example.org",
	    "standup@example.org", NULL));
	g_assert_false(detect_own_address(NULL, "standup@example.org", NULL));

	detect_machine(list, NULL, NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_LIST);
	detect_machine(bulk, NULL, NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_LIST);
	g_assert_cmpstr(d.why, ==, "Precedence: bulk");
	detect_machine(ooo, NULL, NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_MACHINE);
	g_assert_true(d.out_of_office);
	detect_machine(lsubj, NULL, NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_LIST);
	g_assert_false(d.out_of_office);
	detect_machine(vac, NULL, NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_MACHINE);
	g_assert_true(d.out_of_office);
	detect_machine(own, "ana@example.org", NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_TIDINGS);
	detect_machine(own, "standup@example.org", NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_PERSON);
	g_assert_null(d.why);
	detect_machine(marked, NULL, NULL, &d);
	g_assert_cmpint(d.sender, ==, DETECT_TIDINGS);
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
	g_test_add_func("/autoreply/texts", test_texts);
	g_test_add_func("/autoreply/detect", test_detect);
	g_test_add_func("/autoreply/unmarked-reply", test_unmarked_reply);
	return g_test_run();
}

/* Unit tests for bounce detection: RFC 3464 reports, the plain-text
 * notices of common mail servers, what is hard and what soft, and the mail
 * that only looks like a bounce. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "detect.h"
#include "filter.h"
#include "message.h"
#include "testmail.h"

static struct message *
parse_string(const char *text)
{
	g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
	g_autoptr(GError) error = NULL;
	struct message *msg = message_parse(raw, ARRIVAL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(msg);
	return msg;
}

/* The recipients of a mail that must be a bounce. */
static GPtrArray *
bounced(const struct message *msg)
{
	GPtrArray *r = NULL;

	g_assert_true(bounce_detect(msg, &r));
	g_assert_nonnull(r);
	g_assert_cmpuint(r->len, >, 0);
	return r;
}

static struct bounce_recipient *
rcpt(GPtrArray *r, guint i)
{
	g_assert_cmpuint(i, <, r->len);
	return r->pdata[i];
}

static void
assert_not_bounce(const struct message *msg)
{
	GPtrArray *r = (GPtrArray *)0x1;

	g_assert_false(bounce_detect(msg, &r));
	g_assert_null(r);
	g_assert_false(bounce_detect(msg, NULL));
}

static void
test_dsn_two_recipients(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-dsn-two.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	/* The delivered recipient is not a failure, nor the one still
	 * being tried (Action: delayed). */
	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "raj@example.net");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.1.1");
	g_assert_true(rcpt(r, 0)->hard);
	g_assert_nonnull(strstr(rcpt(r, 0)->diagnostic, "User unknown"));
}

static void
test_postfix(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-postfix.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "lena@old.example.net");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.1.1");
	g_assert_true(rcpt(r, 0)->hard);
}

static void
test_qmail(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-qmail.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	/* Not the Cc of the returned message, nor its sender. */
	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "tomas@example.net");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.1.1");
	g_assert_true(rcpt(r, 0)->hard);
	g_assert_nonnull(strstr(rcpt(r, 0)->diagnostic, "no mailbox here"));
}

static void
test_exim(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-exim.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 2);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "mei@example.com");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.2.2");
	/* Permanent, but a full mailbox says nothing about the address. */
	g_assert_false(rcpt(r, 0)->hard);
	g_assert_cmpstr(rcpt(r, 1)->address, ==, "jonas@gone.example");
	g_assert_cmpstr(rcpt(r, 1)->status, ==, "5.0.0");
	g_assert_true(rcpt(r, 1)->hard);
}

static void
test_exchange(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-exchange.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "noor@corp.example.com");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.1.10");
	g_assert_true(rcpt(r, 0)->hard);
}

/* Delay notices are no bounces: Gmail's warning in words, and an RFC
 * 3464 report whose only recipient is Action: delayed. */
static void
test_gmail_delay(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-gmail.eml");
	g_autoptr(Message) dsn = testmail_parse_file(
	    "notbounce-dsn-delayed.eml");

	assert_not_bounce(m);
	g_assert_cmpstr(bounce_not_failure(m), ==,
	    "a delay notice: delivery is still being tried");
	assert_not_bounce(dsn);
	g_assert_cmpstr(bounce_not_failure(dsn), ==,
	    "a delay notice: delivery is still being tried");
}

/* Challenge-response systems hold the mail until the sender is approved:
 * the address works, nothing failed. */
static void
test_challenge(void)
{
	static const char *const files[] = { "notbounce-challenge.eml",
	    "notbounce-boxbe.eml" };

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(Message) m = testmail_parse_file(files[i]);

		assert_not_bounce(m);
		g_assert_cmpstr(bounce_not_failure(m), ==,
		    "a challenge-response request, not a bounce");
	}
}

/* AOL's notice says little and attaches its report as a text file. */
static void
test_report_attached(void)
{
	g_autoptr(Message) m = testmail_parse_file(
	    "bounce-aol-attachment.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "dana.k@aol.example");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.1.1");
	g_assert_true(rcpt(r, 0)->hard);
	g_assert_null(bounce_not_failure(m));
}

/* A report cut off after its first part, without its delivery status
 * and returned message, still names the recipient its words name. */
static void
test_cut_off(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-cut-off.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "lars@example.net");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "5.1.1");
	g_assert_true(rcpt(r, 0)->hard);
}

static void
test_ses_json(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-ses-json.eml");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "kofi@example.net");
	g_assert_cmpstr(rcpt(r, 0)->status, ==, "4.2.2");
	g_assert_false(rcpt(r, 0)->hard);
}

static void
test_not_delivered_report(void)
{
	g_autoptr(Message) m = testmail_parse_file("notbounce-dsn-delivered.eml");

	assert_not_bounce(m);
}

static void
test_not_reply_quoting(void)
{
	g_autoptr(Message) m = testmail_parse_file("notbounce-reply-quoting.eml");

	assert_not_bounce(m);
}

static void
test_not_feedback_report(void)
{
	g_autoptr(Message) m = testmail_parse_file("notbounce-arf.eml");

	assert_not_bounce(m);
}

static void
test_not_autoreply(void)
{
	static const char *const files[] = { "autoreply-auto-submitted.eml",
	    "autoreply-exchange.eml", "autoreply-x-autoreply.eml",
	    "plain-reply.eml" };

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_autoptr(Message) m = testmail_parse_file(files[i]);
		assert_not_bounce(m);
	}
}

/* A delivery status notification with one recipient, STATUS and
 * DIAGNOSTIC; caller frees. */
static char *
dsn_mail(const char *status, const char *diagnostic)
{
	return g_strdup_printf(
	    "From: MAILER-DAEMON@mx.example.org\n"
	    "To: standup@example.org\n"
	    "Subject: Returned mail\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nFailed.\n\n"
	    "--b\nContent-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example.org\n\n"
	    "Final-Recipient: rfc822; someone@example.net\n"
	    "Action: failed\n"
	    "%s%s%s"
	    "Diagnostic-Code: smtp; %s\n\n--b--\n",
	    status != NULL ? "Status: " : "", status != NULL ? status : "",
	    status != NULL ? "\n" : "", diagnostic);
}

/* Hard means that the address is dead; the words of the remote server
 * weigh more than its code. */
static void
test_severity(void)
{
	static const struct {
		const char *status;
		const char *diagnostic;
		gboolean hard;
	} cases[] = {
		{ "5.1.1", "550 5.1.1 <someone@example.net>: User unknown",
		    TRUE },
		{ "5.0.0", "550 No such user here", TRUE },
		{ "5.0.0", "550 Host unknown", TRUE },
		{ "5.4.4", "Host or domain name not found", TRUE },
		{ "5.1.6", "551 5.1.6 Recipient has moved", TRUE },
		{ NULL, "550 Requested action not taken: mailbox unavailable",
		    TRUE },
		{ "5.2.2", "552 5.2.2 Mailbox full", FALSE },
		{ "5.0.0", "552 Quota exceeded", FALSE },
		{ "5.7.1", "550 5.7.1 Message rejected as spam", FALSE },
		{ "5.1.1", "550 5.7.1 IP address blacklisted by recipient",
		    FALSE },
		{ "5.1.8", "553 5.1.8 Domain of sender address does not exist",
		    FALSE },
		{ "4.4.1", "Connection timed out", FALSE },
		{ "5.0.0", "554 Transaction failed (in reply to end of DATA "
		    "command)", FALSE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = dsn_mail(cases[i].status,
		    cases[i].diagnostic);
		g_autoptr(Message) m = parse_string(text);
		g_autoptr(GPtrArray) r = bounced(m);
		if (rcpt(r, 0)->hard != cases[i].hard)
			g_error("%s: hard is %d", cases[i].diagnostic,
			    rcpt(r, 0)->hard);
		g_assert_nonnull(rcpt(r, 0)->status);
	}
}

static void
test_status_from_text(void)
{
	/* No Status field: the enhanced code in the diagnostic, and failing
	 * that the class of the SMTP reply. */
	g_autofree char *a = dsn_mail(NULL, "550 5.1.2 Host not found");
	g_autofree char *b = dsn_mail(NULL, "452 Too many recipients");
	g_autoptr(Message) ma = parse_string(a);
	g_autoptr(Message) mb = parse_string(b);
	g_autoptr(GPtrArray) ra = bounced(ma);
	g_autoptr(GPtrArray) rb = bounced(mb);

	g_assert_cmpstr(rcpt(ra, 0)->status, ==, "5.1.2");
	g_assert_cmpstr(rcpt(rb, 0)->status, ==, "4.0.0");
	g_assert_false(rcpt(rb, 0)->hard);
}

static void
test_daemon_without_recipients(void)
{
	/* A mail system that names nobody has nobody to disable. */
	g_autoptr(Message) m = parse_string(
	    "From: MAILER-DAEMON@mx.example.org\n"
	    "To: standup@example.org\n"
	    "Subject: Mail system notice\n\n"
	    "The mail system was restarted.\n");

	assert_not_bounce(m);
}

static void
test_indented_returned_message(void)
{
	/* The returned message quoted indented, then a line shorter than
	 * the indentation (once read past its end). */
	g_autoptr(Message) m = parse_string(
	    "From: MAILER-DAEMON@mx.example.org\n"
	    "To: standup@example.org\n"
	    "Subject: failure notice\n\n"
	    "<wei@example.net>:\n"
	    "550 5.1.1 user unknown\n\n"
	    "--- Below this line is a copy of the message.\n\n"
	    "    Return-Path: <digest@example.org>\n"
	    "    From: digest@example.org\n"
	    "      (continued)\n"
	    "a\n");
	g_autoptr(GPtrArray) r = bounced(m);

	g_assert_cmpuint(r->len, ==, 1);
	g_assert_cmpstr(rcpt(r, 0)->address, ==, "wei@example.net");
	g_assert_true(rcpt(r, 0)->hard);
}

/* Notices built to be slow or huge: a line of thousands of addresses,
 * thousands of lines, runs of dots and at signs, a long failed-recipients
 * header.  Each must stay quick and keep a bounded list. */
static void
test_hostile(void)
{
	const char *head = "From: MAILER-DAEMON@mx.example.org\n"
	    "To: standup@example.org\n";
	GString *cases[4];
	g_autoptr(GTimer) timer = g_timer_new();

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		cases[i] = g_string_new(head);
	g_string_append(cases[0], "Subject: Undelivered Mail\n\n"
	    "The following addresses failed:\n");
	g_string_append(cases[1], "Subject: failure notice\n\n");
	g_string_append(cases[2], "Subject: Returned mail\n\n"
	    "x@example.net failed 5.");
	g_string_append(cases[3], "X-Failed-Recipients: ");
	for (guint i = 0; i < 20000; i++) {
		g_string_append_printf(cases[0], "u%u@example.net, ", i);
		g_string_append_printf(cases[1], "<u%u@example.net>: 550 5.1.1 "
		    "user unknown\n", i);
		g_string_append(cases[2], "5.5.@@");
		if (i < 5000)
			g_string_append_printf(cases[3], "u%u@example.net, ",
			    i);
	}
	g_string_append(cases[3], "\nSubject: failure notice\n\nfailed\n");
	for (guint i = 0; i < 5000; i++)
		g_string_append_printf(cases[3], "u%u@example.net\n", i);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(Message) m = parse_string(cases[i]->str);
		g_autoptr(GPtrArray) r = NULL;
		if (bounce_detect(m, &r))
			g_assert_cmpuint(r->len, <=, 256);
		g_string_free(cases[i], TRUE);
	}
	/* Generous, for sanitizers and slow machines; quadratic work here
	 * takes minutes. */
	g_assert_cmpfloat(g_timer_elapsed(timer, NULL), <, 10.0);
}

static void
test_filter_run(void)
{
	g_autoptr(Message) m = testmail_parse_file("bounce-dsn-two.eml");
	g_autoptr(Message) reply = testmail_parse_file("plain-reply.eml");
	g_autoptr(Message) delay = testmail_parse_file(
	    "notbounce-dsn-delayed.eml");
	g_autoptr(Message) nobody = testmail_parse_file(
	    "bounce-names-nobody.eml");
	struct filter_ctx ctx = { 0 };

	g_assert_cmpstr(filter_bounce.name, ==, "bounce");
	g_assert_cmpint(filter_bounce.run(m, &ctx), ==, FILTER_DONE);
	g_assert_cmpint(m->kind, ==, MESSAGE_BOUNCE);
	g_assert_true(m->auto_generated);
	g_assert_nonnull(m->bounce);
	g_assert_cmpuint(m->bounce->len, ==, 1);
	g_assert_nonnull(strstr(m->reason, "1 recipient failed"));

	/* A delay notice is a machine's mail, kept as such: nothing after
	 * reads it as a reply or an out-of-office. */
	g_assert_cmpint(filter_bounce.run(delay, &ctx), ==, FILTER_DONE);
	g_assert_cmpint(delay->kind, ==, MESSAGE_AUTOREPLY);
	g_assert_true(delay->auto_generated);
	g_assert_false(delay->out_of_office);
	g_assert_null(delay->bounce);
	g_assert_nonnull(strstr(delay->reason, "delay notice"));

	/* A notice cut off before it names anyone is a bounce only when it
	 * came to a bounce address, which names the recipient. */
	assert_not_bounce(nobody);
	g_assert_cmpint(filter_bounce.run(nobody, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(nobody->kind, ==, MESSAGE_UNPROCESSED);
	ctx.address = "standup@example.org";
	g_assert_cmpint(filter_bounce.run(nobody, &ctx), ==, FILTER_DONE);
	g_assert_cmpint(nobody->kind, ==, MESSAGE_BOUNCE);
	g_assert_nonnull(nobody->bounce);
	g_assert_cmpuint(nobody->bounce->len, ==, 0);
	ctx.address = "other@example.org";
	nobody->kind = MESSAGE_UNPROCESSED;
	g_assert_cmpint(filter_bounce.run(nobody, &ctx), ==, FILTER_NEXT);

	g_assert_cmpint(filter_bounce.run(reply, &ctx), ==, FILTER_NEXT);
	g_assert_cmpint(reply->kind, ==, MESSAGE_UNPROCESSED);
	g_assert_null(reply->bounce);
	g_assert_null(reply->reason);
	g_assert_false(reply->auto_generated);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bounce/dsn-two-recipients", test_dsn_two_recipients);
	g_test_add_func("/bounce/postfix", test_postfix);
	g_test_add_func("/bounce/qmail", test_qmail);
	g_test_add_func("/bounce/exim", test_exim);
	g_test_add_func("/bounce/exchange", test_exchange);
	g_test_add_func("/bounce/not/delay", test_gmail_delay);
	g_test_add_func("/bounce/not/challenge", test_challenge);
	g_test_add_func("/bounce/report-attached", test_report_attached);
	g_test_add_func("/bounce/cut-off", test_cut_off);
	g_test_add_func("/bounce/ses-json", test_ses_json);
	g_test_add_func("/bounce/not/delivered-report",
	    test_not_delivered_report);
	g_test_add_func("/bounce/not/reply-quoting", test_not_reply_quoting);
	g_test_add_func("/bounce/not/feedback-report",
	    test_not_feedback_report);
	g_test_add_func("/bounce/not/autoreply", test_not_autoreply);
	g_test_add_func("/bounce/not/daemon-without-recipients",
	    test_daemon_without_recipients);
	g_test_add_func("/bounce/severity", test_severity);
	g_test_add_func("/bounce/status-from-text", test_status_from_text);
	g_test_add_func("/bounce/indented-returned-message",
	    test_indented_returned_message);
	g_test_add_func("/bounce/hostile", test_hostile);
	g_test_add_func("/bounce/filter", test_filter_run);
	return g_test_run();
}

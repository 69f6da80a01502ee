/* Unit tests for reply extraction: quotes, attributions in many languages,
 * Outlook blocks, forwards, signatures, and text that only looks like
 * them and must stay. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "filter.h"
#include "message.h"
#include "reply.h"

#define ANSWER "Yesterday: the parser.\nToday: the tests.\nBlockers: none."

/* The reply of TEXT must be EXPECT (both functions, as the pipeline runs
 * them), and nothing may be taken for a forward. */
static void
check_extract(const char *text, const char *expect)
{
	g_autofree char *fwd = NULL;
	g_autofree char *got = reply_extract(text, &fwd);

	if (g_strcmp0(got, expect) != 0)
		g_test_message("input:\n%s\n-- got:\n%s", text, got);
	g_assert_cmpstr(got, ==, expect);
	g_assert_null(fwd);
}

/* TEXT must come out of reply_extract as it went in, blank lines and white
 * space at the line ends aside. */
static void
check_kept(const char *text)
{
	g_autofree char *copy = g_strstrip(g_strdup(text));

	check_extract(text, copy);
}

/* The quoting markers: "On … wrote:" in the languages mailers speak, with
 * the answer above them; each is cut with '>' quoting below it and with
 * an unquoted copy of the original below it. */
static const char *const attributions[] = {
	/* English: Gmail, Apple Mail, Thunderbird, Eudora, Zoho */
	"On Wed, Feb 5, 2020 at 10:00 AM Ana Lima <ana@example.org> wrote:",
	"On 5 Feb 2020, at 10:00, Ana Lima <ana@example.org> wrote:",
	"On 05.02.20 10:00, Ana Lima wrote:",
	"At 10:00 AM 2/5/2020, you wrote:",
	"---- On Wed, 05 Feb 2020 10:00:00 +0100 Ana Lima <ana@example.org> "
	    "wrote ----",
	"Ana Lima <ana@example.org> wrote:",
	"Quoting Ana Lima <ana@example.org>:",
	/* Gmail's older forms, the date first */
	"2020-02-05 10:00 GMT+01:00 Ana Lima <ana@example.org>:",
	"2020/2/5 Ana Lima <ana@example.org>",
	/* German */
	"Am Mi., 5. Feb. 2020 um 10:00 Uhr schrieb Ana Lima <ana@example.org>:",
	"Am 05.02.2020 um 10:00 schrieb Ana Lima:",
	"Ana Lima <ana@example.org> schrieb am Mi., 5. Feb. 2020, 10:00:",
	/* French, with the no-break space before the colon */
	"Le mer. 5 févr. 2020 à 10:00, Ana Lima <ana@example.org> "
	    "a écrit\u00a0:",
	"Le 05/02/2020 à 10:00, Ana Lima a écrit :",
	/* Spanish */
	"El mié., 5 feb. 2020 a las 10:00, Ana Lima (<ana@example.org>) "
	    "escribió:",
	"El 5 feb 2020, a las 10:00, Ana Lima <ana@example.org> escribió:",
	/* Italian */
	"Il giorno mer 5 feb 2020 alle ore 10:00 Ana Lima <ana@example.org> "
	    "ha scritto:",
	"Il 05/02/2020 10:00, Ana Lima ha scritto:",
	/* Portuguese: Brazil, then Portugal */
	"Em qua., 5 de fev. de 2020 às 10:00, Ana Lima <ana@example.org> "
	    "escreveu:",
	"Ana Lima <ana@example.org> escreveu no dia quarta, 5/02/2020 à(s) "
	    "10:00:",
	"No dia 05/02/2020, às 10:00, Ana Lima <ana@example.org> escreveu:",
	/* Dutch */
	"Op wo 5 feb. 2020 om 10:00 schreef Ana Lima <ana@example.org>:",
	"Op 5 feb. 2020 om 10:00 heeft Ana Lima <ana@example.org> het volgende "
	    "geschreven:",
	/* Swedish, Danish, Norwegian */
	"Den ons 5 feb. 2020 kl 10:00 skrev Ana Lima <ana@example.org>:",
	"Den ons. 5. feb. 2020 kl. 10.00 skrev Ana Lima <ana@example.org>:",
	"ons. 5. feb. 2020 kl. 10:00 skrev Ana Lima <ana@example.org>:",
	/* Finnish */
	"ke 5. helmik. 2020 klo 10.00 Ana Lima (ana@example.org) kirjoitti:",
	/* Polish */
	"śr., 5 lut 2020 o 10:00 Ana Lima <ana@example.org> napisał(a):",
	"W dniu 05.02.2020 o 10:00, Ana Lima pisze:",
	/* Czech */
	"st 5. 2. 2020 v 10:00 odesílatel Ana Lima <ana@example.org> napsal:",
	"Dne 05.02.2020 v 10:00 Ana Lima napsal(a):",
	/* Russian: Gmail has no verb; others do */
	"ср, 5 февр. 2020 г. в 10:00, Ana Lima <ana@example.org>:",
	"5 февраля 2020 г., в 10:00, Ana Lima написал(а):",
	"Среда, 5 февраля 2020, 10:00 +03:00 от Ana Lima <ana@example.org>"
	    " пишет:",
	/* Ukrainian */
	"ср, 5 лют. 2020 о 10:00 Ana Lima <ana@example.org> пише:",
	/* Japanese: Gmail, Apple Mail */
	"2020年2月5日(水) 10:00 Ana Lima <ana@example.org>:",
	"2020/02/05 10:00、Ana Lima <ana@example.org>のメール:",
	/* Chinese: simplified, traditional */
	"Ana Lima <ana@example.org> 于2020年2月5日周三 上午10:00写道：",
	"在 2020年2月5日，上午10:00，Ana Lima <ana@example.org> 写道：",
	"Ana Lima <ana@example.org> 於 2020年2月5日 週三 上午10:00寫道：",
	/* Korean */
	"2020년 2월 5일 (수) 오전 10:00, Ana Lima <ana@example.org>님이 작성:",
	/* Turkish */
	"Ana Lima <ana@example.org>, 5 Şub 2020 Çar, 10:00 tarihinde şunu "
	    "yazdı:",
	/* Hebrew, Gmail with its direction marks, then Apple Mail */
	"\u202b\u05d1\u05ea\u05d0\u05e8\u05d9\u05da \u05d9\u05d5\u05dd "
	    "\u05d3\u05f3, 5 \u05d1\u05e4\u05d1\u05e8\u05f3 2020 \u05d1-10:00 "
	    "\u05de\u05d0\u05ea \u202aAna Lima\u202c\u200f <\u202a"
	    "ana@example.org\u202c\u200f>:\u202c",
	"\u05d1-5 \u05d1\u05e4\u05d1\u05e8\u05f3 2020, "
	    "\u05d1\u05e9\u05e2\u05d4 10:00, Ana Lima <ana@example.org> "
	    "\u05db\u05ea\u05d1/\u05d4:",
	/* Hungarian, Greek */
	"Ana Lima <ana@example.org> ezt írta (időpont: 2020. febr. 5., Sze, "
	    "10:00):",
	"Στις Τετ, 5 Φεβ 2020 στις 10:00, ο/η Ana Lima <ana@example.org> "
	    "έγραψε:",
};

static void
test_attributions(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(attributions); i++) {
		const char *a = attributions[i];
		g_autofree char *quoted = g_strdup_printf("%s\n\n%s\n> What "
		    "did you work on?\n>\n> -- \n> The bot\n", ANSWER, a);
		g_autofree char *unquoted = g_strdup_printf("%s\n\n%s\n\n"
		    "What did you work on?\n", ANSWER, a);

		check_extract(quoted, ANSWER);
		check_extract(unquoted, ANSWER);
	}
}

/* Mailers wrap long attributions, often inside the address. */
static const char *const wrapped[] = {
	"On Wed, Feb 5, 2020 at 10:00 AM Ana Lima <\nana@example.org> wrote:",
	"On Mon, Feb 1, 2016 at 6:32 PM, Jeff Atwood <info@example.org>\n"
	    "wrote:",
	"On Dec 16, 2011, at 12:47 PM, Corey Donohoe\n<reply@example.org>\n"
	    "wrote:",
	"On Tue, Sep 25, 2012 at 8:59 AM, Chris W\n<notifications@example.org>"
	    "wrote:",
	"Le 4 janv. 2016 19:03, \"Neil Lalonde\"\n<info@example.org>\n"
	    "a écrit :",
	"Am 21.04.2016 17:48 schrieb \"Einz Zwei\" <noreply@example.org\n>:",
	"Max Mustermann <max@example.org> schrieb am Fr., 28.\n"
	    "Apr. 2017 um 11:53 Uhr:",
	"Em 2 de fevereiro de 2015 10:58, discourse <\ninfo@example.org> "
	    "escreveu:",
	"Op 16 aug. 2014 05:13 schreef \"codinghorror\" <info@example.org> "
	    "het\nvolgende geschreven:",
	"20 окт. 2016 г. 19:37 пользователь \"Rafael Silva\" <\n"
	    "meta@example.org> написал:",
	"2016-10-24 15:36 GMT+02:00 Foo Bar <\ninfo@example.org>:",
	"On Thu, 31 Mar 2016 at 11:16 Some One\n\n<\n"
	    "mailto:Some One <some.one@example.org>\n> wrote:",
};

static void
test_wrapped_attributions(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(wrapped); i++) {
		const char *w = wrapped[i];
		g_autofree char *top = g_strdup_printf("%s\n%s\n\n"
		    "> Question?\n>\n", ANSWER, w);
		g_autofree char *bottom = g_strdup_printf("%s\n\n"
		    "> Question?\n\n%s\n", w, ANSWER);

		check_extract(top, ANSWER);
		check_extract(bottom, ANSWER);
	}
}

static void
test_quote_depths(void)
{
	check_extract(ANSWER "\n\nOn 5 Feb 2020, at 10:00, Ana <a@example.org> "
	    "wrote:\n> one\n>> two\n>>> three\n> > > three again\n>\n"
	    ">> On 4 Feb 2020, at 9:00, Bo <b@example.org> wrote:\n>>> four\n",
	    ANSWER);
	/* No attribution at all: a quote that nothing follows is cut. */
	check_extract(ANSWER "\n\n> one\n>> two\n>>>three\n", ANSWER);
	/* Supercite's "Name>" runs. */
	check_extract(ANSWER "\n\nRichard> one\nRichard> two\n", ANSWER);
	/* "|" is a table, not a quote. */
	check_kept("| task | state |\n| parser | done |");
}

/* An inline answer keeps the questions it answers, loses the attribution
 * and the quote nothing answers. */
static void
test_inline(void)
{
	check_extract("On Wed, Feb 5, 2020 at 10:00 AM Bot <bot@example.org> "
	    "wrote:\n\n> What did you work on?\n\nThe parser.\n\n"
	    "> Any blockers?\n\nNone.\n\n> --\n> The bot\n\n-- \nAna\n",
	    "> What did you work on?\n\nThe parser.\n\n> Any blockers?\n\n"
	    "None.");
	check_extract("Hi,\nOn Tue, 2011-03-01 at 18:02 +0530, Bo wrote:\n"
	    "> Question one?\n\nAnswer one.\n",
	    "Hi,\n> Question one?\n\nAnswer one.");
	/* A quote chosen by the writer, with no attribution, stays. */
	check_kept("> This is a quote.\n\nAnd this is some text.");
}

static void
test_bottom_post(void)
{
	check_extract("On Mon, Aug 19, 2013 at 2:36 AM, Bo <bo@example.org> "
	    "wrote:\n\n> What did you work on?\n>\n> Any blockers?\n\n" ANSWER
	    "\n", ANSWER);
	check_extract("Le 2016-11-16 02:22, Bo a écrit\u00a0:\n> Question\n>> "
	    "older\n> more\n\nMerci !\n", "Merci !");
}

/* A mail that is all quote keeps it: that is what the sender sent. */
static void
test_quote_only(void)
{
	check_extract("> Email with only quote.\n", "> Email with only quote.");
	check_extract("On 5 Feb 2020, at 10:00, Ana <a@example.org> wrote:\n"
	    "> only this\n", "> only this");
	/* Unless it holds nothing but attributions. */
	check_extract("> On 5 Feb 2020, at 10:00, Ana <a@example.org> wrote:\n"
	    ">\n>> On 5 Feb 2020, at 9:00, Ana <a@example.org> wrote:\n>>\n",
	    "");
}

static void
test_outlook(void)
{
	check_extract(ANSWER "\n\n________________________________\n"
	    "From: Bot <bot@example.org>\nSent: Wednesday, February 5, 2020 "
	    "10:00 AM\nTo: Ana Lima <ana@example.org>\nSubject: Check-in\n\n"
	    "What did you work on?\n", ANSWER);
	check_extract(ANSWER "\n\n ------------------------------\n\n"
	    "*From:* Bot [mailto:bot@example.org]\n*Sent:* Thursday, February "
	    "09, 2012 1:36 PM\n*To:* ana@example.org\n*Subject:* Check-in\n\n"
	    "Question\n", ANSWER);
	check_extract(ANSWER "\nFrom: Bot [bot@example.org]\nSent: Friday, 23 "
	    "March 2012 5:08 p.m.\nTo: Ana\nSubject: Check-in\n\n> Question\n",
	    ANSWER);
	/* German, French, Spanish, Italian, Swedish, Dutch */
	check_extract(ANSWER "\n\nVon: Bot <bot@example.org>\nGesendet: "
	    "Mittwoch, 5. Februar 2020 10:00\nAn: Ana Lima <ana@example.org>\n"
	    "Betreff: Check-in\n\nWas hast du gemacht?\n", ANSWER);
	check_extract(ANSWER "\n\nDe\u00a0: Bot <bot@example.org>\nEnvoyé\u00a0"
	    ": mercredi 5 février 2020 10:00\nÀ\u00a0: Ana Lima\nObjet\u00a0: "
	    "Check-in\n\nQu'as-tu fait ?\n", ANSWER);
	check_extract(ANSWER "\n\nDe: Bot <bot@example.org>\nEnviado: miércoles"
	    ", 5 de febrero de 2020 10:00\nPara: Ana Lima\nAsunto: Check-in\n\n"
	    "¿Qué hiciste?\n", ANSWER);
	check_extract(ANSWER "\n\nDa: Bot\nRisposta: Bot / Team\nData: "
	    "mercoledì 5 febbraio 2020 10:00\nA: Ana Lima\nOggetto: Check-in\n"
	    "\nCosa hai fatto?\n", ANSWER);
	check_extract(ANSWER "\n\nFrån: Bot [mailto:bot@example.org]\nSkickat: "
	    "den 5 februari 2020 10:00\nTill: ana@example.org\nÄmne: Check-in\n"
	    "\nVad gjorde du?\n", ANSWER);
	check_extract(ANSWER "\n\nVan: Bot <bot@example.org>\nVerzonden: "
	    "woensdag 5 februari 2020 10:00\nAan: Ana Lima\nOnderwerp: "
	    "Check-in\n\nWat heb je gedaan?\n", ANSWER);
}

static void
test_original_message(void)
{
	check_extract(ANSWER "\n\n-----Original Message-----\nFrom: Bot\nSent: "
	    "Wednesday, February 5, 2020 10:00 AM\nTo: Ana\nSubject: Check-in"
	    "\n\nQuestion\n", ANSWER);
	check_extract(ANSWER "\n\n-----Ursprüngliche Nachricht-----\nVon: Bot\n"
	    "\nFrage\n", ANSWER);
	check_extract(ANSWER "\n\n-----Mensaje original-----\nDe: Bot\n\n"
	    "Pregunta\n", ANSWER);
	check_extract(ANSWER "\n\n*-------- Original Message --------*\n\n"
	    "THE END.\n", ANSWER);
}

static void
check_forward(const char *text, const char *reply, const char *first,
    const char *last)
{
	g_autofree char *fwd = NULL;
	g_autofree char *got = reply_extract(text, &fwd);

	g_assert_cmpstr(got, ==, reply);
	g_assert_nonnull(fwd);
	g_assert_true(g_str_has_prefix(fwd, first));
	g_assert_true(g_str_has_suffix(fwd, last));
}

static void
test_forwarded(void)
{
	/* Gmail */
	check_forward("FYI, this blocks me.\n\n---------- Forwarded message "
	    "---------\nFrom: Ops <ops@example.org>\nDate: Wed, Feb 5, 2020 at "
	    "10:00 AM\nSubject: Outage\nTo: <ana@example.org>\n\n\nThe build "
	    "farm is down.\n", "FYI, this blocks me.",
	    "---------- Forwarded message ---------\nFrom: Ops",
	    "The build farm is down.");
	/* Gmail puts the signature above the forward. */
	check_forward("FYI.\n\n-- \nAna Lima\n\n---------- Forwarded message "
	    "---------\nFrom: Ops <ops@example.org>\nSubject: Outage\n\nDown."
	    "\n", "FYI.", "---------- Forwarded", "Down.");
	/* Apple Mail quotes what it forwards; *forwarded is unquoted. */
	check_forward("See below.\n\n> Begin forwarded message:\n>\n"
	    "> From: Ops <ops@example.org>\n> Subject: Outage\n> Date: 5 "
	    "February 2020 at 10:00:00 CET\n> To: ana@example.org\n>\n"
	    "> The build farm is down.\n", "See below.",
	    "Begin forwarded message:\n\nFrom: Ops", "The build farm is down.");
	check_forward("Siehe unten.\n\nAnfang der weitergeleiteten "
	    "Nachricht:\n\nVon: Ops <ops@example.org>\nBetreff: Ausfall\n\n"
	    "Alles steht.\n", "Siehe unten.", "Anfang der weitergeleiteten",
	    "Alles steht.");
	/* Thunderbird */
	check_forward("Look.\n\n-------- Forwarded Message --------\nSubject: "
	    "Outage\nDate: Wed, 5 Feb 2020 10:00:00 +0100\nFrom: Ops <ops@"
	    "example.org>\n\nDown.\n", "Look.", "-------- Forwarded Message",
	    "Down.");
	/* Outlook forwards exactly as it quotes: a header block with nothing
	 * written above it is a forward. */
	check_forward("________________________________\nFrom: Ops <ops@"
	    "example.org>\nSent: Wednesday, February 5, 2020 10:00 AM\nTo: Ana "
	    "Lima\nSubject: Outage\n\nDown.\n", "", "From: Ops", "Down.");
	/* A forward with nothing written above it. */
	check_forward("---------- Forwarded message ----------\nFrom: Ops <ops@"
	    "example.org>\nSubject: Outage\n\nDown.\n", "", "----------",
	    "Down.");
	/* The caller need not ask for it. */
	g_autofree char *r = reply_strip_quotes("Hi\n\n---------- Forwarded "
	    "message ---------\nFrom: X\n", NULL);
	g_assert_cmpstr(r, ==, "Hi");
}

static void
test_signatures(void)
{
	check_extract(ANSWER "\n\n-- \nAna Lima\nPlatform team\n", ANSWER);
	check_extract(ANSWER "\n\n--\nAna Lima\n", ANSWER);
	check_extract(ANSWER "\n\nSent from my iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nSent from my Verizon Wireless BlackBerry\n",
	    ANSWER);
	check_extract(ANSWER "\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n",
	    ANSWER);
	check_extract(ANSWER "\n\nGet Outlook for Android\n", ANSWER);
	check_extract(ANSWER "\n\nSent from Mail for Windows 10\n", ANSWER);
	check_extract(ANSWER "\n\nSent from Outlook Mobile<https://example.org>"
	    "\n", ANSWER);
	check_extract(ANSWER "\n\nEnvoyé de mon iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nVon meinem iPhone gesendet\n", ANSWER);
	check_extract(ANSWER "\n\nEnviado desde mi iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nEnviado do meu iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nInviato da iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nVerzonden vanaf mijn iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nSkickat från min iPhone\n", ANSWER);
	check_extract(ANSWER "\n\nSendt fra min iPad\n", ANSWER);
	check_extract(ANSWER "\n\nLähetetty iPhonesta\n", ANSWER);
	check_extract(ANSWER "\n\nWysłane z mojego iPhone'a\n", ANSWER);
	check_extract(ANSWER "\n\nОтправлено с iPhone\n", ANSWER);
	check_extract(ANSWER "\n\niPhoneから送信\n", ANSWER);
	check_extract(ANSWER "\n\n发自我的iPhone\n", ANSWER);
	check_extract(ANSWER "\n\n내 iPhone에서 보냄\n", ANSWER);
	check_extract(ANSWER "\n\niPhone'umdan gönderildi\n", ANSWER);
	/* A mailing list's footer. */
	check_extract(ANSWER "\n\n______________________________________"
	    "\nteam mailing list\nteam@example.org\n", ANSWER);
	/* Everything below the first marker goes. */
	check_extract(ANSWER "\n\nSent from my iPhone\n\nSent via mobile\n"
	    "Someone from mobile\n", ANSWER);
	/* A "-Name" sign-off goes, an em dash one stays, as do list items. */
	check_extract(ANSWER "\n\n-Abhishek Kona\n", ANSWER);
	check_kept(ANSWER "\n\n\u2014Ryan");
	check_kept("Done:\n- the parser\n\n-Tests");
	check_kept("-Ana");
	check_extract(ANSWER "\n\n-- Ana Lima\n", ANSWER);
	/* The signature below a quote goes with the quote. */
	check_extract(ANSWER "\n\nOn 5 Feb 2020, at 10:00, Bot <b@example.org> "
	    "wrote:\n> Question\n\n-- \nAna\n", ANSWER);
}

/* The cheap tests in front of the signature patterns rule out no line the
 * patterns take, whatever its case or script; and one line alone opens a
 * signature exactly when reply_strip_signature() cuts it whole. */
static void
test_signature_lines(void)
{
	static const char *const lines[] = {
		"SENT FROM MY IPHONE", "(Sent from my phone)",
		"  Sent from my iPhone  ", "ОТПРАВЛЕНО С IPHONE",
		"WYSŁANE Z MOJEGO IPHONE'A", "LÄHETETTY IPHONESTA",
		"iPhone'UMDAN GÖNDERİLDİ", "iPhone'umdan GONDERILDI",
		"发自我的iPhone", "내 iPhone에서 보냄", "-- ", "_____",
		"\xe1\x90\xa7", " \xe1\x90\xa7 ", "Sentiment is fine",
		"Köln sent from my desk", "Getting there", "> Sent from my iPhone",
		"docs K\xc3\xb6ln review", "Get Outlook for iOS",
		"ENVOYÉ DE MON IPHONE", "Envoyée hier, la note", "Sendt fra min "
		"iPhone", "Dieses Büro", "Hämta Outlook för iOS", "Downlöad",
	};

	check_extract(ANSWER "\n\nSENT FROM MY IPHONE\n", ANSWER);
	check_extract(ANSWER "\n\n(Sent from my phone)\n", ANSWER);
	check_extract(ANSWER "\n\nОТПРАВЛЕНО С IPHONE\n", ANSWER);
	check_extract(ANSWER "\n\nENVOYÉ DE MON IPHONE\n", ANSWER);
	g_assert_false(reply_signature_line("Dieses Büro ist zu"));
	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
		g_autofree char *rest = reply_strip_signature(lines[i]);
		g_assert_cmpint(reply_signature_line(lines[i]), ==,
		    *rest == '\0');
	}
}

/* Text that looks like a marker and is not. */
static void
test_false_positives(void)
{
	check_kept("On Monday we shipped the new build.\nOn Tuesday at 10:00 "
	    "we fixed two bugs.\n\nThat's it.");
	check_kept("On your remote host you can run:\n\n    telnet 127.0.0.1 "
	    "52698\n\nThat should connect.");
	check_kept("One outstanding question I had:\n\nwhy?");
	check_kept("Yesterday I wrote 3 tests for:\n- the parser\n- the lexer");
	check_kept("As Bo wrote:\n> keep it simple\n\nI agree.");
	check_kept("Blockers: waiting on Bob, who wrote on 3/2/2026:\n"
	    "> we'll fix it next week\n\nSo I wait.");
	check_kept("Yesterday:\n- parser\nOn Monday at 10:00 I wrote:\n"
	    "- a doc\n- tests");
	check_kept("The build went from 10 min -> 2 min, and 3 > 2 anyway.");
	check_kept("And here is a fix -- this is not a signature.\n\nkthxbai");
	check_kept("Yesterday:\n- parser\n\n---\n\nToday:\n- tests");
	check_kept("Here is another email\n\nSent from my desk, is much easier "
	    "then my mobile phone.");
	check_kept("I sent from Berlin the paper copies.\nSent from Berlin");
	check_kept("Date: Friday\nTo do: the parser");
	check_kept("A> B is a relation we need.");
	/* Code blocks: nothing inside them is a quote or a signature. */
	check_kept("Run this:\n\n```\n$ cat <<EOF\n> hello\n> EOF\n--\n"
	    "SELECT 1; --\n```\n\nThen it works.");
	check_kept("This is not a ---------- delimiter.");
	/* A stray fence opens no code block. */
	check_extract("```\nUse it for code.\n\nOn 5 Feb 2020, at 10:00, Bo "
	    "<b@example.org> wrote:\n> Question\n", "```\nUse it for code.");
}

/* Numbered answers written above the attribution are answers, not the
 * start of an attribution the mailer wrapped. */
static void
test_numbered_above(void)
{
	check_extract("1. Shipped billing.\n2. Load test.\n\nOn Thu, Mar 11, "
	    "2027 at 07:31:00PM +0000, Platform wrote:\n> hi\n",
	    "1. Shipped billing.\n2. Load test.");
	check_extract("1. Shipped billing\n2. Moved 3 tickets\n3. none\n"
	    "4. 2 reviews\nOn Thu, Mar 11, 2027 at 07:31 PM Platform <"
	    "standup@example.org> wrote:\n> 1. What did you work on?\n",
	    "1. Shipped billing\n2. Moved 3 tickets\n3. none\n4. 2 reviews");
	check_extract("1) Exports\n2) Imports\nOn 11 Mar 2027, at 19:31, "
	    "Platform\n<standup@example.org> wrote:\n> hi\n",
	    "1) Exports\n2) Imports");
	/* Dates still begin wrapped attributions. */
	check_extract("Done.\n\n11.03.2027 19:31, Platform <\n"
	    "standup@example.org> wrote:\n> hi\n", "Done.");
}

static void
test_attribution_at_top(void)
{
	/* Some mailers put the attribution over a reply they did not
	 * quote: only the attribution goes. */
	check_extract("On 8 May 2017 17:34, \"Andy\" <andy@example.org> "
	    "wrote:\n\n    nil && 2.0\n\nIt should be:\n\n    2.0 && 2.0\n",
	    "    nil && 2.0\n\nIt should be:\n\n    2.0 && 2.0");
}

static void
test_line_ends(void)
{
	check_extract("Email with\r\nwindows\r\nline\r\nendings\r\n\r\n"
	    "On Tue, Sep 25, 2012 at 8:59 AM, Bo <bo@example.org> wrote:\r\n"
	    "> quote\r\n", "Email with\nwindows\nline\nendings");
	check_extract("old\rmac\r", "old\nmac");
	check_extract("\n\n\n   \nStrip the empty lines around.\n\n\n",
	    "Strip the empty lines around.");
	check_extract("trailing  \nspaces\t\n", "trailing\nspaces");
	check_extract("", "");
}

static void
test_null_and_invalid(void)
{
	char *fwd = (char *)"not to be freed";
	g_autofree char *a = NULL, *b = NULL, *c = NULL;

	/* *forwarded is always set, to NULL when nothing is forwarded. */
	a = reply_extract(NULL, &fwd);
	g_assert_cmpstr(a, ==, "");
	g_assert_null(fwd);
	b = reply_strip_signature(NULL);
	g_assert_cmpstr(b, ==, "");
	/* Invalid UTF-8 is repaired, not trusted. */
	c = reply_extract("caf\xe9 ok\n\n-- \nsig\n", NULL);
	g_assert_true(g_utf8_validate(c, -1, NULL));
	g_assert_true(g_str_has_suffix(c, " ok"));
}

/* Worst cases: one huge line, many markers.  They must simply finish;
 * the corpus test measures time. */
static void
test_large(void)
{
	GString *s = g_string_new("Answer.\n\n");
	g_autofree char *r = NULL;

	for (int i = 0; i < 200000; i++)
		g_string_append_c(s, '>');
	g_string_append(s, "\nOn 5 Feb 2020 Bo <");
	for (int i = 0; i < 100000; i++)
		g_string_append(s, "a ");
	g_string_append(s, "\n");
	for (int i = 0; i < 2000; i++)
		g_string_append(s, "On Wed, Feb 5, 2020 at 10:00 AM Bo "
		    "<bo@example.org> wrote:\n> q\nOn\nLe 5 <\n--\n");
	r = reply_extract(s->str, NULL);
	g_assert_true(g_str_has_prefix(r, "Answer."));
	g_string_free(s, TRUE);
}

static void
test_filters(void)
{
	struct message msg;
	struct filter_ctx ctx;

	memset(&msg, 0, sizeof(msg));
	memset(&ctx, 0, sizeof(ctx));
	g_assert_cmpstr(filter_quote.name, ==, "quote");
	g_assert_cmpstr(filter_signature.name, ==, "signature");

	/* No text: nothing to do. */
	g_assert_cmpint(filter_quote.run(&msg, &ctx), ==, FILTER_NEXT);
	g_assert_null(msg.reply);
	g_assert_cmpint(filter_signature.run(&msg, &ctx), ==, FILTER_NEXT);
	g_assert_null(msg.reply);

	msg.text = g_strdup(ANSWER "\n\n-- \nAna\n\n---------- Forwarded "
	    "message ---------\nFrom: Ops\n\nDown.\n");
	g_assert_cmpint(filter_quote.run(&msg, &ctx), ==, FILTER_NEXT);
	g_assert_cmpstr(msg.reply, ==, ANSWER "\n\n-- \nAna");
	g_assert_nonnull(msg.forwarded);
	g_assert_cmpint(filter_signature.run(&msg, &ctx), ==, FILTER_NEXT);
	g_assert_cmpstr(msg.reply, ==, ANSWER);

	/* Run again, the quote filter works on the reply so far. */
	g_assert_cmpint(filter_quote.run(&msg, &ctx), ==, FILTER_NEXT);
	g_assert_cmpstr(msg.reply, ==, ANSWER);
	g_assert_null(msg.forwarded);

	g_free(msg.text);
	g_free(msg.reply);
	g_free(msg.forwarded);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reply/attributions", test_attributions);
	g_test_add_func("/reply/attributions/wrapped",
	    test_wrapped_attributions);
	g_test_add_func("/reply/attributions/top", test_attribution_at_top);
	g_test_add_func("/reply/attributions/numbered-above",
	    test_numbered_above);
	g_test_add_func("/reply/quote-depths", test_quote_depths);
	g_test_add_func("/reply/inline", test_inline);
	g_test_add_func("/reply/bottom-post", test_bottom_post);
	g_test_add_func("/reply/quote-only", test_quote_only);
	g_test_add_func("/reply/outlook", test_outlook);
	g_test_add_func("/reply/original-message", test_original_message);
	g_test_add_func("/reply/forwarded", test_forwarded);
	g_test_add_func("/reply/signatures", test_signatures);
	g_test_add_func("/reply/signatures/lines", test_signature_lines);
	g_test_add_func("/reply/false-positives", test_false_positives);
	g_test_add_func("/reply/line-ends", test_line_ends);
	g_test_add_func("/reply/null-and-invalid", test_null_and_invalid);
	g_test_add_func("/reply/large", test_large);
	g_test_add_func("/reply/filters", test_filters);
	return g_test_run();
}

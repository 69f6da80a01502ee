/* The quote filter: cuts the message a reply answers, so that only what
 * the person newly wrote is kept.  See reply.h.
 *
 * The body is read as lines.  First come the markers a mail program puts
 * above the text it quotes: attribution lines ("On … wrote:", in many
 * languages, wrapped or not), Outlook's From:/Sent:/To:/Subject: blocks,
 * "-----Original Message-----" and forward markers.  Then the cut:
 *
 * - a header block, an "Original Message" line or a forward marker ends the
 *   reply: such programs quote without '>' (top posting);
 * - so does an attribution with text above it and none of '>' below it;
 * - a '>' quote with no new text after it ends the reply, with the
 *   attribution above it (top posting, or the tail of an inline answer);
 * - a mail that opens with an attribution and its quote, then the answer,
 *   is a bottom post: the quote goes;
 * - any other quote has new text after it: an inline answer, which keeps
 *   the quote it answers and only loses the attribution line.
 *
 * What "new text" is depends on the signature: a quote followed only by a
 * signature or a mailing list's footer still ends the reply, so the
 * signature rules (signature.c) are asked line by line. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "filter.h"
#include "reply.h"

/* Longer lines are never markers; skipping them keeps every pattern cheap
 * even on the megabyte-long lines some mails have. */
#define QUOTE_LINE_MAX		400
/* An attribution wrapped by the mailer spans at most this many lines,
 * one of them blank, and this many bytes once joined. */
#define QUOTE_ATTR_LINES	5
#define QUOTE_ATTR_MAX		600
/* Outlook's header blocks: at most this many lines, at least this many
 * of them headers. */
#define QUOTE_HDR_LINES		10
#define QUOTE_HDR_MIN		3

enum quote_mark {
	QUOTE_MARK_NONE,
	QUOTE_MARK_ATTRIBUTION,	/* "On … wrote:" */
	QUOTE_MARK_HEADERS,	/* From: Sent: To: Subject: */
	QUOTE_MARK_ORIGINAL,	/* "-----Original Message-----" */
	QUOTE_MARK_FORWARD,	/* "---------- Forwarded message ---------" */
};

/* One line of the body and what was found out about it. */
struct quote_line {
	const char *s;		/* as in the mail */
	size_t len;		/* of s */
	char *norm;		/* see quote_norm() */
	gboolean normed;	/* norm was made */
	gboolean blank;
	gboolean quote;		/* '>' quoted, or a run of "XY>" (Supercite) */
	gboolean code;		/* inside a fenced code block */
	gboolean text;		/* anything else that is not blank */
	gboolean rule;		/* a line of dashes or the like, no content */
	enum quote_mark mark;	/* on every line of a marker */
	int mark_end;		/* on a marker's first line: its last line */
	signed char colon;	/* see quote_line_has_colon(); 0: not known */
	gboolean drop;		/* left out of the reply */
};

struct quote_body {
	char *buf;		/* the text, its lines cut apart in place */
	struct quote_line *l;
	int n;
	int sig;		/* the first line of the signature, or n */
	int *content;		/* text and quote lines in [0, i), no rules */
	int *text;		/* text lines in [0, i) above the signature */
};

/* Where the reply ends and what it forwards. */
struct quote_cut {
	int end;		/* the reply: lines [0, end) not dropped */
	int trail;		/* the start of a final quote cut off, or -1 */
	int trail_last;		/* that quote's last line */
	int fwd_from;		/* the forwarded part, or -1 */
	int fwd_to;
	gboolean fwd_quoted;	/* it is '>' quoted: unquote it */
};

/* The verbs of attribution lines in the languages mail programs speak.
 * Matched as words; scripts without spaces between words as substrings. */
static const char quote_verb_pattern[] =
    "(?<![\\p{L}\\p{M}])(?:wrote|writes|schrieb|geschrieben|écrit|"
    "escribió|escribio|scritto|scrisse|escreveu|schreef|geschreven|skrev|"
    "kirjoitti|napisał(?:\\(a\\)|a)?|pisze|napsal(?:\\(a\\)|a)?|"
    "napísal(?:\\(a\\)|a)?|написал(?:\\(а\\)|а)?|пишет|пише|"
    "написав(?:\\(ла\\))?|написала|yazdı|כתב(?:/ה|ה)?|מאת|كتب|έγραψε|"
    "írta|scris|viết|menulis|escriure|rašė|quoting|zitat)"
    "(?![\\p{L}\\p{M}])|写道|寫道|のメール|작성";

/* "On Monday at 10:00 I wrote:" is the writer speaking, not a program. */
static const char quote_first_person_pattern[] =
    "(?<![\\p{L}\\p{M}])(?:i|we|ich|wir|j'ai|nous|yo|io|eu|ik|wij|jag|vi|"
    "jeg|я|мы)\\s+(?:wrote|schrieb|écrit|escribí|scrissi|escrevi|schreef|"
    "skrev|писал|написал)(?![\\p{L}\\p{M}])";

/* How attributions without an address begin when they do not begin with a
 * preposition: with a weekday and the day ("понедельник, 6 октября"). */
static const char quote_weekday_pattern[] = "^\\p{L}{1,12}\\.?,?\\s+\\d";

/* What a program writes and a person rarely does: an address, a time, a
 * year.  "Yesterday I wrote:" has none of them. */
static const char quote_evidence_pattern[] =
    "@|(?<!\\d)\\d{1,2}[:.h]\\d{2}(?!\\d)|(?<!\\d)(?:19|20)\\d{2}(?!\\d)";

/* Attributions without a verb (Gmail in Japanese or Russian):
 * "2020年2月5日(水) 10:00 Name <a@b>:" — an address right before the
 * colon, a time and a year. */
static const char quote_verbless_pattern[] =
    "[<(\\[][^<>()\\[\\]\\s]+@[^<>()\\[\\]\\s]+[>)\\]]+\\s*[:：]$";
static const char quote_time_pattern[] = "(?<!\\d)\\d{1,2}[:.]\\d{2}(?!\\d)";
static const char quote_year_pattern[] = "(?<!\\d)(?:19|20)\\d{2}(?!\\d)";

/* Gmail's older form, with the date first and often no colon:
 * "2016-03-03 17:21 GMT+01:00 Name <a@b>:" or "2013/7/20 Name <a@b>". */
static const char quote_date_first_pattern[] =
    "^\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}(?!\\d).*(?:GMT|UTC|@)";

/* How the first line of a wrapped attribution begins: a preposition of
 * date ("On", "Le", "Am", …), a date, or a name with its address.  A
 * date, not any digit: "1. Shipped billing." above "On … wrote:" is a
 * numbered answer, while "2016-10-24 15:36", "11.03.2027", "20 окт.
 * 2016" and "2 de fevereiro" begin attributions. */
static const char quote_start_pattern[] =
    "^(?:-{2,}\\s*)?(?:(?:on|at|le|el|am|op|em|il|den|dne|dnia|w\\s+dniu|"
    "dňa|в|у|στις|vào|pada|no\\s+dia)\\s|"
    "\\d{1,4}\\s*[-./]\\s*\\d{1,2}\\s*[-./]\\s*\\d|"
    "\\d{1,2}\\.?\\s+\\p{L}{2,12}\\.?,?\\s+(?:19|20)\\d\\d|"
    "\\d{1,2}\\s+de\\s+\\p{L}{3,12}\\s+de\\s+\\d|\\d{2,4}\\s*年|在|於|"
    "[^<>]{0,80}<)";

static const char quote_original_pattern[] =
    "^[\\s*_>]*-{2,}\\s*(?:original\\s+message|ursprüngliche\\s+nachricht|"
    "originalnachricht|mensaje\\s+original|message\\s+d'origine|"
    "message\\s+original|messaggio\\s+originale|mensagem\\s+original|"
    "oorspronkelijk\\s+bericht|origineel\\s+bericht|originalmeddelande|"
    "ursprungligt\\s+meddelande|oprindelig\\s+meddelelse|"
    "opprinnelig\\s+melding|alkuperäinen\\s+viesti|"
    "wiadomość\\s+oryginalna|oryginalna\\s+wiadomość|původní\\s+zpráva|"
    "pôvodná\\s+správa|исходное\\s+сообщение|оригинальное\\s+сообщение|"
    "вихідне\\s+повідомлення|原始邮件|原始郵件|元のメッセージ|"
    "원본\\s*메시지|orijinal\\s+mesaj|özgün\\s+ileti|הודעה\\s+מקורית|"
    "eredeti\\s+üzenet|αρχικό\\s+μήνυμα|reply\\s+message)"
    "\\s*-{2,}[\\s*_]*$";

/* Gmail, Thunderbird, Lotus: a dashed line. */
static const char quote_forward_pattern[] =
    "^[\\s*_]*-{2,}\\s*(?:forwarded\\s+message|forwarded\\s+e-?mail|"
    "weitergeleitete\\s+nachricht|message\\s+transféré|"
    "mensaje\\s+reenviado|messaggio\\s+inoltrato|mensagem\\s+encaminhada|"
    "mensagem\\s+reencaminhada|doorgestuurd\\s+bericht|"
    "vidarebefordrat\\s+meddelande|videresendt\\s+meddelelse|"
    "videresendt\\s+melding|välitetty\\s+viesti|przekazana\\s+wiadomość|"
    "wiadomość\\s+przekazana|přeposlaná\\s+zpráva|preposlaná\\s+správa|"
    "пересылаемое\\s+сообщение|пересланное\\s+сообщение|"
    "переслане\\s+повідомлення|転送されたメッセージ|转发的邮件|已转发邮件|"
    "轉寄的郵件|전달된\\s*메시지|iletilen\\s+mesaj|הודעה\\s+שהועברה|"
    "továbbított\\s+üzenet|προωθημένο\\s+μήνυμα|forwarded\\s+by\\s.{1,200}?)"
    "\\s*-{2,}[\\s*_]*$";

/* Apple Mail and others: a sentence and a colon. */
static const char quote_forward_colon_pattern[] =
    "^[\\s*_]*(?:begin\\s+forwarded\\s+message|forwarded\\s+message|"
    "anfang\\s+der\\s+weitergeleiteten\\s+(?:nachricht|e-mail)|"
    "début\\s+du\\s+message\\s+(?:réexpédié|transféré)|"
    "inicio\\s+del\\s+mensaje\\s+reenviado|"
    "comienzo\\s+del\\s+mensaje\\s+reenviado|"
    "inizio\\s+messaggio\\s+inoltrato|"
    "início\\s+da\\s+mensagem\\s+(?:reencaminhada|encaminhada)|"
    "begin\\s+doorgestuurd\\s+bericht|"
    "vidarebefordrat\\s+(?:brev|meddelande)|"
    "videresendt\\s+(?:besked|meddelelse|melding)|"
    "start\\s+på\\s+videresendt\\s+(?:besked|melding)|"
    "välitetty\\s+viesti(?:\\s+alkaa)?|"
    "początek\\s+przekazanej\\s+wiadomości|"
    "začátek\\s+přeposlané\\s+zprávy|"
    "начало\\s+переадресованного\\s+сообщения|"
    "пересылаемое\\s+сообщение|転送されたメッセージ|以下是转发的邮件|"
    "전달된\\s*메시지|iletilen\\s+mesajın\\s+başlangıcı|"
    "תחילת\\s+הודעה\\s+שהועברה)\\s*[:：][\\s*_]*$";

#define QUOTE_HDR_HEAD	"^[*_]{0,2}(?:"
#define QUOTE_HDR_TAIL	")[*_]{0,2}\\s*[:：][*_]{0,2}(?:\\s|$)"
#define QUOTE_HDR_FROM	"from|von|de|da|från|fra|van|lähettäjä|od|от|від|" \
    "差出人|发件人|寄件者|寄件人|보낸\\s*사람|kimden|מאת|feladó|από|" \
    "expeditor|afzender"

/* The first line of an Outlook header block, in its languages. */
static const char quote_hdr_from_pattern[] =
    QUOTE_HDR_HEAD QUOTE_HDR_FROM QUOTE_HDR_TAIL;

/* Any line of such a block. */
static const char quote_hdr_any_pattern[] =
    QUOTE_HDR_HEAD QUOTE_HDR_FROM "|"
    "sent|date|to|cc|bcc|subject|reply-to|importance|priority|"
    "gesendet|datum|an|kopie|betreff|antwort\\s+an|"
    "envoyé|envoyé\\s+le|à|a|objet|répondre\\s+à|"
    "enviado|enviado\\s+el|enviada\\s+em|enviado\\s+em|fecha|para|asunto|"
    "responder\\s+a|inviato|data|oggetto|risposta|rispondi\\s+a|assunto|"
    "verzonden|aan|onderwerp|beantwoorden|"
    "skickat|till|kopia|ämne|svara\\s+till|sendt|dato|til|kopi|emne|"
    "lähetetty|päivämäärä|vastaanottaja|kopio|aihe|"
    "wysłano|do|dw|temat|odesláno|komu|předmět|"
    "отправлено|дата|кому|копия|тема|надіслано|копія|"
    "送信日時|日付|宛先|件名|发送时间|日期|收件人|抄送|主题|寄件日期|"
    "收件者|副本|主旨|보낸\\s*날짜|날짜|받는\\s*사람|참조|제목|"
    "gönderildi|gönderilme\\s+tarihi|tarih|kime|bilgi|konu|"
    "נשלח|תאריך|אל|עותק|נושא|elküldve|címzett|tárgy|"
    "στάλθηκε|προς|θέμα|trimis|către|subiect"
    QUOTE_HDR_TAIL;

/* Supercite's "Name>" quoting. */
static const char quote_supercite_pattern[] = "^([A-Za-z]{1,10})>(?: |$)";

struct quote_regexes {
	GRegex *verb, *first_person, *weekday;
	GRegex *evidence, *verbless, *time, *year, *date_first;
	GRegex *start, *original, *forward, *forward_colon;
	GRegex *hdr_from, *hdr_any, *supercite;
};

static GRegex *
quote_compile(const char *pattern)
{
	GError *error = NULL;
	GRegex *re = g_regex_new(pattern, G_REGEX_CASELESS | G_REGEX_OPTIMIZE,
	    0, &error);

	if (re == NULL)
		g_error("quote: bad pattern: %s", error->message);
	return re;
}

/* Compiled once and kept for the life of the process. */
static const struct quote_regexes *
quote_regexes(void)
{
	static struct quote_regexes *res;

	if (g_once_init_enter(&res)) {
		struct quote_regexes *r = g_new0(struct quote_regexes, 1);
		r->verb = quote_compile(quote_verb_pattern);
		r->first_person = quote_compile(quote_first_person_pattern);
		r->weekday = quote_compile(quote_weekday_pattern);
		r->evidence = quote_compile(quote_evidence_pattern);
		r->verbless = quote_compile(quote_verbless_pattern);
		r->time = quote_compile(quote_time_pattern);
		r->year = quote_compile(quote_year_pattern);
		r->date_first = quote_compile(quote_date_first_pattern);
		r->start = quote_compile(quote_start_pattern);
		r->original = quote_compile(quote_original_pattern);
		r->forward = quote_compile(quote_forward_pattern);
		r->forward_colon = quote_compile(quote_forward_colon_pattern);
		r->hdr_from = quote_compile(quote_hdr_from_pattern);
		r->hdr_any = quote_compile(quote_hdr_any_pattern);
		r->supercite = quote_compile(quote_supercite_pattern);
		g_once_init_leave(&res, r);
	}
	return res;
}

static gboolean
quote_match(GRegex *re, const char *s)
{
	return s != NULL && g_regex_match(re, s, 0, NULL);
}

/* Cheap tests that rule out most lines before a pattern is tried: each
 * holds of every line the patterns that use it can match, as it is made
 * of characters the patterns name literally (no letters, whose caseless
 * matching knows more than ASCII). */

/* The dashed markers (original_pattern, forward_pattern) need "--". */
static gboolean
quote_has_dashes(const char *s)
{
	return strstr(s, "--") != NULL;
}

/* Header lines and colon-ended markers need a colon. */
static gboolean
quote_has_colon(const char *s)
{
	/* In one pass: ':' or the full-width "：" (EF BC 9A). */
	while ((s = strpbrk(s, ":\xef")) != NULL) {
		if (*s == ':' || (s[1] == '\xbc' && s[2] == '\x9a'))
			return TRUE;
		s++;
	}
	return FALSE;
}

/* quote_has_colon() of line L as it stands, worked out once. */
static gboolean
quote_line_has_colon(struct quote_line *l)
{
	if (l->colon == 0)
		l->colon = quote_has_colon(l->s) ? 2 : 1;
	return l->colon == 2;
}

/* S (LEN bytes) trimmed, with no-break and other odd spaces made plain
 * and the invisible marks dropped that right-to-left mailers put around
 * names and colons.  NULL for a line too long to be a marker. */
static char *
quote_normalise(const char *s, size_t len)
{
	char *out, *o;

	if (len > QUOTE_LINE_MAX)
		return NULL;
	/* Every line that may be a marker comes here: ASCII is copied as it
	 * is, and other characters are decoded only to be compared. */
	o = out = g_malloc(len + 1);
	for (const char *p = s, *end = s + len, *next; p < end; p = next) {
		gunichar c;
		if ((guchar)*p < 0x80) {
			*o++ = *p == '\t' ? ' ' : *p;
			next = p + 1;
			continue;
		}
		next = MIN(g_utf8_next_char(p), end);
		c = g_utf8_get_char(p);
		if (c == 0x00a0 || c == 0x202f || c == 0x2007)
			*o++ = ' ';
		else if ((c >= 0x200b && c <= 0x200f) ||
		    (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff)
			continue;
		else {
			memcpy(o, p, (size_t)(next - p));
			o += next - p;
		}
	}
	*o = '\0';
	return g_strstrip(out);
}

/* Line L normalised (quote_normalise()), made the first time it is asked
 * for: most lines are never looked at so closely.  NULL if long. */
static const char *
quote_norm(struct quote_line *l)
{
	if (!l->normed) {
		l->norm = quote_normalise(l->s, l->len);
		l->normed = TRUE;
	}
	return l->norm;
}

static gboolean
quote_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!g_ascii_isspace(*s))
			return FALSE;
	return TRUE;
}

static gboolean
quote_ends_colon(const char *s)
{
	return g_str_has_suffix(s, ":") || g_str_has_suffix(s, "：");
}

/* Whether line L, normalised, ends in a colon: only a line that holds one
 * can, so most lines are answered without normalising them. */
static gboolean
quote_line_ends_colon(struct quote_line *l)
{
	return quote_line_has_colon(l) && quote_norm(l) != NULL &&
	    quote_ends_colon(l->norm);
}

/* Zoho's "---- On …, X wrote ----": the dashes stand for the colon. */
static gboolean
quote_unzoho(char *s)
{
	size_t len = strlen(s);

	if (len < 8 || strncmp(s, "--", 2) != 0 ||
	    strcmp(s + len - 2, "--") != 0)
		return FALSE;
	while (len > 0 && (s[len - 1] == '-' || s[len - 1] == ' '))
		s[--len] = '\0';
	len = strspn(s, "- ");
	memmove(s, s + len, strlen(s + len) + 1);
	return TRUE;
}

/* Whether T, which has an attribution verb, is an attribution: it needs
 * some evidence of a program, and the shape of one unless it names an
 * address ("Bob, who wrote on 3/2/2026:" is someone's sentence). */
static gboolean
quote_verb_attribution(const char *t)
{
	const struct quote_regexes *re = quote_regexes();

	if (!quote_match(re->evidence, t) || quote_match(re->first_person, t))
		return FALSE;
	return strchr(t, '@') != NULL || quote_match(re->start, t) ||
	    quote_match(re->weekday, t);
}

/* Whether S, one line or wrapped lines joined, is an attribution. */
static gboolean
quote_attribution(const char *s)
{
	const struct quote_regexes *re = quote_regexes();
	g_autofree char *t = NULL;
	gboolean colon;

	if (*s == '\0' || strlen(s) > QUOTE_ATTR_MAX)
		return FALSE;
	if (g_ascii_isdigit(*s) && quote_match(re->date_first, s))
		return TRUE;
	/* What quote_unzoho() or quote_ends_colon() cannot accept. */
	if (!quote_ends_colon(s) && !(g_str_has_prefix(s, "--") &&
	    g_str_has_suffix(s, "--")))
		return FALSE;
	t = g_strdup(s);
	colon = quote_unzoho(t) || quote_ends_colon(t);
	if (!colon)
		return FALSE;
	if (quote_match(re->verb, t))
		return quote_verb_attribution(t);
	return quote_match(re->verbless, t) && quote_match(re->time, t) &&
	    quote_match(re->year, t);
}

/* Appends a wrapped line: no space where the mailer broke an address
 * ("<" at the end, ">" at the start). */
static void
quote_join_line(GString *j, const char *line)
{
	if (j->len > 0 && j->str[j->len - 1] != '<' && *line != '>')
		g_string_append_c(j, ' ');
	g_string_append(j, line);
}

/* The last line of an attribution wrapped over lines I.., or -1.  It ends
 * at the first line ending in a colon; a '>' line may only be that one
 * (mailers wrap "<a@b>" into "<a@b" and ">:"). */
static int
quote_wrapped_attribution(struct quote_body *b, int i)
{
	g_autoptr(GString) j = g_string_new(quote_norm(&b->l[i]));
	int blanks = 0;

	for (int k = i + 1; k < b->n && k < i + QUOTE_ATTR_LINES; k++) {
		struct quote_line *l = &b->l[k];
		if (l->code || l->mark != QUOTE_MARK_NONE ||
		    quote_norm(l) == NULL)
			break;
		if (l->blank) {
			if (++blanks > 1)
				break;
			continue;
		}
		if (l->quote && !quote_line_ends_colon(l))
			break;
		quote_join_line(j, l->norm);
		if (j->len > QUOTE_ATTR_MAX)
			break;
		if (quote_line_ends_colon(l))
			return quote_attribution(j->str) ? k : -1;
	}
	return -1;
}

/* Whether a line of the few after I ends in a colon, as the last line of
 * a wrapped attribution must. */
static gboolean
quote_colon_below(struct quote_body *b, int i)
{
	for (int k = i + 1; k < b->n && k < i + QUOTE_ATTR_LINES; k++)
		if (quote_line_ends_colon(&b->l[k]))
			return TRUE;
	return FALSE;
}

/* The last line of the attribution starting at line I, or -1. */
static int
quote_find_attribution(struct quote_body *b, int i)
{
	const char *s = quote_norm(&b->l[i]);
	gboolean single = quote_attribution(s);
	int end;

	if (single && quote_ends_colon(s))
		return i;
	if (quote_colon_below(b, i) && quote_match(quote_regexes()->start, s) &&
	    (end = quote_wrapped_attribution(b, i)) >= 0)
		return end;
	return single ? i : -1;
}

/* The last line of the header block starting at line I, or -1.  A wrapped
 * header (a long To: or Subject:) adds a line or two. */
static int
quote_find_headers(struct quote_body *b, int i)
{
	const struct quote_regexes *re = quote_regexes();
	int headers = 1, wrapped = 0, k;

	if (!quote_line_has_colon(&b->l[i]) ||
	    !quote_match(re->hdr_from, quote_norm(&b->l[i])))
		return -1;
	for (k = i + 1; k < b->n && k < i + QUOTE_HDR_LINES; k++) {
		struct quote_line *l = &b->l[k];
		if (l->blank || l->quote || l->code || quote_norm(l) == NULL)
			break;
		if (quote_line_has_colon(l) && quote_match(re->hdr_any, l->norm))
			headers++;
		else if (++wrapped > 2)
			break;
	}
	return headers >= QUOTE_HDR_MIN ? k - 1 : -1;
}

static void
quote_set_mark(struct quote_body *b, int from, int to, enum quote_mark mark)
{
	b->l[from].mark_end = to;
	for (int k = from; k <= to; k++) {
		b->l[k].mark = mark;
		b->l[k].quote = FALSE;
		b->l[k].text = FALSE;
	}
}

/* Finds the markers; returns the line after the one at I. */
static int
quote_mark_at(struct quote_body *b, int i)
{
	const struct quote_regexes *re = quote_regexes();
	const char *s = quote_norm(&b->l[i]);
	int end;

	gboolean dashes = quote_has_dashes(s), colon = quote_has_colon(s);

	if (dashes && quote_match(re->original, s))
		quote_set_mark(b, i, i, QUOTE_MARK_ORIGINAL);
	else if ((dashes && quote_match(re->forward, s)) ||
	    (colon && quote_match(re->forward_colon, s)))
		quote_set_mark(b, i, i, QUOTE_MARK_FORWARD);
	else if ((end = quote_find_headers(b, i)) >= 0) {
		quote_set_mark(b, i, end, QUOTE_MARK_HEADERS);
		return end + 1;
	} else if ((end = quote_find_attribution(b, i)) >= 0) {
		quote_set_mark(b, i, end, QUOTE_MARK_ATTRIBUTION);
		return end + 1;
	}
	return i + 1;
}

/* Whether line I may begin a marker, by its bytes alone: every marker
 * needs, in its first line once normalised, a colon, two dashes or a
 * leading digit, or else a colon in the few lines below (a wrapped
 * attribution).  Bytes that normalising changes (odd spaces and invisible
 * marks, led by 0xC2, 0xE2 or 0xEF) leave the question to the patterns.
 * Most lines are thus spared normalising and every pattern. */
static gboolean
quote_may_mark(struct quote_body *b, int i)
{
	const char *p = b->l[i].s;

	while (g_ascii_isspace(*p))
		p++;
	if (g_ascii_isdigit(*p))
		return TRUE;
	while (*(p += strcspn(p, ":-\xc2\xe2\xef")) != '\0') {
		if (*p != '-' || p[1] == '-')
			return TRUE;
		p++;
	}
	for (int k = i + 1; k < b->n && k < i + QUOTE_ATTR_LINES; k++)
		if (quote_line_has_colon(&b->l[k]))
			return TRUE;
	return FALSE;
}

static void
quote_find_markers(struct quote_body *b)
{
	int i = 0;

	while (i < b->n) {
		struct quote_line *l = &b->l[i];
		if (!l->text || l->code || l->len > QUOTE_LINE_MAX ||
		    !quote_may_mark(b, i))
			i++;
		else
			i = quote_mark_at(b, i);
	}
}

static gboolean
quote_fence(const char *line)
{
	while (*line == ' ')
		line++;
	return strncmp(line, "```", 3) == 0 || strncmp(line, "~~~", 3) == 0;
}

/* Lines inside fenced code blocks are text, whatever they look like.  A
 * fence never closed is a stray one and opens nothing. */
static void
quote_find_code(struct quote_body *b)
{
	int open = -1;

	for (int i = 0; i < b->n; i++) {
		if (!quote_fence(b->l[i].s))
			continue;
		if (open < 0) {
			open = i;
			continue;
		}
		for (int k = open; k <= i; k++)
			b->l[k].code = TRUE;
		open = -1;
	}
}

/* supercite_pattern needs a '>' after one to ten letters, of at most
 * three bytes each ("ſ" and the Kelvin sign match [A-Za-z] caselessly):
 * a line that begins with '>' or with no letter is none. */
static gboolean
quote_supercite_candidate(const char *s)
{
	if (!g_ascii_isalpha(*s) && (guchar)*s < 0x80)
		return FALSE;
	for (int k = 1; k <= 30 && s[k] != '\0'; k++)
		if (s[k] == '>')
			return TRUE;
	return FALSE;
}

/* Supercite quotes with "Name>", which could as well be an arrow or a
 * prompt: only a run of two lines or more with the same name counts. */
static void
quote_find_supercite(struct quote_body *b)
{
	GRegex *re = quote_regexes()->supercite;

	for (int i = 0; i < b->n;) {
		g_autoptr(GMatchInfo) m = NULL;
		g_autofree char *name = NULL;
		int k = i + 1;

		if (b->l[i].code || !quote_supercite_candidate(b->l[i].s) ||
		    b->l[i].len > QUOTE_LINE_MAX ||
		    !g_regex_match(re, b->l[i].s, 0, &m)) {
			i++;
			continue;
		}
		name = g_match_info_fetch(m, 1);
		while (k < b->n && !b->l[k].code &&
		    g_str_has_prefix(b->l[k].s, name) &&
		    b->l[k].s[strlen(name)] == '>')
			k++;
		for (int q = i; k - i >= 2 && q < k; q++)
			b->l[q].quote = TRUE;
		i = k;
	}
}

/* A line of dashes, underscores, stars or the like: what mailers draw
 * above the text they quote. */
static gboolean
quote_rule_line(const char *s)
{
	gboolean any = FALSE;

	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == ' ' || c == '\t')
			continue;
		if (c != '-' && c != '_' && c != '=' && c != '*' && c != '~' &&
		    c != 0x2013 && c != 0x2014 && c != 0x2500 && c != 0x2501)
			return FALSE;
		any = TRUE;
	}
	return any;
}

static void
quote_classify(struct quote_body *b)
{
	quote_find_code(b);
	for (int i = 0; i < b->n; i++) {
		struct quote_line *l = &b->l[i];
		l->blank = quote_blank(l->s);
		l->quote = !l->code && l->s[0] == '>';
		l->mark_end = -1;
	}
	quote_find_supercite(b);
	for (int i = 0; i < b->n; i++) {
		struct quote_line *l = &b->l[i];
		l->text = !l->blank && !l->quote;
		l->rule = l->text && quote_rule_line(l->s);
	}
}

/* A line that the signature rules cut whole opens the signature. */
static gboolean
quote_signature_line(const struct quote_line *l)
{
	if (!l->text || l->code || l->mark != QUOTE_MARK_NONE ||
	    l->len > QUOTE_LINE_MAX)
		return FALSE;
	return reply_signature_line(l->s);
}

/* Counts what the decisions ask about ranges of lines. */
static void
quote_count(struct quote_body *b)
{
	b->sig = b->n;
	for (int i = 0; i < b->n; i++)
		if (quote_signature_line(&b->l[i])) {
			b->sig = i;
			break;
		}
	b->content = g_new0(int, b->n + 1);
	b->text = g_new0(int, b->n + 1);
	for (int i = 0; i < b->n; i++) {
		const struct quote_line *l = &b->l[i];
		gboolean text = l->text && !l->rule;
		b->content[i + 1] = b->content[i] + (text || l->quote);
		b->text[i + 1] = b->text[i] + (text && i < b->sig);
	}
}

/* Text lines of [FROM, TO) above the signature. */
static int
quote_text_in(const struct quote_body *b, int from, int to)
{
	if (from >= to)
		return 0;
	return b->text[to] - b->text[from];
}

static int
quote_next_nonblank(const struct quote_body *b, int i)
{
	while (i < b->n && b->l[i].blank)
		i++;
	return i;
}

/* The last quote line of the quote (quote and blank lines) from Q0. */
static int
quote_block_end(const struct quote_body *b, int q0)
{
	int last = q0;

	for (int k = q0; k < b->n && (b->l[k].quote || b->l[k].blank); k++)
		if (b->l[k].quote)
			last = k;
	return last;
}

static void
quote_drop(struct quote_body *b, int from, int to)
{
	for (int k = from; k <= to; k++)
		b->l[k].drop = TRUE;
}

/* The markers that end the reply whatever follows them.  An attribution
 * with nothing above it is dropped alone: some mailers put it over a
 * reply they did not quote. */
static void
quote_hard_cut(struct quote_body *b, struct quote_cut *c)
{
	for (int i = 0; i < b->n; i++) {
		struct quote_line *l = &b->l[i];
		gboolean before = b->content[i] > 0;
		int next;

		if (l->mark == QUOTE_MARK_NONE || l->mark_end < 0)
			continue;
		if (l->mark == QUOTE_MARK_ATTRIBUTION) {
			next = quote_next_nonblank(b, l->mark_end + 1);
			if (next < b->n && b->l[next].quote)
				continue;
			if (!before) {
				quote_drop(b, i, l->mark_end);
				continue;
			}
		}
		c->end = i;
		/* Outlook forwards exactly as it quotes; with nothing
		 * written above, the block is a forward. */
		if (l->mark == QUOTE_MARK_FORWARD || !before) {
			c->fwd_from = i;
			c->fwd_to = b->n;
		}
		return;
	}
}

/* A line ending in "wrote:" without the evidence a program leaves, right
 * above a quote that is cut ("Bob wrote:"): it goes with the quote. */
static gboolean
quote_loose_attribution(struct quote_line *l)
{
	return l->text && quote_line_ends_colon(l) &&
	    quote_match(quote_regexes()->verb, l->norm);
}

/* A quote with no new text after it, up to the hard cut, ends the reply;
 * the attributions and blank lines above it go with it. */
static void
quote_trailing(struct quote_body *b, struct quote_cut *c)
{
	int last = -1, t0;

	for (int i = c->end - 1; i >= 0; i--)
		if (b->l[i].quote) {
			last = i;
			break;
		}
	if (last < 0 || quote_text_in(b, last + 1, c->end) > 0)
		return;
	t0 = last;
	while (t0 > 0 && (b->l[t0 - 1].blank || b->l[t0 - 1].quote ||
	    b->l[t0 - 1].mark == QUOTE_MARK_ATTRIBUTION))
		t0--;
	if (t0 > 0 && quote_loose_attribution(&b->l[t0 - 1]))
		t0--;
	c->trail = t0;
	c->trail_last = last;
	c->end = t0;
}

/* The quoted line with every level of quoting taken off, normalised. */
static char *
quote_unquoted(const char *s)
{
	while (*s == '>' || *s == ' ')
		s++;
	return quote_normalise(s, strlen(s));
}

/* Apple Mail quotes what it forwards: a final quote that opens with a
 * forward marker is the forwarded message. */
static void
quote_trailing_forward(struct quote_body *b, struct quote_cut *c)
{
	const struct quote_regexes *re = quote_regexes();

	if (c->trail < 0 || c->fwd_from >= 0)
		return;
	for (int i = c->trail; i <= c->trail_last; i++) {
		g_autofree char *s = NULL;
		if (!b->l[i].quote)
			continue;
		s = quote_unquoted(b->l[i].s);
		if (s == NULL || *s == '\0')
			continue;
		if (quote_match(re->forward, s) ||
		    quote_match(re->forward_colon, s)) {
			c->fwd_from = i;
			c->fwd_to = c->trail_last + 1;
			c->fwd_quoted = TRUE;
		}
		return;
	}
}

/* A mail that opens with an attribution and its quote, then has only new
 * text, is a bottom post: the whole quote goes. */
static void
quote_bottom_post(struct quote_body *b, struct quote_cut *c)
{
	int f = quote_next_nonblank(b, 0), q0, q1;

	if (f >= c->end || b->l[f].mark != QUOTE_MARK_ATTRIBUTION ||
	    b->l[f].mark_end < 0)
		return;
	q0 = quote_next_nonblank(b, b->l[f].mark_end + 1);
	if (q0 >= c->end || !b->l[q0].quote)
		return;
	q1 = quote_block_end(b, q0);
	for (int k = q1 + 1; k < c->end; k++)
		if (b->l[k].quote)
			return;
	if (quote_text_in(b, q1 + 1, c->end) > 0)
		quote_drop(b, f, q1);
}

/* Whether the reply, lines [0, END), says nothing. */
static gboolean
quote_kept_empty(const struct quote_body *b, int end)
{
	for (int i = 0; i < end; i++)
		if (!b->l[i].blank && !b->l[i].drop && !b->l[i].rule)
			return FALSE;
	return TRUE;
}

/* Whether quote lines [FROM, TO] hold more than attributions. */
static gboolean
quote_has_content(const struct quote_body *b, int from, int to)
{
	for (int i = from; i <= to; i++) {
		g_autofree char *s = NULL;
		if (!b->l[i].quote)
			continue;
		s = quote_unquoted(b->l[i].s);
		if (s == NULL || (*s != '\0' && !quote_attribution(s)))
			return TRUE;
	}
	return FALSE;
}

/* A mail that is nothing but a quote keeps it: the sender may have
 * written into it, and an empty reply would say less. */
static void
quote_only_quote(struct quote_body *b, struct quote_cut *c)
{
	if (c->trail < 0 || c->fwd_from >= 0 || !quote_kept_empty(b, c->end) ||
	    !quote_has_content(b, c->trail, c->trail_last))
		return;
	for (int i = c->trail; i <= c->trail_last; i++)
		if (!b->l[i].quote && !b->l[i].blank)
			b->l[i].drop = TRUE;
	c->end = c->trail_last + 1;
}

static void
quote_decide(struct quote_body *b, struct quote_cut *c)
{
	c->end = b->n;
	c->trail = c->trail_last = -1;
	c->fwd_from = c->fwd_to = -1;
	c->fwd_quoted = FALSE;

	quote_hard_cut(b, c);
	quote_trailing(b, c);
	quote_trailing_forward(b, c);
	quote_bottom_post(b, c);
	for (int i = 0; i < c->end; i++)
		if (b->l[i].mark == QUOTE_MARK_ATTRIBUTION)
			b->l[i].drop = TRUE;
	quote_only_quote(b, c);
	if (c->end < b->n)
		while (c->end > 0 && (b->l[c->end - 1].blank ||
		    quote_rule_line(b->l[c->end - 1].s)))
			c->end--;
}

static gboolean
quote_skipped(const struct quote_line *l, gboolean reply)
{
	return l->blank || (reply && l->drop);
}

/* Lines [FROM, TO) without blank lines around them: for the REPLY, less
 * the dropped ones; for a forward, unquoted if UNQUOTE. */
static char *
quote_join(const struct quote_body *b, int from, int to, gboolean reply,
    gboolean unquote)
{
	GString *out = g_string_new(NULL);
	gboolean first = TRUE;

	while (from < to && quote_skipped(&b->l[from], reply))
		from++;
	while (to > from && quote_skipped(&b->l[to - 1], reply))
		to--;
	for (int i = from; i < to; i++) {
		const char *s = b->l[i].s;
		if (reply && b->l[i].drop)
			continue;
		if (unquote && *s == '>')
			s += s[1] == ' ' ? 2 : 1;
		if (!first)
			g_string_append_c(out, '\n');
		g_string_append(out, s);
		first = FALSE;
	}
	return g_string_free(out, FALSE);
}

static void
quote_body_free(struct quote_body *b)
{
	for (int i = 0; i < b->n; i++)
		g_free(b->l[i].norm);
	g_free(b->l);
	g_free(b->content);
	g_free(b->text);
	g_free(b->buf);
}

/* The text as lines: valid UTF-8 (as it is when VALID says it is
 * already), cut at LF, CRLF and CR.  Cut by hand: g_strsplit() searches
 * with strstr(), which sanitizers make quadratic. */
static void
quote_body_load(struct quote_body *b, const char *text, gboolean valid)
{
	char *p;
	int cap = 64;

	memset(b, 0, sizeof(*b));
	b->buf = p = valid ? g_strdup(text) : g_utf8_make_valid(text, -1);
	b->l = g_new0(struct quote_line, cap + 1);
	for (;;) {
		size_t len = strcspn(p, "\r\n");
		char c = p[len];
		if (b->n == cap) {
			cap *= 2;
			b->l = g_renew(struct quote_line, b->l, cap + 1);
			memset(b->l + b->n, 0, (cap + 1 - b->n) * sizeof *b->l);
		}
		b->l[b->n].s = p;
		b->l[b->n].len = len;
		b->n++;
		p[len] = '\0';
		p += len;
		if (c == '\0')
			break;
		p += c == '\r' && p[1] == '\n' ? 2 : 1;
	}
}

static char *
quote_strip(const char *text, gboolean valid, char **forwarded)
{
	struct quote_body b;
	struct quote_cut c;
	char *reply;

	if (forwarded != NULL)
		*forwarded = NULL;
	if (text == NULL)
		return g_strdup("");
	quote_body_load(&b, text, valid);
	quote_classify(&b);
	quote_find_markers(&b);
	quote_count(&b);
	quote_decide(&b, &c);
	reply = quote_join(&b, 0, c.end, TRUE, FALSE);
	if (forwarded != NULL && c.fwd_from >= 0)
		*forwarded = quote_join(&b, c.fwd_from, c.fwd_to, FALSE,
		    c.fwd_quoted);
	quote_body_free(&b);
	return reply;
}

char *
reply_strip_quotes(const char *text, char **forwarded)
{
	return quote_strip(text, FALSE, forwarded);
}

char *
reply_extract(const char *text, char **forwarded)
{
	g_autofree char *reply = reply_strip_quotes(text, forwarded);

	return reply_strip_signature(reply);
}

static enum verdict
quote_run(struct message *msg, struct filter_ctx *ctx)
{
	char *reply;

	(void)ctx;
	if (msg->text == NULL)
		return FILTER_NEXT;
	g_clear_pointer(&msg->forwarded, g_free);
	/* HTML-only mail: the quotes of mail programs are marked in the
	 * HTML itself, where they are plain to see (the parser made that
	 * text beside the mail's, message.h), and then cut as in plain mail,
	 * so that answers written between quoted questions stay.  The
	 * parser's text is valid UTF-8; what was made of HTML is checked. */
	if (msg->reply == NULL && msg->html_marked != NULL)
		reply = quote_strip(msg->html_marked, FALSE, &msg->forwarded);
	else
		reply = quote_strip(msg->reply != NULL ? msg->reply :
		    msg->text, TRUE, &msg->forwarded);
	g_free(msg->reply);
	msg->reply = reply;
	return FILTER_NEXT;
}

const struct filter filter_quote = {
	.name = "quote",
	.run = quote_run,
};

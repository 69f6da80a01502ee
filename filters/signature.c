/* The signature filter: cuts what a person or their mail program appends
 * below every message, so that only the reply itself is kept.  See reply.h.
 *
 * A signature starts at the first line that only a mail program writes: the
 * "-- " separator (or "--", whose space many programs trim away),
 * a mailing list's line of underscores, "Sent from my iPhone" and its kin
 * in many languages.  Everything below that line goes: what follows a
 * signature marker is the signature.  A lone "-Name" below the text is a
 * sign-off and goes too. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "filter.h"
#include "reply.h"

/* Longer lines are prose or data, never a separator or a mailer's footer;
 * skipping them keeps the patterns cheap on megabyte-long lines. */
#define SIG_LINE_MAX	200

/* What a mail program writes below a message sent from it, as a whole
 * line.  "Sent from X" alone is too loose ("Sent from Berlin"), so it
 * needs a possessive ("my", "mon", "meinem", …) or a device or program
 * name, and at most six words. */
static const char sig_mailer_pattern[] =
    "^(?:"
    "(?:sent|envoyé|enviado|enviada|enviat|inviato|verzonden|verstuurd|"
    "skickat|sendt|lähetetty|wysłane|wysłano|odesláno|odoslané|poslano|"
    "отправлено|надіслано|gesendet)"
    "\\s+(?:from|with|via|using|on|de|depuis|avec|desde|do|da|dal|dalla|"
    "vanaf|van|met|från|med|fra|z|ze|zo|с|со|из|з|von|mit|con|com|sur|"
    "a\\s+partir\\s+d[eo])\\s+"
    "(?:(?:my|mon|ma|mi|meu|minha|mio|mia|mijn|min|mitt|mého|mojego|"
    "mojej|моего|мого|meinem|meiner)\\s+"
    "|(?=(?:the\\s+|a\\s+|an\\s+)?(?:iphone|ipad|ipod|android|blackberry|"
    "outlook|mail|windows|yahoo|gmail|mailbox|airmail|spark|bluemail|"
    "proton|samsung|galaxy|huawei|xiaomi|pixel|nokia|mobil|phone|"
    "telefon|smartphone|tablet|handy|cell|k-9|fairemail|aquamail|nine|"
    "fastmail|zoho|aol|gmx|web\\.de|hey|superhuman|newton|edison|"
    "thunderbird|\\[mail\\]|e-post|móvil|celular|cellulare|telemóvel)))"
    "[^\\s,;]+(?:\\s+[^\\s,;]+){0,5}"
    "|lähetetty\\s+\\S+(?:sta|stä)(?:\\s+\\S+){0,3}"
    "|von\\s+meinem\\s+.{1,60}?\\s+gesendet\\.?"
    "|diese\\s+nachricht\\s+wurde\\s+von\\s+meinem\\s+.{1,80}?"
    "\\s+gesendet\\.?"
    "|(?:get|hent|skaff|hämta|download)\\s+\\[?outlook\\s+(?:for|til|för)"
    "\\s+(?:ios|android).*"
    "|.{1,40}から送信"
    "|.{1,40}에서\\s*보냄"
    "|.{1,40}['’]?[dt][ae]n\\s+gönderildi\\.?"
    "|(?:发自|發自|来自|來自)我的.{1,40}"
    "|從我的.{1,40}傳送"
    "|נשלח\\s+מ.{1,40}"
    ")$";

/* "-Abhishek Kona", "-- Bob": a dash glued to one to three name words,
 * or two dashes.  "- Bob" is a list item; an em dash ("—Ryan") is left
 * alone: it is typed on purpose as part of the text, while the ASCII
 * forms are what remains of the "-- " separator. */
static const char sig_signoff_pattern[] =
    "^(?:-|--\\s?)\\p{L}[\\p{L}\\p{M}'’.-]*"
    "(?:\\s\\p{L}[\\p{L}\\p{M}'’.-]*){0,2}$";

static GRegex *
sig_regex(GRegex **slot, const char *pattern)
{
	if (g_once_init_enter(slot)) {
		GRegex *re = g_regex_new(pattern,
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
		g_assert(re != NULL);
		g_once_init_leave(slot, re);
	}
	return *slot;
}

static GRegex *
sig_mailer_regex(void)
{
	static GRegex *re;

	return sig_regex(&re, sig_mailer_pattern);
}

static GRegex *
sig_signoff_regex(void)
{
	static GRegex *re;

	return sig_regex(&re, sig_signoff_pattern);
}

/* The text as valid UTF-8 lines (as it is when VALID says it is
 * already), cut at LF, CRLF and CR, in place in *BUF.  Cut by hand:
 * g_strsplit() searches with strstr(), which sanitizers make quadratic.
 * Free both with g_free(). */
static char **
sig_split(const char *text, gboolean valid, char **buf, guint *n)
{
	GPtrArray *lines = g_ptr_array_new();
	char *p = *buf = valid ? g_strdup(text) : g_utf8_make_valid(text, -1);

	for (;;) {
		size_t len = strcspn(p, "\r\n");
		char c = p[len];
		g_ptr_array_add(lines, p);
		p[len] = '\0';
		p += len;
		if (c == '\0')
			break;
		p += c == '\r' && p[1] == '\n' ? 2 : 1;
	}
	*n = lines->len;
	g_ptr_array_add(lines, NULL);
	return (char **)g_ptr_array_free(lines, FALSE);
}

static gboolean
sig_blank(const char *line)
{
	for (const char *p = line; *p != '\0'; p++)
		if (!g_ascii_isspace(*p))
			return FALSE;
	return TRUE;
}

/* A line opening or closing a fenced code block (``` or ~~~). */
static gboolean
sig_fence(const char *line)
{
	while (*line == ' ')
		line++;
	return strncmp(line, "```", 3) == 0 || strncmp(line, "~~~", 3) == 0;
}

/* Marks the lines inside fenced code blocks, where nothing is a signature.
 * A fence that is never closed is a stray one and opens nothing.  Free
 * with g_free(). */
static gboolean *
sig_code_lines(char **lines, guint n)
{
	gboolean *code = g_new0(gboolean, n + 1);
	guint open = 0;
	gboolean in = FALSE;

	for (guint i = 0; i < n; i++) {
		if (!sig_fence(lines[i]))
			continue;
		if (!in) {
			open = i;
			in = TRUE;
			continue;
		}
		for (guint k = open; k <= i; k++)
			code[k] = TRUE;
		in = FALSE;
	}
	return code;
}

/* "-- " as RFC 3676 has it, and "--" whose space a program trimmed. */
static gboolean
sig_separator(const char *line)
{
	if (strncmp(line, "--", 2) != 0)
		return FALSE;
	return sig_blank(line + 2);
}

static gboolean
sig_underscores(const char *line)
{
	size_t n = 0;

	for (const char *p = line; *p != '\0'; p++) {
		if (*p == '_')
			n++;
		else if (!g_ascii_isspace(*p))
			return FALSE;
	}
	return n >= 4;
}

/* A line holding only U+1427, which mail-tracking extensions for Gmail
 * (Streak, Mailtrack) put under the text as their footer. */
static gboolean
sig_tracker_mark(const char *line)
{
	static const char mark[] = "\xe1\x90\xa7";

	while (g_ascii_isspace(*line))
		line++;
	if (strncmp(line, mark, sizeof mark - 1) != 0)
		return FALSE;
	return sig_blank(line + sizeof mark - 1);
}

/* The words that sig_mailer_pattern's alternatives begin with, case
 * folded (a prefix stands for several), and the text that those beginning
 * with anything must end with. */
static const char *const sig_mailer_starts[] = {
	"sent", "sendt", "envoyé", "envia", "inviato", "verzonden",
	"verstuurd", "skickat", "lähetetty", "wysłan", "odesl", "odosl",
	"poslano", "отправлено", "надіслано", "gesendet", "von", "diese",
	"get", "hent", "skaff", "hämta", "download", "发自", "發自", "来自",
	"來自", "從我的", "נשלח",
};
static const char *const sig_mailer_ends[] = {
	"から送信", "보냄",
};

/* Whether a word of sig_mailer_starts begins with byte C: a table of the
 * bytes, made once, as every line of every mail asks. */
static gboolean
sig_starts_with_byte(guchar c)
{
	static gboolean first[256];
	static gsize made;

	if (g_once_init_enter(&made)) {
		for (size_t i = 0; i < G_N_ELEMENTS(sig_mailer_starts); i++)
			first[(guchar)sig_mailer_starts[i][0]] = TRUE;
		g_once_init_leave(&made, 1);
	}
	return first[c];
}

static gboolean
sig_starts_with_any(const char *s, gboolean ascii)
{
	/* Most lines fail at the first byte. */
	guchar first = ascii ? (guchar)g_ascii_tolower(*s) : (guchar)*s;

	for (size_t i = 0; i < G_N_ELEMENTS(sig_mailer_starts); i++) {
		const char *w = sig_mailer_starts[i];
		if ((guchar)w[0] != first)
			continue;
		if (ascii ? g_ascii_strncasecmp(s, w, strlen(w)) == 0 :
		    g_str_has_prefix(s, w))
			return TRUE;
	}
	return FALSE;
}

/* Whether some word of sig_mailer_starts may begin S, whose first N
 * bytes are ASCII, as far as these tell (each folds to its lower case). */
static gboolean
sig_head_may_start(const char *s, size_t n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sig_mailer_starts); i++) {
		const char *w = sig_mailer_starts[i];
		size_t k = 0;
		while (k < n && w[k] != '\0' && (guchar)(s[k] >= 'A' &&
		    s[k] <= 'Z' ? s[k] + 'a' - 'A' : s[k]) == (guchar)w[k])
			k++;
		if (k == n || w[k] == '\0')
			return TRUE;
	}
	return FALSE;
}

/* Whether S, less white space and closing parentheses at its end, ends
 * in what the alternatives of sig_mailer_pattern that begin with anything
 * end with: sig_mailer_ends, or "nderildi" of the Turkish "gönderildi" (in
 * any case, a full stop after it or not). */
static gboolean
sig_ends_with_any(const char *s)
{
	size_t len = strlen(s), n;

	while (len > 0 && (g_ascii_isspace(s[len - 1]) || s[len - 1] == ')'))
		len--;
	for (size_t i = 0; i < G_N_ELEMENTS(sig_mailer_ends); i++) {
		n = strlen(sig_mailer_ends[i]);
		if (len >= n && memcmp(s + len - n, sig_mailer_ends[i], n) == 0)
			return TRUE;
	}
	if (len > 0 && s[len - 1] == '.')
		len--;
	return len >= 8 && g_ascii_strncasecmp(s + len - 8, "nderildi", 8) == 0;
}

/* Whether sig_mailer_pattern may match S (stripped): a test that only
 * rules out lines it cannot match, to spare the pattern most lines.  Plain
 * ASCII is compared as it is; other text case folded first, since the
 * pattern's caseless matching knows more letters than ASCII ("ſent").  The
 * words it compares are at most ten letters long. */
static gboolean
sig_mailer_candidate(const char *s)
{
	g_autofree char *folded = NULL;
	const char *end = s, *p = s, *head = *s == '(' ? s + 1 : s;

	/* Most lines: their first letter, ASCII, begins no word. */
	if ((guchar)*head < 0x80 &&
	    !sig_starts_with_byte((guchar)g_ascii_tolower(*head)))
		return sig_ends_with_any(s);
	while (*p != '\0' && (guchar)*p < 0x80)
		p++;
	if (*p == '\0')
		return sig_starts_with_any(*s == '(' ? s + 1 : s, TRUE);
	if (sig_ends_with_any(s))
		return TRUE;
	/* A head of ASCII folds as ASCII does. */
	for (int n = 0; n < 12 && *end != '\0'; n++)
		end = g_utf8_next_char(end);
	if (p >= end)
		return sig_starts_with_any(*s == '(' ? s + 1 : s, TRUE);
	/* Its ASCII head folds as ASCII does: when that rules out every
	 * word, so does the rest. */
	if ((guchar)*head < 0x80 && !sig_head_may_start(head, (size_t)(p -
	    head)))
		return FALSE;
	folded = g_utf8_casefold(s, end - s);
	return sig_starts_with_any(*folded == '(' ? folded + 1 : folded,
	    FALSE);
}

static gboolean
sig_mailer_line(const char *line)
{
	g_autofree char *s = NULL;

	if (strlen(line) > SIG_LINE_MAX)
		return FALSE;
	while (g_ascii_isspace(*line))
		line++;
	if (!sig_mailer_candidate(line))
		return FALSE;
	s = g_strstrip(g_strdup(line));
	/* Some programs wrap theirs: "(Sent from my phone)". */
	if (*s == '(' && s[strlen(s) - 1] == ')') {
		s[strlen(s) - 1] = '\0';
		memmove(s, s + 1, strlen(s));
	}
	return g_regex_match(sig_mailer_regex(), s, 0, NULL);
}

static gboolean
sig_starts(const char *line)
{
	return sig_separator(line) || sig_underscores(line) ||
	    sig_tracker_mark(line) || sig_mailer_line(line);
}

gboolean
reply_signature_line(const char *line)
{
	return line[0] != '>' && sig_starts(line);
}

/* Where the signature starts: the first line outside quotes and code that
 * only a signature begins with; N when there is none. */
static guint
sig_find(char **lines, guint n)
{
	g_autofree gboolean *code = sig_code_lines(lines, n);

	for (guint i = 0; i < n; i++) {
		if (code[i] || lines[i][0] == '>')
			continue;
		if (sig_starts(lines[i]))
			return i;
	}
	return n;
}

/* A list item is no sign-off, however short: "- done" above "-Fixed". */
static gboolean
sig_list_item(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '-' || *line == '*' || *line == '+')
		return TRUE;
	if (strncmp(line, "\xe2\x80\xa2", 3) == 0)	/* • */
		return TRUE;
	while (g_ascii_isdigit(*line))
		line++;
	return *line == '.' || *line == ')';
}

/* Lowers END past a "-Name" sign-off that closes the text.  It must
 * stand alone after a blank line, below text that is no list. */
static guint
sig_cut_signoff(char **lines, guint end)
{
	guint last = end, prev;
	g_autofree char *s = NULL;

	while (last > 0 && sig_blank(lines[last - 1]))
		last--;
	if (last < 3 || !sig_blank(lines[last - 2]))
		return end;
	s = g_strstrip(g_strdup(lines[last - 1]));
	if (strlen(s) > 60 || !g_regex_match(sig_signoff_regex(), s, 0, NULL))
		return end;
	for (prev = last - 2; prev > 0 && sig_blank(lines[prev - 1]); prev--)
		;
	if (prev == 0 || sig_list_item(lines[prev - 1]))
		return end;
	return last - 1;
}

/* LINES[0..END) without trailing white space on each line and without
 * blank lines around them, as one string. */
static char *
sig_join_trimmed(char **lines, guint end)
{
	GString *out = g_string_new(NULL);
	guint first = 0;

	while (first < end && sig_blank(lines[first]))
		first++;
	while (end > first && sig_blank(lines[end - 1]))
		end--;
	for (guint i = first; i < end; i++) {
		size_t len = strlen(lines[i]);
		while (len > 0 && g_ascii_isspace(lines[i][len - 1]))
			len--;
		if (i > first)
			g_string_append_c(out, '\n');
		g_string_append_len(out, lines[i], (gssize)len);
	}
	return g_string_free(out, FALSE);
}

static char *
sig_strip(const char *text, gboolean valid)
{
	g_autofree char **lines = NULL;
	g_autofree char *buf = NULL;
	guint n, end;

	if (text == NULL)
		return g_strdup("");
	lines = sig_split(text, valid, &buf, &n);
	end = sig_find(lines, n);
	end = sig_cut_signoff(lines, end);
	return sig_join_trimmed(lines, end);
}

char *
reply_strip_signature(const char *text)
{
	return sig_strip(text, FALSE);
}

static enum verdict
signature_run(struct message *msg, struct filter_ctx *ctx)
{
	char *reply;

	(void)ctx;
	if (msg->reply == NULL)
		return FILTER_NEXT;
	/* What the quote filter made: valid UTF-8. */
	reply = sig_strip(msg->reply, TRUE);
	g_free(msg->reply);
	msg->reply = reply;
	return FILTER_NEXT;
}

const struct filter filter_signature = {
	.name = "signature",
	.run = signature_run,
};

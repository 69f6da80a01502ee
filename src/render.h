/* Rendering: the text of every mail tidings writes comes from templates
 * (templates/NAME.txt, and NAME.html for an HTML alternative), filled in
 * with CTPL and built into a complete RFC 5322 mail with GMime.  The
 * templates are compiled in; a file of the same name in the directory of
 * the `templates` option overrides one.  Only render.c and message.c
 * build or parse MIME.
 *
 * A text template starts with its Subject line ("Subject: ...", filled in
 * like the rest), a blank line, then the body.  Values are never trusted:
 * in headers, CR, LF and NUL are removed and non-ASCII is encoded (RFC
 * 2047) so that no value can add a header or a recipient; in HTML, every
 * value is escaped. */
#ifndef TIDINGS_RENDER_H
#define TIDINGS_RENDER_H

#include <glib.h>

#include "render-error.h"

/* The headers of a mail to build.  Strings are copied; NULL leaves a
 * header out. */
struct render_headers {
	const char *from_name;
	const char *from;		/* required */
	const char *to_name;
	const char *to;			/* required */
	const char *reply_to;
	const char *message_id;		/* without <>; required */
	const char *in_reply_to;	/* without <>; also ends References */
	const char *references;		/* space-separated, without <>; ids
					   that are not usable are left out */
	const char *list_id;		/* "Team <team.example.org>" as the
					   header's value */
	const char *auto_submitted;	/* NULL: "auto-generated" */
	const char *marker;		/* the X-Tidings value: "prompt 42";
					   NULL: the template's name */
	gint64 date;			/* UTC seconds */
	/* More headers as NAME, VALUE pairs, NULL-terminated (List-
	 * Unsubscribe, Precedence, ...); values are cleaned like the
	 * rest. */
	const char *const *extra;
};

/* Variables for a template: strings, integers, and lists of strings.  A
 * list NAME also gives NAME_count and NAME_numbers (1, 2, ... for
 * numbering its items, as CTPL's loops have no counter).  A variable a
 * template uses but that is not set reads as empty ("", or an empty list
 * after "in" of a for loop): see templates/README.md. */
struct render_vars;
struct render_vars *render_vars_new(void);
void render_vars_free(struct render_vars *v);
typedef struct render_vars RenderVars;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RenderVars, render_vars_free)
void render_vars_set(struct render_vars *v, const char *name,
    const char *value);
void render_vars_set_int(struct render_vars *v, const char *name,
    gint64 value);
/* Appends VALUE to the list NAME (created empty by the first call; VALUE
 * NULL only creates it). */
void render_vars_add(struct render_vars *v, const char *name,
    const char *value);
/* Sets NAME to a value written both ways: TEXT in text templates and the
 * subject (cleaned like any value), HTML in HTML templates, where it is
 * put in as it stands, not escaped.  The caller makes HTML safe: escaped
 * values and render_text_html() output only.  For sections of a mail
 * that CTPL cannot loop over (lists of lists). */
void render_vars_set_markup(struct render_vars *v, const char *name,
    const char *text, const char *html);

struct render;
/* Templates from OVERRIDE_DIR (may be NULL) before the compiled-in ones.
 * Free with render_free(). */
struct render *render_new(const char *override_dir);
void render_free(struct render *r);
typedef struct render Render;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Render, render_free)

/* Whether template NAME (without extension) exists. */
gboolean render_has(struct render *r, const char *name);

/*
 * Renders NAME.txt (and NAME.html when there is one, as
 * multipart/alternative with the text first; the HTML is taken from
 * where the text was found) with VARS into a complete
 * mail with the headers H, plus MIME-Version, Content-Type (UTF-8;
 * text/plain format=flowed) and Auto-Submitted.  *SUBJECT (may be NULL)
 * receives the rendered subject; caller frees it and the bytes.
 */
GBytes *render_mail(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    char **subject, GError **error);

/* One reply of a MIME digest, made anew from what tidings keeps of it:
 * never the mail as it came, whose envelope headers (Delivered-To), quoted
 * prompt and reply address would hand the member's authority to every
 * reader of the list. */
struct render_digest_reply {
	const char *from_name;	/* the member as stored, or NULL */
	const char *from;	/* the member's address */
	gint64 date;
	const char *subject;	/* or NULL */
	const char *message_id;	/* the reply's own, without <>, or NULL */
	const char *text;	/* the reply, without quotes and signature */
};

/* As render_mail(), with REPLIES (struct render_digest_reply *, may be
 * NULL) after the text: a multipart/mixed of the rendered body and a
 * multipart/digest (RFC 2046 5.1.5) of the replies as message/rfc822
 * parts, in order, each with From, Date, Subject, Message-ID and its text
 * alone; with none, the body alone. */
GBytes *render_mail_digest(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    GPtrArray *replies, char **subject, GError **error);

/* As render_mail(), with ORIGINAL (a mail as received) after the text as
 * a message/rfc822 part of its own bytes: a multipart/mixed that forwards
 * it whole, its text and attachments. */
GBytes *render_mail_forward(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    GBytes *original, char **subject, GError **error);

/* A copy of MAIL (made by render_mail) under the headers of H, for
 * sending the same mail to many: returns the copy's header block (H's
 * headers, then the Subject and MIME headers of MAIL, then the blank
 * line), and *BODY (caller unrefs) what follows, shared with MAIL. */
GBytes *render_rehead(const struct render_headers *h, GBytes *mail,
    GBytes **body, GError **error);

/* As render_mail(), with CALENDAR (an iCalendar object) as the last
 * alternative: text/calendar; method=METHOD; charset=UTF-8, as iMIP (RFC
 * 6047) has it; METHOD must be the one inside. */
GBytes *render_mail_calendar(struct render *r, const char *name,
    const struct render_headers *h, const struct render_vars *vars,
    const char *method, const char *calendar, char **subject,
    GError **error);

/* Renders NAME.txt's body alone (no Subject line, no mail), for previews
 * and tests.  Caller frees. */
char *render_text(struct render *r, const char *name,
    const struct render_vars *vars, GError **error);

/* TEXT, plain text as people write it in mail (Markdown read by cmark),
 * as an HTML fragment safe to put in a mail: no raw HTML (shown as the
 * text it is), no images (their description and address shown as text),
 * links only to http, https and mailto addresses and with the address in
 * sight when it is not the link's text; line breaks kept.  Caller
 * frees. */
char *render_text_html(const char *text);

#endif

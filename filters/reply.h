/* Reply extraction for plain-text mail bodies: what the person newly
 * wrote, without the message they answered and without their signature.
 *
 * Quoting is cut where a mail program added it: the quote that ends the
 * mail (top posting), the quote at the top of a bottom-posted answer, the
 * attribution lines that introduce them.  A quote with new text after it
 * is an inline answer and stays, since the answer needs its question; only
 * its attribution line goes.  A mail that is nothing but a quote keeps it.
 * Every rule works on lines with patterns of bounded length, so the cost
 * stays linear in the size of the mail.
 *
 * Input and output are UTF-8 (invalid bytes are replaced); CRLF and CR
 * line ends become LF.  The signature stage, last in the pipeline, also
 * drops white space at the ends of lines.  *forwarded is always set, to
 * NULL when the mail forwards nothing. */
#ifndef TIDINGS_REPLY_H
#define TIDINGS_REPLY_H

#include <glib.h>

/* The reply with quoted text cut: '>' lines, attribution lines ("On …
 * wrote:" in many languages, also wrapped over 2-3 lines), Outlook "From:
 * … Sent: …" header blocks and "-----Original Message-----",
 * forwarded-message markers. If FORWARDED is not NULL and the mail
 * forwards a message, *forwarded receives the forwarded part (marker line
 * onward) and it is not part of the reply. Caller frees. */
char *reply_strip_quotes(const char *text, char **forwarded);

/* The reply with its signature cut: the "-- " separator, "Sent from my …"
 * lines, common mobile and mailer footers, and sign-off signatures where
 * they can be told apart safely. Caller frees. */
char *reply_strip_signature(const char *text);

/* Whether LINE (one line, valid UTF-8, no line end) opens a signature:
 * what reply_strip_signature() cuts whole when it stands alone. */
gboolean reply_signature_line(const char *line);

/* Both, as the pipeline applies them: quotes first, then signature;
 * surrounding blank lines trimmed. Caller frees. */
char *reply_extract(const char *text, char **forwarded);

#endif

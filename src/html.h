/* HTML mail to plain text, with gumbo: paragraphs, line breaks, lists and
 * links kept; scripts, styles and remote content dropped. */
#ifndef TIDINGS_HTML_H
#define TIDINGS_HTML_H

#include <stdbool.h>
#include <stddef.h>

/* Bounds on the HTML given to gumbo.  Anyone can send it, and gumbo's time
 * grows with the square of the nesting (each tag looks down the stack of
 * open elements), it frees its tree recursively, and a document it parses
 * takes several times its size in memory.  HTML past a bound is not parsed
 * but scanned once for its text (tags dropped, scripts and styles left
 * out, entities decoded, block tags made line breaks).  Mail from mail
 * programs nests 30 to 60 deep and has a few thousand tags. */
#define HTML_MAX_BYTES		(4 * 1024 * 1024)	/* larger is scanned */
/* Elements open at once, as a linear look at the tags estimates it before
 * parsing: start tags less the end tags and implied ends that certainly
 * close them, with the elements the parser adds or reopens (table rows,
 * formatting) counted. */
#define HTML_MAX_DEPTH		256
#define HTML_MAX_TAGS		50000	/* start and end tags */
/* What the estimate may miss: gumbo's memory in use and its allocations
 * (about one per tag and text run, each bounded in work by the nesting).
 * Reached, the parse is abandoned and the HTML scanned instead. */
#define HTML_MAX_HEAP		(128 * 1024 * 1024)
#define HTML_MAX_ALLOCS		1000000

enum html_flags {
	HTML_KEEP_QUOTES = 0,
	/* Leave out the quote containers of Gmail, Outlook, Apple Mail and
	 * Thunderbird (and any blockquote), for reply extraction. */
	HTML_SKIP_QUOTES = 1 << 0,
	/* For reply extraction too, but keeping what the writer wrote
	 * between quotes: quoted text (blockquotes, Yahoo's and Proton's
	 * containers) becomes lines marked "> " as in plain mail, a rule
	 * under the writer's text or Outlook's marker ends the text, a
	 * signature set apart (Gmail's gmail_signature, Thunderbird's,
	 * Outlook's) is left out, and a bold label that ends in "?" or ":"
	 * at the start of a line is a line of its own. */
	HTML_MARK_QUOTES = 1 << 1,
};

/* Returns UTF-8 text; caller frees. */
char *html_to_text(const char *html, enum html_flags flags);
/* The same; *SCANNED (unless NULL) is set to why the HTML was scanned
 * rather than parsed (a bound above was passed; static text), or NULL. */
char *html_to_text_checked(const char *html, enum html_flags flags,
    const char **scanned);
/* The texts of one HTML document, each of the N with its FLAGS, into
 * TEXTS (caller frees each), from one parse: as many calls of
 * html_to_text_checked() would make them, at the cost of one. */
void html_to_texts(const char *html, const enum html_flags *flags,
    char **texts, size_t n, const char **scanned);

/* Most HTML mail has its tags closed in the order they were opened, and
 * html_to_texts() reads such HTML directly, without building gumbo's tree:
 * the texts are those of the tree.  For tests, the two ways apart: the
 * texts from gumbo's tree, and the texts read directly (false, and TEXTS
 * left, when the direct reading gives the HTML to the parser). */
void html_to_texts_parsed(const char *html, const enum html_flags *flags,
    char **texts, size_t n, const char **scanned);
bool html_to_texts_direct(const char *html, const enum html_flags *flags,
    char **texts, size_t n);

#endif

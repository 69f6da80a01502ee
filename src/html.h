/* HTML mail to plain text, with gumbo: paragraphs, line breaks, lists and
 * links kept; scripts, styles and remote content dropped. */
#ifndef TIDINGS_HTML_H
#define TIDINGS_HTML_H

enum html_flags {
	HTML_KEEP_QUOTES = 0,
	/* Leave out the quote containers of Gmail, Outlook, Apple Mail and
	 * Thunderbird (and any blockquote), for reply extraction. */
	HTML_SKIP_QUOTES = 1 << 0,
};

/* Returns UTF-8 text; caller frees. */
char *html_to_text(const char *html, enum html_flags flags);

#endif

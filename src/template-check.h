/* The template syntax tidings accepts, checked before CTPL reads a
 * template.  CTPL's lexer frees memory twice on some malformed tags (an
 * unterminated "{" after a block, a broken expression), which would crash
 * tidings on a typo in an override template; only the forms
 * templates/README.md documents reach it:
 *
 *   {EXPR}                     a value: NAME, NAME[EXPR], arithmetic
 *   {if EXPR} ... {else} ... {end}
 *   {for NAME in NAME} ... {end}
 *   \{  \}  \\                 the characters themselves
 *
 * EXPR is names, numbers, "strings", the operators + - * / % == != < >
 * <= >= && || and parentheses, in the order of an expression. */
#ifndef TIDINGS_TEMPLATE_CHECK_H
#define TIDINGS_TEMPLATE_CHECK_H

#include <glib.h>

/* Whether TEXT is made only of those forms, its blocks closed.  Else
 * FALSE with *error (RENDER_ERROR_TEMPLATE) naming DISPLAY, the line and
 * column (counted from LINE, COLUMN at the start of TEXT) and what is
 * wrong. */
gboolean template_check(const char *text, const char *display, int line,
    int column, GError **error);

#endif

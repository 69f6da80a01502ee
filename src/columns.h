/* Aligned columns for listings on a terminal. */
#ifndef TIDINGS_COLUMNS_H
#define TIDINGS_COLUMNS_H

#include <stdio.h>
#include <glib.h>

struct columns;

/* A table with the given headings (NULL-terminated). */
struct columns *columns_new(const char *const *headings);
/* Adds a row of as many cells as headings; the cells are copied, their
 * control characters made visible (utf8_visible()). */
void columns_add(struct columns *c, ...);
/* Prints and frees the table. */
void columns_print(struct columns *c, FILE *f);
/* Frees the table unprinted. */
void columns_free(struct columns *c);

#endif

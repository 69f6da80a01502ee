/* The errors of rendering mail, apart from render.h so that what checks
 * templates for render.c (template-check.c) raises them without including
 * render.h, which includes it: data flows one way. */
#ifndef TIDINGS_RENDER_ERROR_H
#define TIDINGS_RENDER_ERROR_H

#include <glib.h>

#define RENDER_ERROR (render_error_quark())
GQuark render_error_quark(void);
enum render_error {
	RENDER_ERROR_TEMPLATE,	/* missing or broken template: names file
				   and line */
	RENDER_ERROR_ADDRESS,	/* From, To, Reply-To or Message-ID is not
				   a plain local@domain (spaces, commas,
				   angle brackets, quotes, CR, LF...) */
};

#endif

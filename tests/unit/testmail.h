/* Mail for the unit tests: files of tests/data/mail, parsed. */
#ifndef TIDINGS_TESTMAIL_H
#define TIDINGS_TESTMAIL_H

#include "message.h"

/* The arrival time the tests give every mail: 2026-03-10. */
#define ARRIVAL 1773100000

/* Parses tests/data/mail/NAME, failing the test when it does not parse.
 * Free with message_free(). */
struct message *testmail_parse_file(const char *name);

#endif

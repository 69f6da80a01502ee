/* What only SQLite has: the store's SQLite-specific code (pragmas, online
 * backup, statement counters) reaches the connection through these, after
 * checking db_backend(). */
#ifndef TIDINGS_DB_SQLITE_H
#define TIDINGS_DB_SQLITE_H

#include <sqlite3.h>

#include "db.h"

sqlite3 *db_sqlite_handle(struct db *db);
sqlite3_stmt *db_sqlite_stmt(struct db_stmt *s);
/* A result code of SQLite as the layer's. */
int db_sqlite_result(sqlite3 *handle, int rc);

#endif

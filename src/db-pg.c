/* The PostgreSQL backend of the database layer, over libpq.
 *
 * A statement is written as for SQLite: its ?, ?N and :name parameters
 * become $N when it is prepared (string literals, quoted names and
 * comments are left alone).  It is prepared on the server once, under a
 * name of its own, at its first step, when the types of its parameters
 * are known: integers are sent as int8, reals as float8, blobs as bytea
 * in binary, text and NULL with no type, for the server to infer from
 * where they stand.  Every result comes whole, as text, and is read row by
 * row; a row's integers, reals and blobs are parsed from it when asked. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db-private.h"
#include "log.h"

/* The OIDs of the built-in types read here (catalog/pg_type_d.h, a
 * server header, has them; they never change). */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

/* A statement whose parameters came with other types more often than
 * this is no longer prepared: each step sends it with its values. */
#define PG_MAX_REPREPARE 4

/* The types a statement's parameters are prepared with: as bound; or,
 * when the server cannot resolve a function or operator with int8 or
 * float8 (substr(text, int8) does not exist), those left for it to infer.
 * Either way, a parameter whose type the server cannot infer (SELECT ?,
 * ?1 IS NULL OR name = ?1) is then said to be text, or, when that does
 * not do either (?1 IS NULL OR id = ?1), a bigint. */
enum pg_typing { PG_TYPED, PG_INFERRED };

struct db_pg {
	struct db base;
	PGconn *conn;
	int last;		/* the last result, as the layer's */
	char *errmsg;		/* the last error's primary message */
	gint64 changes;
	guint64 serial;		/* for the names of prepared statements */
	GString *unused;	/* DEALLOCATEs not yet sent */
	/* A connection that broke is made again before the next
	 * transaction, or the next statement outside one (never inside: what
	 * came before in it is lost); statements prepared on an earlier
	 * connection (epoch) are prepared again. */
	guint64 epoch;
	gboolean in_tx;		/* a BEGIN ran, its COMMIT or ROLLBACK not */
	gboolean unset;		/* the session's settings failed: again */
	int lock_timeout;	/* ms, set again on a new connection */
};

struct pg_param {
	char *value;		/* NULL: SQL NULL */
	gboolean borrowed;	/* VALUE is the caller's (a static blob) */
	int length;
	int format;		/* 1: binary (blobs) */
	Oid type;		/* 0: for the server to infer */
};

struct db_pg_stmt {
	struct db_stmt base;
	char *sql;		/* as written */
	char *pgsql;		/* with $N */
	int nparams;
	GHashTable *names;	/* ":name" to its number */
	struct pg_param *params;
	char name[40];		/* "" while not prepared */
	Oid *prepared_types;	/* the types bound when it was prepared */
	int typing;		/* the enum pg_typing that the server took */
	Oid *forced;		/* per parameter: its type, when not bound */
	int last_forced;	/* the parameter forced last, or -1 */
	int reprepared;
	guint64 epoch;		/* of the connection it was prepared on */
	gboolean unprepared;	/* sent with PQexecParams at each step */
	PGresult *description;	/* of its columns, before the first step */
	PGresult *result;	/* NULL before the first step */
	int row;
	gboolean done;
	unsigned char **blobs;	/* per column, unescaped for this row */
	size_t *blob_lengths;
};

#define PG(db) ((struct db_pg *)(db))
#define PS(s) ((struct db_pg_stmt *)(s))

/* --- results and errors --------------------------------------------------- */

static void
pg_set_error(struct db *db, int code, const char *message)
{
	size_t n = strlen(message);

	while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
		n--;
	g_free(PG(db)->errmsg);
	PG(db)->errmsg = g_strndup(message, n);
	PG(db)->last = code;
}

/* The layer's result for SQLSTATE STATE: what the caller may do about
 * it (retry, report a duplicate, give up). */
static int
pg_sqlstate_result(const char *state)
{
	static const struct {
		const char *prefix;
		int result;
	} map[] = {
		{ "23505", DB_UNIQUE },
		{ "23", DB_CONSTRAINT },
		{ "40001", DB_BUSY },	/* serialization failure */
		{ "40P01", DB_BUSY },	/* deadlock */
		{ "55P03", DB_BUSY },	/* lock not available */
		{ "53300", DB_BUSY },	/* too many connections */
		{ "57014", DB_BUSY },	/* cancelled: statement timeout */
		{ "53100", DB_FULL },	/* disk full */
		{ "08", DB_IO },	/* connection exception */
		{ "57P", DB_IO },	/* the server shuts down */
		{ "58", DB_IO },	/* system error: I/O */
		{ "25006", DB_READONLY },	/* read-only transaction */
		{ "42501", DB_READONLY },	/* insufficient privilege */
		{ "XX001", DB_CORRUPT },	/* data corrupted */
		{ "XX002", DB_CORRUPT },	/* index corrupted */
	};

	if (state == NULL)
		return DB_ERROR;
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (g_str_has_prefix(state, map[i].prefix))
			return map[i].result;
	return DB_ERROR;
}

/* Notes the error of RES (or of the connection, when RES is NULL or has
 * no SQLSTATE) and returns its result. */
static int
pg_note_error(struct db *db, const PGresult *res)
{
	PGconn *conn = PG(db)->conn;
	const char *state = NULL, *primary = NULL;
	int code;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	}
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD)
		code = DB_IO;
	else if (state != NULL)
		code = pg_sqlstate_result(state);
	else
		code = DB_ERROR;
	if (primary == NULL && res != NULL && *PQresultErrorMessage(res))
		primary = PQresultErrorMessage(res);
	if (primary == NULL)
		primary = conn != NULL ? PQerrorMessage(conn) : "out of memory";
	pg_set_error(db, code, *primary ? primary : "unknown error");
	return code;
}

static gboolean
pg_is_change(const char *status)
{
	return g_str_has_prefix(status, "INSERT ") ||
	    g_str_has_prefix(status, "UPDATE ") ||
	    g_str_has_prefix(status, "DELETE ") ||
	    g_str_has_prefix(status, "MERGE ");
}

/* The result of a command that ran: DB_OK, or its error noted.  Takes
 * the count of changed rows from an INSERT, UPDATE or DELETE. */
static int
pg_note_result(struct db *db, PGresult *res)
{
	ExecStatusType status = res != NULL ? PQresultStatus(res) :
	    PGRES_FATAL_ERROR;

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
	    status != PGRES_EMPTY_QUERY)
		return pg_note_error(db, res);
	if (pg_is_change(PQcmdStatus(res)))
		PG(db)->changes = g_ascii_strtoll(PQcmdTuples(res), NULL, 10);
	PG(db)->last = DB_OK;
	return DB_OK;
}

static PGresult *
pg_exec_quiet(struct db *db, const char *sql)
{
	return PQexec(PG(db)->conn, sql);
}

/* Server-side statements of finalized statements are closed when the
 * connection can take it: not in a failed transaction, where every
 * command but its end is refused. */
static void
pg_deallocate_unused(struct db *db)
{
	GString *unused = PG(db)->unused;

	if (unused->len == 0 ||
	    PQtransactionStatus(PG(db)->conn) == PQTRANS_INERROR)
		return;
	PQclear(pg_exec_quiet(db, unused->str));
	g_string_truncate(unused, 0);
}

/* --- the connection ------------------------------------------------------ */

static void
pg_notice(void *arg, const char *message)
{
	(void)arg;
	g_debug("postgresql: %s", message);
}

/* What every connection is set to. */
static int
pg_session(struct db *db)
{
	PGresult *res;
	char *sql;
	int rc;

	if (PQsetClientEncoding(PG(db)->conn, "UTF8") != 0) {
		PG(db)->unset = TRUE;
		return pg_note_error(db, NULL);
	}
	/* Times are UTC seconds everywhere; strings are read as written; a
	 * lock awaited longer than the busy timeout fails with 55P03,
	 * DB_BUSY. */
	sql = g_strdup_printf("SET client_min_messages = warning; "
	    "SET TimeZone = 'UTC'; SET standard_conforming_strings = on; "
	    "SET lock_timeout = %d", PG(db)->lock_timeout);
	res = pg_exec_quiet(db, sql);
	g_free(sql);
	rc = pg_note_result(db, res);
	PQclear(res);
	PG(db)->unset = rc != DB_OK;
	return rc;
}

/* Before a transaction, or a statement outside one: a connection that
 * broke (the server restarted, a network cut) is made again, once per
 * call; DB_OK when there is one to use, else the failure noted. */
static int
pg_connected(struct db *db)
{
	struct db_pg *pg = PG(db);

	/* A server that ended the connection while it was idle said so and
	 * closed it: reading what waits (without waiting), its last words
	 * and then the end, tells. */
	for (int i = 0; i < 2 && PQstatus(pg->conn) == CONNECTION_OK &&
	    PQtransactionStatus(pg->conn) == PQTRANS_IDLE; i++)
		(void)PQconsumeInput(pg->conn);
	if (PQstatus(pg->conn) == CONNECTION_OK)
		return pg->unset ? pg_session(db) : DB_OK;
	pg->in_tx = FALSE;
	PQreset(pg->conn);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		pg_note_error(db, NULL);
		return DB_IO;
	}
	pg->epoch++;
	g_string_truncate(pg->unused, 0);
	log_info("postgresql: the connection was lost; connected again");
	return pg_session(db);
}

int
db_open_postgresql(const char *uri, struct db **out)
{
	struct db_pg *db = g_new0(struct db_pg, 1);

	db->base.ops = &db_postgresql_ops;
	db->unused = g_string_new(NULL);
	*out = &db->base;
	db->conn = PQconnectdb(uri);
	if (db->conn == NULL) {
		pg_set_error(&db->base, DB_IO, "out of memory");
		return DB_IO;
	}
	if (PQstatus(db->conn) != CONNECTION_OK)
		return pg_note_error(&db->base, NULL);
	PQsetNoticeProcessor(db->conn, pg_notice, NULL);
	return pg_session(&db->base);
}

static void
pg_close(struct db *db)
{
	if (PG(db)->conn != NULL)
		PQfinish(PG(db)->conn);
	g_string_free(PG(db)->unused, TRUE);
	g_free(PG(db)->errmsg);
	g_free(db);
}

static const char *
pg_errmsg(struct db *db)
{
	int last = PG(db)->last;

	if (last == DB_OK || last == DB_ROW || last == DB_DONE)
		return "not an error";
	return PG(db)->errmsg != NULL ? PG(db)->errmsg : "unknown error";
}

static int
pg_errcode(struct db *db)
{
	return PG(db)->last;
}

static void
pg_busy_timeout(struct db *db, int ms)
{
	char sql[64];

	/* A lock awaited longer fails with 55P03, DB_BUSY. */
	PG(db)->lock_timeout = MAX(ms, 0);
	g_snprintf(sql, sizeof(sql), "SET lock_timeout = %d",
	    PG(db)->lock_timeout);
	PQclear(pg_exec_quiet(db, sql));
}

static gboolean
pg_in_transaction(struct db *db)
{
	switch (PQtransactionStatus(PG(db)->conn)) {
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
	case PQTRANS_ACTIVE:
		return TRUE;
	case PQTRANS_UNKNOWN:	/* the connection broke: in what it began */
		return PG(db)->in_tx;
	default:
		return FALSE;
	}
}

static gint64
pg_changes(struct db *db)
{
	return PG(db)->changes;
}

/* Whether SQL ends the transaction (a rollback to a savepoint does not). */
static gboolean
pg_ends_transaction(const char *sql)
{
	return g_ascii_strncasecmp(sql, "COMMIT", 6) == 0 ||
	    g_ascii_strncasecmp(sql, "END", 3) == 0 ||
	    (g_ascii_strncasecmp(sql, "ROLLBACK", 8) == 0 &&
	    g_ascii_strncasecmp(sql + 8, " TO ", 4) != 0);
}

static int
pg_exec(struct db *db, const char *sql)
{
	gboolean begin = g_ascii_strncasecmp(sql, "BEGIN", 5) == 0;
	PGresult *res;
	int rc;

	if ((begin || !PG(db)->in_tx) && (rc = pg_connected(db)) != DB_OK)
		return rc;
	pg_deallocate_unused(db);
	res = pg_exec_quiet(db, sql);
	rc = pg_note_result(db, res);
	/* A COMMIT of a transaction that had failed is answered ROLLBACK. */
	if (rc == DB_OK && g_ascii_strncasecmp(sql, "COMMIT", 6) == 0 &&
	    strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		pg_set_error(db, DB_ERROR, "the transaction failed and was "
		    "rolled back");
		rc = DB_ERROR;
	}
	PQclear(res);
	if (begin)
		PG(db)->in_tx = rc == DB_OK;
	else if (pg_ends_transaction(sql))
		PG(db)->in_tx = FALSE;
	return rc;
}

/* --- parameters ----------------------------------------------------------- */

/* Skips the quoted text or comment that starts at P, if one does;
 * returns where it ends, or P.  BACKSLASH: P is the quote of an E''
 * string, in which \' is a quote too. */
static const char *
pg_skip_quoted(const char *p, gboolean backslash)
{
	const char *q;

	if (*p == '\'' || *p == '"') {
		/* A doubled quote stays inside. */
		char quote = *p;

		for (q = p + 1; *q != '\0'; q++) {
			if (backslash && *q == '\\' && q[1] != '\0')
				q++;
			else if (*q == quote && q[1] == quote)
				q++;
			else if (*q == quote)
				return q + 1;
		}
		return q;
	}
	if (p[0] == '-' && p[1] == '-') {
		q = strchr(p, '\n');
		return q != NULL ? q + 1 : p + strlen(p);
	}
	if (p[0] == '/' && p[1] == '*') {
		int depth = 1;	/* PostgreSQL's block comments nest */

		for (q = p + 2; *q != '\0' && depth > 0; q++) {
			if (q[0] == '/' && q[1] == '*')
				depth++, q++;
			else if (q[0] == '*' && q[1] == '/')
				depth--, q++;
		}
		return q;
	}
	if (p[0] == '$' && (p[1] == '$' || g_ascii_isalpha(p[1]) ||
	    p[1] == '_')) {
		/* A dollar-quoted string: $tag$ ... $tag$. */
		const char *end = p + 1;
		g_autofree char *tag = NULL;

		while (g_ascii_isalnum(*end) || *end == '_')
			end++;
		if (*end != '$')
			return p;
		tag = g_strndup(p, end - p + 1);
		q = strstr(end + 1, tag);
		return q != NULL ? q + strlen(tag) : p + strlen(p);
	}
	return p;
}

static gboolean
pg_is_name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || (c & 0x80);
}

/* SQL with $N for ?, ?N and :name, numbered as SQLite numbers them: ?N
 * is N, a bare ? one more than the largest number so far, a name the
 * number of its first use or the next one.  *NPARAMS is set to the
 * largest number, NAMES (":name" to its number) filled. */
static char *
pg_translate(const char *sql, int *nparams, GHashTable *names)
{
	GString *out = g_string_sized_new(strlen(sql) + 16);
	const char *p = sql;
	int largest = 0;

	while (*p != '\0') {
		const char *next = pg_skip_quoted(p, FALSE);
		int n;

		if (next != p) {
			g_string_append_len(out, p, next - p);
			p = next;
		} else if (*p == '?') {
			p++;
			if (g_ascii_isdigit(*p)) {
				n = 0;
				while (g_ascii_isdigit(*p) && n < 100000)
					n = n * 10 + (*p++ - '0');
			} else
				n = largest + 1;
			largest = MAX(largest, n);
			g_string_append_printf(out, "$%d", n);
		} else if (*p == ':' && p[1] == ':') {
			g_string_append(out, "::");
			p += 2;
		} else if (*p == ':' && (g_ascii_isalpha(p[1]) ||
		    p[1] == '_') && (p == sql || !pg_is_name_char(p[-1]))) {
			const char *end = p + 1;
			char *name;

			while (pg_is_name_char(*end))
				end++;
			name = g_strndup(p, end - p);
			n = GPOINTER_TO_INT(g_hash_table_lookup(names, name));
			if (n == 0) {
				n = largest + 1;
				g_hash_table_insert(names, name,
				    GINT_TO_POINTER(n));
			} else
				g_free(name);
			largest = MAX(largest, n);
			g_string_append_printf(out, "$%d", n);
			p = end;
		} else if (pg_is_name_char(*p)) {
			/* A whole word, so that a $ or an E in a name is not
			 * taken for a quote; the word E before a quote makes
			 * an E'' string. */
			const char *end = p;

			while (pg_is_name_char(*end) || *end == '$')
				end++;
			if (end - p == 1 && (*p == 'E' || *p == 'e') &&
			    *end == '\'')
				end = pg_skip_quoted(end, TRUE);
			g_string_append_len(out, p, end - p);
			p = end;
		} else
			g_string_append_c(out, *p++);
	}
	*nparams = largest;
	return g_string_free(out, FALSE);
}

/* --- statements ------------------------------------------------------------ */

static int
pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_pg_stmt *s = g_new0(struct db_pg_stmt, 1);

	s->base.db = db;
	s->sql = g_strdup(sql);
	s->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	s->pgsql = pg_translate(sql, &s->nparams, s->names);
	s->params = g_new0(struct pg_param, MAX(s->nparams, 1));
	s->forced = g_new0(Oid, MAX(s->nparams, 1));
	s->last_forced = -1;
	s->row = -1;
	*out = &s->base;
	PG(db)->last = DB_OK;
	return DB_OK;
}

static void
pg_free_blobs(struct db_pg_stmt *s)
{
	int n = s->result != NULL ? PQnfields(s->result) : 0;

	if (s->blobs == NULL)
		return;
	for (int i = 0; i < n; i++)
		g_clear_pointer(&s->blobs[i], g_free);
}

static void
pg_clear_result(struct db_pg_stmt *s)
{
	pg_free_blobs(s);
	g_clear_pointer(&s->blobs, g_free);
	g_clear_pointer(&s->blob_lengths, g_free);
	g_clear_pointer(&s->result, PQclear);
	s->row = -1;
	s->done = FALSE;
}

/* Forgets, without a word to the server, what S had prepared on a
 * connection that is gone. */
static void
pg_forget_stale(struct db_pg_stmt *s)
{
	if (s->epoch == PG(s->base.db)->epoch)
		return;
	s->name[0] = '\0';
	g_clear_pointer(&s->prepared_types, g_free);
	s->epoch = PG(s->base.db)->epoch;
}

static void
pg_forget_prepared(struct db_pg_stmt *s)
{
	pg_forget_stale(s);
	if (s->name[0] != '\0')
		g_string_append_printf(PG(s->base.db)->unused,
		    "DEALLOCATE %s;", s->name);
	s->name[0] = '\0';
	g_clear_pointer(&s->prepared_types, g_free);
	g_clear_pointer(&s->description, PQclear);
}

static void
pg_clear_param(struct pg_param *p)
{
	if (p->borrowed)
		p->value = NULL;
	p->borrowed = FALSE;
	g_clear_pointer(&p->value, g_free);
	p->length = 0;
	p->format = 0;
	p->type = 0;
}

static void
pg_finalize(struct db_stmt *s)
{
	pg_clear_result(PS(s));
	pg_forget_prepared(PS(s));
	for (int i = 0; i < PS(s)->nparams; i++)
		pg_clear_param(&PS(s)->params[i]);
	g_free(PS(s)->params);
	g_free(PS(s)->forced);
	g_hash_table_destroy(PS(s)->names);
	g_free(PS(s)->sql);
	g_free(PS(s)->pgsql);
	g_free(s);
}

static const char *
pg_sql(struct db_stmt *s)
{
	return PS(s)->sql;
}

static void
pg_reset(struct db_stmt *s)
{
	pg_clear_result(PS(s));
}

static void
pg_clear_bindings(struct db_stmt *s)
{
	for (int i = 0; i < PS(s)->nparams; i++)
		pg_clear_param(&PS(s)->params[i]);
}

/* Parameter I (from 1), emptied, or NULL when the statement has none of
 * that number (SQLite ignores those too, with SQLITE_RANGE). */
static struct pg_param *
pg_param(struct db_stmt *s, int i)
{
	struct pg_param *p;

	if (i < 1 || i > PS(s)->nparams)
		return NULL;
	p = &PS(s)->params[i - 1];
	pg_clear_param(p);
	return p;
}

static void
pg_bind_int64(struct db_stmt *s, int i, gint64 v)
{
	struct pg_param *p = pg_param(s, i);

	if (p == NULL)
		return;
	p->value = g_strdup_printf("%" G_GINT64_FORMAT, v);
	p->type = OID_INT8;
}

static void
pg_bind_double(struct db_stmt *s, int i, double v)
{
	struct pg_param *p = pg_param(s, i);
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (p == NULL)
		return;
	/* Exact, and in the C locale whatever the user's. */
	p->value = g_strdup(g_ascii_dtostr(buf, sizeof(buf), v));
	p->type = OID_FLOAT8;
}

static void
pg_bind_null(struct db_stmt *s, int i)
{
	pg_param(s, i);
}

static void
pg_bind_text(struct db_stmt *s, int i, const char *text, gssize len)
{
	struct pg_param *p = pg_param(s, i);

	if (p == NULL || text == NULL)
		return;
	/* Text ends at its first NUL, which PostgreSQL cannot store; and
	 * it is UTF-8, which PostgreSQL checks: bytes that are not (a
	 * hostile name, a broken header) are stored as U+FFFD rather than
	 * failing the statement and losing the row. */
	p->value = len < 0 ? g_strdup(text) : g_strndup(text, len);
	if (!g_utf8_validate(p->value, -1, NULL)) {
		char *valid = g_utf8_make_valid(p->value, -1);

		g_free(p->value);
		p->value = valid;
	}
}

static void
pg_bind_blob(struct db_stmt *s, int i, const void *data, gsize len)
{
	struct pg_param *p = pg_param(s, i);

	if (p == NULL)
		return;
	if (len > G_MAXINT)	/* more than libpq can send */
		len = G_MAXINT;
	p->value = g_malloc(MAX(len, 1));
	if (len > 0)
		memcpy(p->value, data, len);
	p->length = (int)len;
	p->format = 1;
	p->type = OID_BYTEA;
}

static void
pg_bind_blob_static(struct db_stmt *s, int i, const void *data, gsize len)
{
	struct pg_param *p = pg_param(s, i);

	if (p == NULL)
		return;
	if (len > G_MAXINT)
		len = G_MAXINT;
	/* Not copied: the caller keeps DATA until the reset.  libpq reads
	 * a binary value by its length, so an empty one needs any
	 * pointer. */
	p->value = len > 0 ? (char *)data : (char *)"";
	p->borrowed = TRUE;
	p->length = (int)len;
	p->format = 1;
	p->type = OID_BYTEA;
}

static int
pg_bind_parameter_index(struct db_stmt *s, const char *name)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(PS(s)->names, name));
}

/* Whether the statement, prepared with its types, can take the values
 * bound now: a NULL fits any type, text one the server inferred. */
static gboolean
pg_types_fit(struct db_pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++) {
		const struct pg_param *p = &s->params[i];

		if (p->value != NULL && p->type != s->prepared_types[i])
			return FALSE;
	}
	return TRUE;
}

/* The types to send S's parameters with, in TYPING. */

static Oid *
pg_types(struct db_pg_stmt *s, enum pg_typing typing)
{
	Oid *types = g_new0(Oid, MAX(s->nparams, 1));

	for (int i = 0; i < s->nparams; i++) {
		const struct pg_param *p = &s->params[i];

		types[i] = p->value == NULL ? 0 : p->type;
		if (typing == PG_INFERRED && types[i] != OID_BYTEA)
			types[i] = 0;
		if (types[i] == 0)
			types[i] = s->forced[i];
	}
	return types;
}

static gboolean
pg_state_is(const PGresult *res, const char *state)
{
	const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return s != NULL && strcmp(s, state) == 0;
}

/* After "could not determine data type of parameter $N" (indeterminate,
 * 42P18, or ambiguous, 42P08: "$N IS NULL OR name = $N"), says that $N is
 * text; FALSE when it already had a type (or no number is named), so that
 * the attempts end. */
static gboolean
pg_force_text(struct db_pg_stmt *s, const PGresult *res)
{
	const char *message = PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY);
	const char *dollar = message != NULL ? strrchr(message, '$') : NULL;
	gint64 n = dollar != NULL ? g_ascii_strtoll(dollar + 1, NULL, 10) : 0;

	if (n < 1 || n > s->nparams || s->forced[n - 1] != 0)
		return FALSE;
	s->forced[n - 1] = OID_TEXT;
	s->last_forced = (int)n - 1;
	return TRUE;
}

/* After a type error with the parameter last said to be text: it is a
 * bigint instead, once. */
static gboolean
pg_force_bigint(struct db_pg_stmt *s)
{
	if (s->last_forced < 0 || s->forced[s->last_forced] != OID_TEXT)
		return FALSE;
	s->forced[s->last_forced] = OID_INT8;
	return TRUE;
}

/* Runs the protected command SQL, ignoring its result. */
static void
pg_run(struct db *db, const char *sql)
{
	PQclear(pg_exec_quiet(db, sql));
}

/* Prepares S on the server under a new name.  A failed attempt inside a
 * transaction would end it, so there the attempts are made inside a
 * savepoint. */
static int
pg_prepare_server(struct db_pg_stmt *s)
{
	struct db *db = s->base.db;
	gboolean in_tx = PQtransactionStatus(PG(db)->conn) == PQTRANS_INTRANS;
	enum pg_typing typing = PG_TYPED;
	PGresult *res = NULL;
	Oid *types = NULL;
	int rc;

	pg_forget_prepared(s);
	g_snprintf(s->name, sizeof(s->name), "tidings_%" G_GUINT64_FORMAT,
	    ++PG(db)->serial);
	if (in_tx)
		pg_run(db, "SAVEPOINT tidings_prepare");
	for (;;) {
		g_free(types);
		types = pg_types(s, typing);
		PQclear(res);
		res = PQprepare(PG(db)->conn, s->name, s->pgsql, s->nparams,
		    types);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			break;
		if (pg_state_is(res, "42883") || pg_state_is(res, "42804") ||
		    pg_state_is(res, "42725")) {
			if (typing == PG_TYPED)
				typing = PG_INFERRED;
			else if (!pg_force_bigint(s))
				break;
		} else if ((!pg_state_is(res, "42P18") &&
		    !pg_state_is(res, "42P08")) || !pg_force_text(s, res))
			break;
		if (in_tx)
			pg_run(db, "ROLLBACK TO SAVEPOINT tidings_prepare");
	}
	rc = pg_note_result(db, res);
	PQclear(res);
	g_free(types);
	if (rc == DB_OK) {
		/* Values of the types bound now fit it, whatever the server
		 * took them for. */
		s->prepared_types = pg_types(s, PG_TYPED);
		s->typing = typing;
	} else {
		s->name[0] = '\0';
		if (in_tx)
			pg_run(db, "ROLLBACK TO SAVEPOINT tidings_prepare");
	}
	if (in_tx)
		pg_run(db, "RELEASE SAVEPOINT tidings_prepare");
	return rc;
}

/* Sends S with its values, prepared or not, and keeps the result. */
static int
pg_execute(struct db_pg_stmt *s)
{
	struct db *db = s->base.db;
	int n = s->nparams;
	g_autofree const char **values = g_new0(const char *, MAX(n, 1));
	g_autofree int *lengths = g_new0(int, MAX(n, 1));
	g_autofree int *formats = g_new0(int, MAX(n, 1));
	g_autofree Oid *types = NULL;
	PGresult *res;
	int rc;

	if (!PG(db)->in_tx && (rc = pg_connected(db)) != DB_OK)
		return rc;
	pg_forget_stale(s);
	pg_deallocate_unused(db);
	if (!s->unprepared && s->name[0] != '\0' && !pg_types_fit(s)) {
		if (++s->reprepared > PG_MAX_REPREPARE) {
			s->unprepared = TRUE;
			pg_forget_prepared(s);
		} else
			pg_forget_prepared(s);
	}
	if (!s->unprepared && s->name[0] == '\0' &&
	    (rc = pg_prepare_server(s)) != DB_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		values[i] = s->params[i].value;
		lengths[i] = s->params[i].length;
		formats[i] = s->params[i].format;
	}
	if (s->unprepared) {
		types = pg_types(s, s->typing);
		res = PQexecParams(PG(db)->conn, s->pgsql, n, types, values,
		    lengths, formats, 0);
	} else
		res = PQexecPrepared(PG(db)->conn, s->name, n, values,
		    lengths, formats, 0);
	rc = pg_note_result(db, res);
	if (rc != DB_OK) {
		PQclear(res);
		return rc;
	}
	s->result = res;
	s->blobs = g_new0(unsigned char *, MAX(PQnfields(res), 1));
	s->blob_lengths = g_new0(size_t, MAX(PQnfields(res), 1));
	return DB_OK;
}

static int
pg_step(struct db_stmt *s)
{
	struct db_pg_stmt *ps = PS(s);
	int rc;

	if (ps->done)	/* a step after the last runs it again, as SQLite */
		pg_clear_result(ps);
	if (ps->result == NULL && (rc = pg_execute(ps)) != DB_OK)
		return rc;
	pg_free_blobs(ps);
	if (++ps->row < PQntuples(ps->result))
		return PG(s->db)->last = DB_ROW;
	ps->done = TRUE;
	return PG(s->db)->last = DB_DONE;
}

/* --- columns ---------------------------------------------------------------- */

static gboolean
pg_has_value(struct db_stmt *s, int i)
{
	const struct db_pg_stmt *ps = PS(s);

	return ps->result != NULL && ps->row >= 0 &&
	    ps->row < PQntuples(ps->result) && i >= 0 &&
	    i < PQnfields(ps->result) &&
	    !PQgetisnull(ps->result, ps->row, i);
}

/* What describes S's columns: its result, or before its first step, the
 * server's description of it, prepared for that with what is bound (as
 * SQLite knows a statement's columns once it is prepared).  NULL when it
 * cannot be prepared. */
static const PGresult *
pg_columns(struct db_pg_stmt *s)
{
	PGconn *conn = PG(s->base.db)->conn;

	if (s->result != NULL)
		return s->result;
	if (s->description != NULL)
		return s->description;
	pg_forget_stale(s);
	if (s->unprepared ||
	    (s->name[0] == '\0' && pg_prepare_server(s) != DB_OK))
		return NULL;
	s->description = PQdescribePrepared(conn, s->name);
	if (PQresultStatus(s->description) != PGRES_COMMAND_OK) {
		pg_note_error(s->base.db, s->description);
		g_clear_pointer(&s->description, PQclear);
	}
	return s->description;
}

static int
pg_column_count(struct db_stmt *s)
{
	const PGresult *res = pg_columns(PS(s));

	return res != NULL ? PQnfields(res) : 0;
}

static const char *
pg_column_name(struct db_stmt *s, int i)
{
	const PGresult *res = pg_columns(PS(s));

	if (res == NULL || i < 0 || i >= PQnfields(res))
		return NULL;
	return PQfname(res, i);
}

/* Whether the numeric value V is whole and within 64 bits (sum() of
 * bigints is a numeric, which SQLite's would be an integer). */
static gboolean
pg_numeric_is_integer(const char *v)
{
	const char *p = *v == '-' ? v + 1 : v;
	size_t n = strspn(p, "0123456789");

	return n > 0 && p[n] == '\0' && (n < 19 || (n == 19 &&
	    strcmp(p, *v == '-' ? "9223372036854775808" :
	    "9223372036854775807") <= 0));
}

static enum db_type
pg_column_type(struct db_stmt *s, int i)
{
	if (!pg_has_value(s, i))
		return DB_NULL;
	switch (PQftype(PS(s)->result, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DB_INTEGER;
	case OID_NUMERIC:
		return pg_numeric_is_integer(PQgetvalue(PS(s)->result,
		    PS(s)->row, i)) ? DB_INTEGER : DB_FLOAT;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DB_FLOAT;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

/* The bytes of a bytea value, unescaped once for this row, followed by
 * a NUL (for db_column_text). */
static const unsigned char *
pg_bytea(struct db_stmt *s, int i, size_t *len)
{
	struct db_pg_stmt *ps = PS(s);

	if (ps->blobs[i] == NULL) {
		const char *text = PQgetvalue(ps->result, ps->row, i);
		unsigned char *bytes = PQunescapeBytea(
		    (const unsigned char *)text, &ps->blob_lengths[i]);

		if (bytes == NULL)
			g_error("out of memory");
		ps->blobs[i] = g_malloc(ps->blob_lengths[i] + 1);
		memcpy(ps->blobs[i], bytes, ps->blob_lengths[i]);
		ps->blobs[i][ps->blob_lengths[i]] = '\0';
		PQfreemem(bytes);
	}
	*len = ps->blob_lengths[i];
	return ps->blobs[i];
}

static const char *
pg_column_text(struct db_stmt *s, int i)
{
	const char *v;
	size_t len;

	if (!pg_has_value(s, i))
		return NULL;
	v = PQgetvalue(PS(s)->result, PS(s)->row, i);
	switch (PQftype(PS(s)->result, i)) {
	case OID_BOOL:	/* as SQLite says a truth */
		return *v == 't' ? "1" : "0";
	case OID_BYTEA:	/* its bytes, as SQLite gives a blob's */
		return (const char *)pg_bytea(s, i, &len);
	default:
		return v;
	}
}

static gint64
pg_column_int64(struct db_stmt *s, int i)
{
	const char *v;

	if (!pg_has_value(s, i))
		return 0;
	v = PQgetvalue(PS(s)->result, PS(s)->row, i);
	switch (PQftype(PS(s)->result, i)) {
	case OID_BOOL:
		return *v == 't';
	case OID_NUMERIC:
		if (pg_numeric_is_integer(v))
			return g_ascii_strtoll(v, NULL, 10);
		/* fall through */
	case OID_FLOAT4:
	case OID_FLOAT8: {
		double d = g_ascii_strtod(v, NULL);

		if (d != d)
			return 0;
		if (d >= 9223372036854775807.0)
			return G_MAXINT64;
		if (d <= -9223372036854775808.0)
			return G_MININT64;
		return (gint64)d;
	}
	default:
		return g_ascii_strtoll(v, NULL, 10);
	}
}

static double
pg_column_double(struct db_stmt *s, int i)
{
	const char *v;

	if (!pg_has_value(s, i))
		return 0.0;
	v = PQgetvalue(PS(s)->result, PS(s)->row, i);
	if (PQftype(PS(s)->result, i) == OID_BOOL)
		return *v == 't' ? 1.0 : 0.0;
	return g_ascii_strtod(v, NULL);
}

static const void *
pg_column_blob(struct db_stmt *s, int i)
{
	size_t len;

	if (!pg_has_value(s, i))
		return NULL;
	if (PQftype(PS(s)->result, i) == OID_BYTEA)
		return pg_bytea(s, i, &len);
	return pg_column_text(s, i);
}

static int
pg_column_bytes(struct db_stmt *s, int i)
{
	size_t len;

	if (!pg_has_value(s, i))
		return 0;
	switch (PQftype(PS(s)->result, i)) {
	case OID_BYTEA:
		pg_bytea(s, i, &len);
		return (int)MIN(len, (size_t)G_MAXINT);
	case OID_BOOL:
		return 1;
	default:
		return PQgetlength(PS(s)->result, PS(s)->row, i);
	}
}

const struct db_ops db_postgresql_ops = {
	.backend = DB_POSTGRESQL,
	.close = pg_close,
	.errmsg = pg_errmsg,
	.errcode = pg_errcode,
	.busy_timeout = pg_busy_timeout,
	.in_transaction = pg_in_transaction,
	.changes = pg_changes,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.sql = pg_sql,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_null = pg_bind_null,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_blob_static = pg_bind_blob_static,
	.bind_parameter_index = pg_bind_parameter_index,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
};

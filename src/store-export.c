/* The full export, its restore, and the online backup; see
 * store-export.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db-sqlite.h"
#include "store-export.h"
#include "store-private.h"

/*
 * Each table's statements, made of constants: every row of it in the
 * order of its key (SELECT *, so that a column added by a later migration
 * is exported without being listed here), its rows counted, and one row
 * added by its columns' names.  A column missing from the list of a
 * restore is refused by name, and the round-trip test finds it.
 */
#define TABLE(NAME, ORDER, COLUMNS, PARAMS)				\
static struct db_stmt *							\
select_##NAME(struct store *st, GError **error)			\
{									\
	return store_prepare(st, "SELECT * FROM " #NAME " ORDER BY "	\
	    ORDER, error);						\
}									\
static struct db_stmt *							\
count_##NAME(struct store *st, GError **error)				\
{									\
	return store_prepare(st, "SELECT count(*) FROM " #NAME, error);	\
}									\
static struct db_stmt *							\
insert_##NAME(struct store *st, GError **error)			\
{									\
	return store_prepare(st, "INSERT INTO " #NAME " (" COLUMNS	\
	    ") VALUES (" PARAMS ")", error);				\
}

TABLE(teams, "id",
    "id,name,title,zone,digest_rrule,digest_empty,created_at,around_day",
    ":id,:name,:title,:zone,:digest_rrule,:digest_empty,:created_at,"
    ":around_day")
TABLE(people, "id",
    "id,email,name,zone,work_start,work_end,workdays,status,status_until,"
    "paused_until,delivery_error,delivery_error_at,created_at,"
    "bounce_score,bouncing_since,mail_dead_at",
    ":id,:email,:name,:zone,:work_start,:work_end,:workdays,:status,"
    ":status_until,:paused_until,:delivery_error,:delivery_error_at,"
    ":created_at,:bounce_score,:bouncing_since,:mail_dead_at")
TABLE(memberships, "team_id, person_id",
    "team_id,person_id,role,created_at",
    ":team_id,:person_id,:role,:created_at")
TABLE(checkins, "id",
    "id,team_id,title,rrule,reminder_after,close_after,active,created_at",
    ":id,:team_id,:title,:rrule,:reminder_after,:close_after,:active,"
    ":created_at")
TABLE(questions, "id",
    "id,checkin_id,position,text,is_blocker,retired",
    ":id,:checkin_id,:position,:text,:is_blocker,:retired")
TABLE(prompts, "id",
    "id,checkin_id,person_id,occurrence,due_at,closes_at,sent_at,"
    "reminded_at,state,skip_reason,token,message_id,answered_at",
    ":id,:checkin_id,:person_id,:occurrence,:due_at,:closes_at,:sent_at,"
    ":reminded_at,:state,:skip_reason,:token,:message_id,:answered_at")
TABLE(threads, "id",
    "id,root,subject,team_id,first_date,last_date,subject_key",
    ":id,:root,:subject,:team_id,:first_date,:last_date,:subject_key")
TABLE(messages, "id",
    "id,message_id,content_hash,conflict,thread_id,parent,in_reply_to,refs,"
    "sender,sender_name,subject,date,received_at,source,kind,state,reason,"
    "person_id,trusted,trust_reason,body_text,prompt_id,attempts",
    ":id,:message_id,:content_hash,:conflict,:thread_id,:parent,"
    ":in_reply_to,:refs,:sender,:sender_name,:subject,:date,:received_at,"
    ":source,:kind,:state,:reason,:person_id,:trusted,:trust_reason,"
    ":body_text,:prompt_id,:attempts")
TABLE(messages_raw, "message",
    "message,raw",
    ":message,:raw")
TABLE(message_refs, "message, ref",
    "message,ref",
    ":message,:ref")
TABLE(answers, "id",
    "id,prompt_id,question_id,message,text,counted,reason,superseded_by,"
    "created_at",
    ":id,:prompt_id,:question_id,:message,:text,:counted,:reason,"
    ":superseded_by,:created_at")
TABLE(digests, "id",
    "id,team_id,period_start,period_end,message_id,created_at",
    ":id,:team_id,:period_start,:period_end,:message_id,:created_at")
TABLE(comments, "id",
    "id,answer_id,digest_id,message,person_id,text,created_at",
    ":id,:answer_id,:digest_id,:message,:person_id,:text,:created_at")
TABLE(subscriptions, "id",
    "id,team_id,person_id,state,format,token,bounce_score,requested_at,"
    "confirmed_at,ended_at,zone,at_minute,ended_by",
    ":id,:team_id,:person_id,:state,:format,:token,:bounce_score,"
    ":requested_at,:confirmed_at,:ended_at,:zone,:at_minute,:ended_by")
TABLE(bounces, "id",
    "id,person_id,message,recipient,status,hard,at,outbox_id",
    ":id,:person_id,:message,:recipient,:status,:hard,:at,:outbox_id")
TABLE(availability, "id",
    "id,person_id,kind,starts_at,ends_at,rrule,zone,summary,source,uid,"
    "message,created_at",
    ":id,:person_id,:kind,:starts_at,:ends_at,:rrule,:zone,:summary,"
    ":source,:uid,:message,:created_at")
TABLE(meetings, "id",
    "id,team_id,uid,sequence,title,starts_at,ends_at,state,created_at",
    ":id,:team_id,:uid,:sequence,:title,:starts_at,:ends_at,:state,"
    ":created_at")
TABLE(attendees, "meeting_id, person_id",
    "meeting_id,person_id,partstat,counter_start,counter_end,comment,"
    "updated_at",
    ":meeting_id,:person_id,:partstat,:counter_start,:counter_end,"
    ":comment,:updated_at")
TABLE(outbox, "id",
    "id,dedupe_key,sender,state,attempts,next_try_at,last_error,"
    "created_at,sent_at,kind,message_id,subject,body,due_at,expires_at,"
    "claim,claim_until",
    ":id,:dedupe_key,:sender,:state,:attempts,:next_try_at,"
    ":last_error,:created_at,:sent_at,:kind,:message_id,:subject,:body,"
    ":due_at,:expires_at,:claim,:claim_until")
TABLE(outbox_raw, "outbox_id",
    "outbox_id,raw",
    ":outbox_id,:raw")
TABLE(outbox_recipients, "outbox_id, address",
    "outbox_id,address,state,last_error,code,updated_at,verp",
    ":outbox_id,:address,:state,:last_error,:code,:updated_at,:verp")
TABLE(outbox_bodies, "id",
    "id,key,raw",
    ":id,:key,:raw")
TABLE(sync_state, "account, folder",
    "account,folder,uidvalidity,last_uid,last_sync_at,last_error,"
    "last_error_at",
    ":account,:folder,:uidvalidity,:last_uid,:last_sync_at,:last_error,"
    ":last_error_at")
TABLE(http_keys, "kind, team_id, subject",
    "kind,team_id,subject,generation,changed_at",
    ":kind,:team_id,:subject,:generation,:changed_at")
TABLE(blockers, "id",
    "id,team_id,person_id,checkin_id,text,state,opened_at,confirmed_at,"
    "resolved_at,escalated_at,escalations",
    ":id,:team_id,:person_id,:checkin_id,:text,:state,:opened_at,"
    ":confirmed_at,:resolved_at,:escalated_at,:escalations")
TABLE(blocker_events, "id",
    "id,blocker_id,what,text,answer_id,created_at",
    ":id,:blocker_id,:what,:text,:answer_id,:created_at")
TABLE(team_alerts, "team_id",
    "team_id,escalate_after,escalate_to,urgent_senders,ack_within,"
    "urgent_deep,oncall",
    ":team_id,:escalate_after,:escalate_to,:urgent_senders,:ack_within,"
    ":urgent_deep,:oncall")
TABLE(urgents, "id",
    "id,team_id,message,sender,subject,state,step,next_at,taken_by,"
    "created_at",
    ":id,:team_id,:message,:sender,:subject,:state,:step,:next_at,"
    ":taken_by,:created_at")
TABLE(urgent_steps, "id",
    "id,urgent_id,what,email,detail,token,created_at",
    ":id,:urgent_id,:what,:email,:detail,:token,:created_at")

typedef struct db_stmt *(*table_stmt_fn)(struct store *st, GError **error);

struct export_table {
	const char *name;
	table_stmt_fn select, count, insert;
};

#define ENTRY(NAME) { #NAME, select_##NAME, count_##NAME, insert_##NAME }

/* Parents before children, though foreign keys are only checked at the
 * commit of a restore. */
static const struct export_table tables[] = {
	ENTRY(teams), ENTRY(people), ENTRY(memberships), ENTRY(checkins),
	ENTRY(questions), ENTRY(prompts), ENTRY(threads), ENTRY(messages),
	ENTRY(messages_raw), ENTRY(message_refs), ENTRY(answers),
	ENTRY(digests), ENTRY(comments), ENTRY(subscriptions), ENTRY(bounces),
	ENTRY(availability), ENTRY(meetings), ENTRY(attendees), ENTRY(outbox),
	ENTRY(outbox_raw), ENTRY(outbox_recipients), ENTRY(outbox_bodies),
	ENTRY(sync_state), ENTRY(http_keys), ENTRY(blockers),
	ENTRY(blocker_events), ENTRY(team_alerts), ENTRY(urgents),
	ENTRY(urgent_steps),
};

const char *const *
store_export_tables(void)
{
	static const char *names[G_N_ELEMENTS(tables) + 1];

	if (names[0] == NULL)
		for (gsize i = 0; i < G_N_ELEMENTS(tables); i++)
			names[i] = tables[i].name;
	return names;
}

static const struct export_table *
table_find(const char *name, GError **error)
{
	for (gsize i = 0; i < G_N_ELEMENTS(tables); i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
	    "there is no table \"%s\" in this tidings' database", name);
	return NULL;
}

gboolean
store_export_begin(struct store *st, GError **error)
{
	/* A read transaction: a snapshot, which holds up no writer. */
	if (db_backend(st->db) == DB_POSTGRESQL)
		return store_exec(st, "BEGIN ISOLATION LEVEL REPEATABLE READ "
		    "READ ONLY", error);
	return store_exec(st, "BEGIN DEFERRED", error) &&
	    store_exec(st, "SELECT count(*) FROM teams", error);
}

void
store_export_end(struct store *st)
{
	(void)store_exec(st, "COMMIT", NULL);
}

static void
read_cell(struct db_stmt *stmt, int i, struct store_cell *c)
{
	memset(c, 0, sizeof *c);
	c->column = db_column_name(stmt, i);
	switch (db_column_type(stmt, i)) {
	case DB_INTEGER:
		c->type = STORE_CELL_INTEGER;
		c->integer = db_column_int64(stmt, i);
		break;
	case DB_FLOAT:
		c->type = STORE_CELL_REAL;
		c->real = db_column_double(stmt, i);
		break;
	case DB_TEXT:
		c->type = STORE_CELL_TEXT;
		c->data = (const guint8 *)db_column_text(stmt, i);
		c->len = (gsize)db_column_bytes(stmt, i);
		break;
	case DB_BLOB:
		c->type = STORE_CELL_BLOB;
		c->data = db_column_blob(stmt, i);
		c->len = (gsize)db_column_bytes(stmt, i);
		break;
	default:
		c->type = STORE_CELL_NULL;
	}
}

gboolean
store_export_rows(struct store *st, const char *table,
    store_export_row_fn row, gpointer data, GError **error)
{
	const struct export_table *t = table_find(table, error);
	struct db_stmt *stmt;
	struct store_cell *cells;
	int rc, n;
	gboolean ok = TRUE;

	if (t == NULL || (stmt = t->select(st, error)) == NULL)
		return FALSE;
	n = db_column_count(stmt);
	cells = g_new0(struct store_cell, (gsize)n + 1);
	while (ok && (rc = db_step(stmt)) == DB_ROW) {
		for (int i = 0; i < n; i++)
			read_cell(stmt, i, &cells[i]);
		ok = row(cells, (guint)n, data, error);
	}
	if (ok && rc != DB_DONE)
		ok = store_fail(st, rc, error);
	db_reset(stmt);
	g_free(cells);
	return ok;
}

gboolean
store_export_count(struct store *st, guint64 *rows, guint64 *teams,
    guint64 *people, guint64 *mails, GError **error)
{
	*rows = *teams = *people = *mails = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(tables); i++) {
		struct db_stmt *stmt = tables[i].count(st, error);
		gint64 n;

		if (stmt == NULL || (n = store_step_int64(st, stmt, error)) < 0)
			return FALSE;
		*rows += (guint64)n;
		if (tables[i].count == count_teams)
			*teams = (guint64)n;
		else if (tables[i].count == count_people)
			*people = (guint64)n;
		else if (tables[i].count == count_messages)
			*mails = (guint64)n;
	}
	return TRUE;
}

gboolean
store_export_table_count(struct store *st, const char *table, guint64 *rows,
    GError **error)
{
	const struct export_table *t = table_find(table, error);
	struct db_stmt *stmt;
	gint64 n;

	if (t == NULL || (stmt = t->count(st, error)) == NULL ||
	    (n = store_step_int64(st, stmt, error)) < 0)
		return FALSE;
	*rows = (guint64)n;
	return TRUE;
}

char *
store_export_raw_digest(struct store *st, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	struct db_stmt *stmt = store_prepare(st, "SELECT message, raw FROM "
	    "messages_raw ORDER BY message", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = db_step(stmt)) == DB_ROW) {
		guint64 id = (guint64)db_column_int64(stmt, 0);
		guint64 len = (guint64)db_column_bytes(stmt, 1);
		guint8 head[16];

		/* Each mail's id and length, then its bytes: no two
		 * databases that differ give the same stream. */
		for (int i = 0; i < 8; i++) {
			head[i] = (guint8)(id >> (56 - 8 * i));
			head[8 + i] = (guint8)(len >> (56 - 8 * i));
		}
		g_checksum_update(sum, head, sizeof head);
		if (len > 0)
			g_checksum_update(sum, db_column_blob(stmt, 1),
			    (gssize)len);
	}
	db_reset(stmt);
	if (rc != DB_DONE) {
		store_fail(st, rc, error);
		return NULL;
	}
	return g_strdup(g_checksum_get_string(sum));
}

gboolean
store_import_begin(struct store *st, GError **error)
{
	if (!store_begin(st, error))
		return FALSE;
	if (!store_exec(st, db_backend(st->db) == DB_POSTGRESQL ?
	    "SET CONSTRAINTS ALL DEFERRED" : "PRAGMA defer_foreign_keys = ON",
	    error)) {
		store_rollback(st);
		return FALSE;
	}
	return TRUE;
}

static gboolean
bind_cell(struct db_stmt *stmt, const char *table, const struct store_cell *c,
    GError **error)
{
	g_autofree char *param = g_strconcat(":", c->column, NULL);
	int i = db_bind_parameter_index(stmt, param);

	if (i == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "%s: this tidings has no column \"%s\" (is the export "
		    "from a newer version?)", table, c->column);
		return FALSE;
	}
	switch (c->type) {
	case STORE_CELL_INTEGER:
		db_bind_int64(stmt, i, c->integer);
		break;
	case STORE_CELL_REAL:
		db_bind_double(stmt, i, c->real);
		break;
	case STORE_CELL_TEXT:
		db_bind_text(stmt, i, (const char *)c->data, (gssize)c->len);
		break;
	case STORE_CELL_BLOB:
		db_bind_blob(stmt, i, c->data, c->len);
		break;
	default:
		db_bind_null(stmt, i);
	}
	return TRUE;
}

gboolean
store_import_row(struct store *st, const char *table,
    const struct store_cell *cells, guint n, GError **error)
{
	const struct export_table *t = table_find(table, error);
	struct db_stmt *stmt;
	g_autoptr(GError) err = NULL;

	if (t == NULL || (stmt = t->insert(st, error)) == NULL)
		return FALSE;
	for (guint i = 0; i < n; i++)
		if (!bind_cell(stmt, table, &cells[i], error)) {
			db_reset(stmt);
			return FALSE;
		}
	if (store_step_done(st, stmt, &err))
		return TRUE;
	g_set_error(error, STORE_ERROR, err->code, "%s: %s", table,
	    err->message);
	return FALSE;
}

gboolean
store_import_end(struct store *st, GError **error)
{
	/* PostgreSQL: the rows came with their ids, so each id's sequence
	 * goes on after the highest. */
	if (db_backend(st->db) == DB_POSTGRESQL)
		return store_exec(st, "DO $$DECLARE r record; BEGIN "
		    "FOR r IN SELECT c.relname AS t, a.attname AS col "
		    "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c "
		    "ON c.oid = a.attrelid WHERE c.relnamespace = "
		    "current_schema()::regnamespace AND c.relkind = 'r' AND "
		    "a.attnum > 0 AND NOT a.attisdropped AND "
		    "pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
		    "IS NOT NULL LOOP EXECUTE format('SELECT setval("
		    "pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1, "
		    "false) FROM %I', quote_ident(r.t), r.col, r.col, r.t); "
		    "END LOOP; END$$", error) && store_commit(st, error);
	/* The search index holds the mail that was processed, as when it
	 * was stored (store-message.c). */
	if (!store_exec(st, "INSERT INTO messages_fts (rowid, subject, sender, "
	    "body_text) SELECT id, subject, sender, body_text FROM messages "
	    "WHERE state IN ('processed', 'dropped')", error))
		return FALSE;
	return store_commit(st, error);
}

/* --- the online backup ------------------------------------------------- */

/* Makes what was written to PATH durable: its data, and its name in its
 * directory. */
static gboolean
sync_file(const char *path, gboolean dir, GError **error)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
		    "%s: cannot write it to disk: %s", path, g_strerror(e));
		return FALSE;
	}
	close(fd);
	return TRUE;
}

/* Copies ST into DST in one step, a snapshot; a source locked for a
 * moment (a bulk import writing without the log) is waited for. */
static int
backup_copy(struct store *st, sqlite3 *dst)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main",
	    db_sqlite_handle(st->db), "main");
	int rc, waited = 0;

	if (b == NULL)
		return sqlite3_errcode(dst);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED) {
		if (waited >= 60000)
			break;
		sqlite3_sleep(100);
		waited += 100;
	}
	sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The copy at TMP is whole and readable. */
static gboolean
backup_check(sqlite3 *dst, const char *tmp, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	ok = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &stmt,
	    NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
	    g_strcmp0((const char *)sqlite3_column_text(stmt, 0), "ok") == 0;
	sqlite3_finalize(stmt);
	if (!ok)
		g_set_error(error, STORE_ERROR, STORE_ERROR_CORRUPT,
		    "%s: the copy does not read back whole", tmp);
	return ok;
}

gboolean
store_backup(struct store *st, const char *path, GError **error)
{
	g_autofree char *tmp = g_strconcat(path, ".partial", NULL);
	g_autofree char *dir = g_path_get_dirname(path);
	sqlite3 *dst = NULL;
	struct stat sb;
	int rc;
	gboolean ok;

	if (lstat(path, &sb) == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
		    "%s is there already; a backup is written to a new file",
		    path);
		return FALSE;
	}
	if (db_backend(st->db) != DB_SQLITE) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		    "backup copies an SQLite database; a PostgreSQL database "
		    "is backed up by PostgreSQL's own tools (pg_dump), or "
		    "copied with tidings migrate --to FILE.db");
		return FALSE;
	}
	(void)unlink(tmp);	/* of a backup that was stopped */
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = backup_copy(st, dst);
	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, rc == SQLITE_BUSY ||
		    rc == SQLITE_LOCKED ? STORE_ERROR_BUSY : STORE_ERROR_IO,
		    "%s: cannot copy the database there: %s", tmp,
		    dst != NULL ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		sqlite3_close(dst);
		(void)unlink(tmp);
		return FALSE;
	}
	ok = backup_check(dst, tmp, error);
	/* The copy is in the journal mode of the original: leave it one
	 * file, which is what is copied and moved about. */
	ok = ok && sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL,
	    NULL, NULL) == SQLITE_OK;
	if (sqlite3_close(dst) != SQLITE_OK && ok) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
		    "%s: cannot close the copy", tmp);
		ok = FALSE;
	}
	/* As private as the database it copies. */
	if (ok && stat(store_path(st), &sb) == 0)
		(void)chmod(tmp, sb.st_mode & 0777);
	ok = ok && sync_file(tmp, FALSE, error);
	if (ok && rename(tmp, path) != 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
		    "cannot rename %s to %s: %s", tmp, path,
		    g_strerror(errno));
		ok = FALSE;
	}
	if (!ok) {
		(void)unlink(tmp);
		return FALSE;
	}
	return sync_file(dir, TRUE, error);
}

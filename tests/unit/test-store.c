/* Unit tests for the store: opening, migrations, refusal of foreign and
 * newer databases, transactions, teams and members, what a stored mail
 * costs SQLite.  On SQLite, or on
 * PostgreSQL with TIDINGS_TEST_PG (testdb.h). */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "message.h"
#include "rawfile.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-outbox.h"
#include "store-blocker.h"
#include "store-private.h"
#include "testdb.h"

/* A database without tables: on SQLite a file the store makes in a
 * directory it makes too (sub/t.db). */
struct fixture {
	char *dir;
	char *path;		/* the file, or the URI */
};

static void
setup(struct fixture *f, gconstpointer data)
{
	f->dir = g_dir_make_tmp("tidings-store-XXXXXX", NULL);
	if (testdb_is_pg())
		f->path = testdb_create(f->dir, TRUE);
	else
		f->path = g_build_filename(f->dir, "sub", "t.db", NULL);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	g_autofree char *sub = g_build_filename(f->dir, "sub", NULL);

	testdb_drop(f->path);
	g_rmdir(sub);
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

/* Runs SQL on the database directly, as another program would. */
static void
raw_exec(const char *path, const char *sql)
{
	testdb_exec(path, sql);
}

/* The integer the query returns; it must return a row. */
static gint64
raw_int(const char *path, const char *sql)
{
	gint64 v = testdb_int(path, sql);

	g_assert_cmpint(v, !=, -1);
	return v;
}

/* How many tables named NAME the database has (in the store's schema on
 * PostgreSQL). */
static gint64
table_count(const char *path, const char *name)
{
	g_autofree char *sql = NULL;

	if (testdb_is_pg())
		sql = g_strdup_printf("SELECT count(*) FROM "
		    "pg_catalog.pg_tables WHERE schemaname = "
		    "current_schema() AND tablename = '%s'", name);
	else
		sql = g_strdup_printf("SELECT count(*) FROM sqlite_master "
		    "WHERE name = '%s'", name);
	return raw_int(path, sql);
}

/* How many mails the search index finds for QUERY: FTS5's messages_fts
 * on SQLite, the expression of the GIN index on PostgreSQL (see
 * src/schema/pg/001-initial.sql). */
static gint64
fts_count(const char *path, const char *query)
{
	g_autofree char *sql = NULL;

	if (testdb_is_pg())
		sql = g_strdup_printf("SELECT count(*) FROM messages m WHERE "
		    "m.state IN ('processed', 'dropped') AND "
		    "messages_document(m.subject, m.sender, m.body_text) @@ "
		    "websearch_to_tsquery('simple', '%s')", query);
	else
		sql = g_strdup_printf("SELECT count(*) FROM messages_fts "
		    "WHERE messages_fts MATCH '%s'", query);
	return raw_int(path, sql);
}

/* FTS5's own check of its index; PostgreSQL's index has nothing to
 * check. */
static void
fts_check(const char *path)
{
	if (!testdb_is_pg())
		raw_exec(path, "INSERT INTO messages_fts(messages_fts) "
		    "VALUES ('integrity-check')");
}

static void
test_create(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);

	g_assert_no_error(error);
	g_assert_cmpint(store_schema_version(st), ==, store_schema_latest());
	g_assert_cmpint(store_schema_latest(), >=, 1);
	g_clear_pointer(&st, store_close);

	if (!testdb_is_pg()) {
		g_assert_cmpint(raw_int(f->path, "PRAGMA journal_mode = WAL"),
		    ==, 0);
		g_assert_cmpint(raw_int(f->path, "PRAGMA page_size"), ==, 8192);
	}
	static const char *const tables[] = { "teams", "people", "memberships",
	    "checkins", "questions", "prompts", "messages", "messages_raw",
	    "messages_fts", "threads", "answers", "comments", "digests",
	    "subscriptions", "bounces", "availability", "meetings",
	    "attendees", "outbox", "outbox_raw", "outbox_recipients",
	    "sync_state" };
	for (size_t i = 0; i < G_N_ELEMENTS(tables); i++) {
		g_test_message("table %s", tables[i]);
		/* PostgreSQL's search needs no table of its own. */
		g_assert_cmpint(table_count(f->path, tables[i]), ==,
		    testdb_is_pg() && strcmp(tables[i], "messages_fts") == 0 ?
		    0 : 1);
	}
	/* Reopening keeps the data and migrates nothing. */
	st = store_open(f->path, &error);
	g_assert_no_error(error);
	g_assert_true(store_team_add(st, "web", "Web", "UTC", &error));
	g_clear_pointer(&st, store_close);
	st = store_open(f->path, &error);
	g_assert_no_error(error);
	g_autoptr(Team) t = store_team_get(st, "web", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(t->title, ==, "Web");
}

/* A database written by the first version (schema 1) is brought up to date
 * step by step, its data kept. */
static void
test_older_migrates(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *v1 = g_test_build_filename(G_TEST_DIST, "..", "..",
	    "src", "schema", testdb_is_pg() ? "pg" : ".", "001-initial.sql",
	    NULL);
	g_autofree char *sql = NULL;
	g_autofree char *sub = g_path_get_dirname(f->path);

	g_assert_true(g_file_get_contents(v1, &sql, NULL, &error));
	if (!testdb_is_pg())
		g_mkdir_with_parents(sub, 0700);
	raw_exec(f->path, sql);
	if (testdb_is_pg())
		raw_exec(f->path, "CREATE TABLE tidings_schema (version "
		    "integer NOT NULL, application text NOT NULL);"
		    "INSERT INTO tidings_schema VALUES (1, 'tidings')");
	else
		raw_exec(f->path, "PRAGMA user_version = 1;"
		    "PRAGMA application_id = 1953064041");
	raw_exec(f->path,
	    "INSERT INTO teams (name, created_at) VALUES ('old', 0);"
	    "INSERT INTO threads (root) VALUES ('r@x');"
	    "INSERT INTO messages (message_id, content_hash, body_text, "
	    "received_at, source, state) VALUES ('<p@x>', 'h', 'kept words', "
	    "0, 'mda', 'processed'), ('<q@x>', 'h', NULL, 0, 'mda', 'new');"
	    "INSERT INTO outbox (dedupe_key, sender, raw, next_try_at, "
	    "created_at) VALUES ('waits', 'a@x', 'Subject: old\n\nkept\n', "
	    "0, 0);"
	    "INSERT INTO outbox_recipients (outbox_id, address) "
	    "SELECT id, 'b@x' FROM outbox");
	g_autoptr(Store) st = store_open(f->path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(store_schema_version(st), ==, store_schema_latest());
	g_autoptr(Team) t = store_team_get(st, "old", &error);
	g_assert_no_error(error);
	/* An old team has the default settings of blockers and urgent mail
	 * (schema 13). */
	g_autoptr(TeamAlerts) alerts = store_team_alerts_get(st, t->id,
	    &error);
	g_assert_no_error(error);
	g_assert_cmpint(alerts->escalate_after, ==, 0);
	g_assert_cmpint(alerts->ack_within, ==, TEAM_ALERTS_ACK_WITHIN);
	/* Mail waiting in the outbox keeps its bytes, now in outbox_raw
	 * (schema 21). */
	g_autoptr(GPtrArray) due = store_outbox_due(st, 10, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(due->len, ==, 1);
	g_assert_cmpmem(g_bytes_get_data(((struct outbox_entry *)
	    due->pdata[0])->raw, NULL), g_bytes_get_size(((struct outbox_entry *)
	    due->pdata[0])->raw), "Subject: old\n\nkept\n", 19);
	g_clear_pointer(&st, store_close);
	g_assert_cmpint(table_count(f->path, "outbox_raw"), ==, 1);
	g_assert_cmpint(table_count(f->path, "message_refs"), ==, 1);
	g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM threads "
	    "WHERE subject_key = ''"), ==, 1);
	/* The search index follows the new rule: processed mail only. */
	g_assert_cmpint(fts_count(f->path, "kept"), ==, 1);
	fts_check(f->path);
	/* An existing database keeps the size of its pages. */
	if (!testdb_is_pg())
		g_assert_cmpint(raw_int(f->path, "PRAGMA page_size"), ==, 4096);
}

static void
test_newer_refused(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	g_autofree char *bump = g_strdup_printf(testdb_is_pg() ?
	    "UPDATE tidings_schema SET version = %d" :
	    "PRAGMA user_version = %d", store_schema_latest() + 1);

	g_assert_no_error(error);
	g_clear_pointer(&st, store_close);
	raw_exec(f->path, bump);
	st = store_open(f->path, &error);
	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_VERSION);
	g_assert_nonnull(strstr(error->message, "newer version of tidings"));
	g_assert_nonnull(strstr(error->message, f->path));
	/* Refusing changed nothing. */
	g_assert_cmpint(raw_int(f->path, testdb_is_pg() ? "SELECT version "
	    "FROM tidings_schema" : "PRAGMA user_version"), ==,
	    store_schema_latest() + 1);
}

static void
test_foreign_refused(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sub = g_path_get_dirname(f->path);

	if (!testdb_is_pg())
		g_mkdir_with_parents(sub, 0700);
	raw_exec(f->path, "CREATE TABLE notes (x TEXT)");
	g_autoptr(Store) st = store_open(f->path, &error);
	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_CORRUPT);
	g_assert_nonnull(strstr(error->message, "not one of tidings'"));
	g_assert_cmpint(raw_int(f->path, testdb_is_pg() ? "SELECT count(*) "
	    "FROM pg_catalog.pg_tables WHERE schemaname = current_schema()" :
	    "SELECT count(*) FROM sqlite_master"), ==, 1);
}

static void
test_garbage_refused(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sub = g_path_get_dirname(f->path);
	g_autofree char *junk = g_strnfill(8192, 'x');

	if (testdb_sqlite_only("a file that is no database is SQLite's"))
		return;
	g_mkdir_with_parents(sub, 0700);
	g_assert_true(g_file_set_contents(f->path, junk, -1, NULL));
	g_autoptr(Store) st = store_open(f->path, &error);
	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_CORRUPT);
	g_assert_nonnull(strstr(error->message, f->path));
	/* The file is left as it was, never reset. */
	g_autofree char *after = NULL;
	g_assert_true(g_file_get_contents(f->path, &after, NULL, NULL));
	g_assert_cmpstr(after, ==, junk);
}

/* A database that cannot be reached: a directory that cannot be made,
 * a server whose socket is not there. */
static void
test_unwritable_dir(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(testdb_is_pg() ?
	    "postgresql:///tidings?host=/proc/tidings" : "/proc/tidings/t.db",
	    &error);

	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_IO);
}

/* The URI of the fixture's database with the user and PASSWORD in it
 * (the test cluster trusts its user whatever the password). */
static char *
uri_with_password(const char *uri, const char *password)
{
	const char *authority = strstr(uri, "://");

	g_assert_nonnull(authority);
	authority += 3;
	return g_strdup_printf("%.*stidings:%s@%s", (int)(authority - uri),
	    uri, password, authority);
}

/* A PostgreSQL password is never shown: not in the store's name of its
 * database, not in the error of a database that cannot be opened. */
static void
test_password_hidden(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *uri = NULL, *missing = NULL, *bad = NULL;
	g_autoptr(Store) st = NULL;

	if (!testdb_is_pg()) {
		g_test_skip("an SQLite file has no password");
		return;
	}
	uri = uri_with_password(f->path, "s3cret");
	st = store_open(uri, &error);
	g_assert_no_error(error);
	g_assert_null(strstr(store_path(st), "s3cret"));
	g_assert_nonnull(strstr(store_path(st), "tidings:***@"));
	g_clear_pointer(&st, store_close);
	/* libpq takes it as a parameter too. */
	g_free(uri);
	uri = g_strconcat(f->path, "&password=s3cret", NULL);
	st = store_open(uri, &error);
	g_assert_no_error(error);
	g_assert_null(strstr(store_path(st), "s3cret"));
	g_assert_nonnull(strstr(store_path(st), "&password=***"));
	g_clear_pointer(&st, store_close);

	missing = g_strconcat(f->path, "&dbname=tidings_no_such_database",
	    NULL);
	bad = uri_with_password(missing, "s3cret");
	st = store_open(bad, &error);
	g_assert_null(st);
	g_assert_error(error, STORE_ERROR, STORE_ERROR_IO);
	g_assert_nonnull(strstr(error->message, "tidings_no_such_database"));
	g_assert_null(strstr(error->message, "s3cret"));
}

static void
test_transactions(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	g_autoptr(GPtrArray) teams = NULL;

	g_assert_no_error(error);
	g_assert_true(store_begin(st, &error));
	g_assert_true(store_team_add(st, "a", NULL, NULL, &error));
	store_rollback(st);
	g_assert_true(store_begin(st, &error));
	g_assert_true(store_team_add(st, "b", NULL, NULL, &error));
	g_assert_true(store_commit(st, &error));
	teams = store_team_list(st, &error);
	g_assert_cmpuint(teams->len, ==, 1);
	g_assert_cmpstr(((struct team *)teams->pdata[0])->name, ==, "b");
}

/* Another process holding the write lock makes a write fail as busy (to be
 * retried), not hang and not corrupt anything.  SQLite has one lock for
 * the whole file, which the store takes as it begins; PostgreSQL's are
 * taken by the statements, here the table's. */
static void
test_busy(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	g_autoptr(GPtrArray) teams = NULL;
	struct db *other;

	g_assert_no_error(error);
	store_set_busy_timeout(st, 50);
	other = testdb_connect(f->path);
	if (testdb_is_pg()) {
		g_assert_cmpint(db_exec(other, "BEGIN; LOCK TABLE teams IN "
		    "ACCESS EXCLUSIVE MODE"), ==, DB_OK);
		g_assert_true(store_begin(st, &error));
		g_assert_false(store_team_add(st, "a", NULL, NULL, &error));
		store_rollback(st);
	} else {
		g_assert_cmpint(db_exec(other, "BEGIN IMMEDIATE"), ==, DB_OK);
		g_assert_false(store_begin(st, &error));
	}
	g_assert_error(error, STORE_ERROR, STORE_ERROR_BUSY);
	g_clear_error(&error);
	g_assert_cmpint(db_exec(other, "ROLLBACK"), ==, DB_OK);
	db_close(other);
	g_assert_true(store_begin(st, &error));
	g_assert_true(store_team_add(st, "a", NULL, NULL, &error));
	g_assert_true(store_commit(st, &error));
	teams = store_team_list(st, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(teams->len, ==, 1);
}

static void
test_teams_and_members(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	g_autoptr(Person) ana = person_new("ana@example.org");
	g_autoptr(Person) raj = person_new("raj@example.org");
	g_autoptr(GPtrArray) list = NULL;

	g_assert_true(store_team_add(st, "web", "Web team", "Europe/Berlin",
	    &error));
	g_assert_true(store_team_add(st, "ops", NULL, NULL, &error));
	g_assert_false(store_team_add(st, "web", NULL, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_null(store_team_get(st, "nope", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	g_free(ana->zone);
	ana->zone = g_strdup("America/Sao_Paulo");
	g_assert_true(store_person_save(st, ana, &error));
	g_assert_cmpint(ana->id, >, 0);
	g_assert_true(store_person_save(st, raj, &error));
	g_assert_true(store_member_add(st, "web", "ana@example.org", "owner",
	    &error));
	g_assert_true(store_member_add(st, "web", "raj@example.org", NULL,
	    &error));
	g_assert_true(store_member_add(st, "ops", "raj@example.org", NULL,
	    &error));
	g_assert_false(store_member_add(st, "web", "ana@example.org", NULL,
	    &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_false(store_member_add(st, "nope", "ana@example.org", NULL,
	    &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* Addresses match without regard to case. */
	g_autoptr(Person) got = store_person_get(st, "ANA@example.org", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->zone, ==, "America/Sao_Paulo");
	g_assert_cmpstr(got->teams, ==, "web");
	g_assert_cmpint(got->work_start, ==, 540);

	/* Saving a known address updates it. */
	got->work_start = 480;
	g_assert_true(store_person_save(st, got, &error));
	g_assert_cmpint(got->id, ==, ana->id);

	list = store_member_list(st, "web", &error);
	g_assert_cmpuint(list->len, ==, 2);
	struct person *first = list->pdata[0];
	g_assert_cmpstr(first->email, ==, "ana@example.org");
	g_assert_cmpstr(first->role, ==, "owner");
	g_assert_cmpint(first->work_start, ==, 480);
	g_clear_pointer(&list, g_ptr_array_unref);

	list = store_member_list(st, NULL, &error);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpstr(((struct person *)list->pdata[1])->teams, ==,
	    "ops, web");
	g_clear_pointer(&list, g_ptr_array_unref);

	g_autoptr(Team) web = store_team_get(st, "web", &error);
	g_assert_cmpint(web->members, ==, 2);

	/* Removing a team removes its memberships, not its people. */
	g_assert_true(store_team_remove(st, "web", &error));
	g_assert_false(store_team_remove(st, "web", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_autoptr(Person) still = store_person_get(st, "ana@example.org", &error);
	g_assert_nonnull(still);
	g_assert_null(still->teams);

	g_assert_false(store_member_remove(st, "ana@example.org", "ops",
	    &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_true(store_member_remove(st, "raj@example.org", "ops", &error));
	g_assert_true(store_member_remove(st, "raj@example.org", NULL, &error));
	g_assert_null(store_person_get(st, "raj@example.org", &error));
	g_clear_error(&error);
}

/* Full-text search indexes mail once it is processed, and follows its
 * changes and deletion, made by tidings or by another program. */
static void
test_fts(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	static const char mail[] = "From: ana@example.org\n"
	    "Subject: Weekly status\nMessage-ID: <b@x>\n\n"
	    "another migration\n";
	g_autoptr(GBytes) raw = g_bytes_new_static(mail, sizeof mail - 1);
	g_autoptr(Message) msg = message_parse(raw, 0, &error);
	gint64 id;

	g_assert_nonnull(msg);
	g_clear_pointer(&st, store_close);
	raw_exec(f->path, "INSERT INTO messages (message_id, content_hash, "
	    "subject, sender, body_text, received_at, source) VALUES "
	    "('<a@x>', 'h1', 'Weekly status', 'ana@example.org', "
	    "'Blocked on the database migration', 0, 'mda')");
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 0);
	raw_exec(f->path, "UPDATE messages SET state = 'processed'");
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 1);
	raw_exec(f->path, "UPDATE messages SET body_text = 'all good'");
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 0);
	g_assert_cmpint(fts_count(f->path, "good"), ==, 1);
	/* Mail stored already processed is indexed by the store itself
	 * (schema/010-index-from-store.sql), outside a batch at once. */
	st = store_open(f->path, &error);
	g_assert_true(store_begin(st, &error));
	g_assert_true(store_message_add_processed(st, msg, "import", 0,
	    "processed", 0, FALSE, &id, &error));
	g_assert_true(store_commit(st, &error));
	g_assert_no_error(error);
	g_clear_pointer(&st, store_close);
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 1);
	raw_exec(f->path, "DELETE FROM messages");
	g_assert_cmpint(fts_count(f->path, "good OR migration"), ==, 0);
	fts_check(f->path);
}

/* A batch indexes its processed mail when it commits: before, readers see
 * none of it; after, all of it, and nothing is left noted.  A batch rolled
 * back leaves nothing either, and a later batch follows changes. */
static void
test_fts_batch(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	static const char mail[] = "From: ana@example.org\n"
	    "Subject: Weekly status\nMessage-ID: <a@x>\n\n"
	    "Blocked on the database migration\n";
	g_autoptr(GBytes) raw = g_bytes_new_static(mail, sizeof mail - 1);
	g_autoptr(Message) msg = message_parse(raw, 0, &error);
	g_autofree char *state = NULL;
	gboolean dup;
	gint64 id;

	g_assert_nonnull(st);
	g_assert_nonnull(msg);
	g_assert_true(store_begin_batch(st, &error));
	g_assert_true(store_message_add(st, msg->message_id, msg->content_hash,
	    raw, "import", 0, NULL, &id, &dup, &state, &error));
	store_rollback(st);
	if (!testdb_is_pg())
		g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM "
		    "messages_fts_pending"), ==, 0);

	g_assert_true(store_begin_batch(st, &error));
	g_assert_true(store_message_add(st, msg->message_id, msg->content_hash,
	    raw, "import", 0, NULL, &id, &dup, &state, &error));
	g_assert_true(store_message_processed(st, id, msg, "processed", 0,
	    &error));
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 0);
	g_assert_true(store_commit(st, &error));
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 1);
	if (!testdb_is_pg())
		g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM "
		    "messages_fts_pending"), ==, 0);

	g_assert_true(store_begin_batch(st, &error));
	g_assert_true(store_message_quarantine(st, id, "test", &error));
	g_assert_true(store_commit(st, &error));
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 0);
	g_assert_true(store_begin(st, &error));
	g_assert_true(store_message_processed(st, id, msg, "processed", 0,
	    &error));
	g_assert_true(store_commit(st, &error));
	g_assert_cmpint(fts_count(f->path, "migration"), ==, 1);
	fts_check(f->path);
}

/* A mail of about SIZE bytes, lines not all alike, with ID. */
static GString *
photos_mail(const char *id, gsize size)
{
	GString *mail = g_string_new(NULL);

	g_string_append_printf(mail, "From: ana@example.org\n"
	    "Subject: Photos\nMessage-ID: <%s>\n\n", id);
	for (guint i = 0; mail->len < size; i++)
		g_string_append_printf(mail, "line %u of the photos, %08x\n",
		    i, i * 2654435761u);
	return mail;
}

/* Stores MSG processed under the Message-ID ANOTHER, and checks that it
 * and mail ID, stored alone, come back as RAW, byte for byte. */
static void
check_raw_back(struct store *st, struct message *msg, const char *another,
    gint64 id, GBytes *raw)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) back = NULL, back2 = NULL;
	gint64 id2;

	g_free(msg->message_id);
	msg->message_id = g_strdup(another);
	g_assert_true(store_begin(st, &error));
	store_message_add_processed(st, msg, "import", 0, "processed", 0,
	    FALSE, &id2, &error);
	g_assert_no_error(error);
	g_assert_true(store_commit(st, &error));
	back = store_message_raw(st, id, &error);
	back2 = store_message_raw(st, id2, &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(back, raw));
	g_assert_true(g_bytes_equal(back2, raw));
}

/* Raw mail large enough to be written into its row in pieces comes back
 * whole, byte for byte, whether stored alone or processed; a batch that
 * fails after it leaves no trace of it. */
static void
test_raw_large(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	/* Three pieces of the store's steps and a bit. */
	g_autoptr(GString) mail = photos_mail("big@x", 3 * (1 << 20) + 77);
	g_autoptr(GBytes) raw = NULL;
	g_autoptr(Message) msg = NULL;
	g_autofree char *state = NULL;
	gboolean dup;
	gint64 id;

	(void)data;
	g_assert_nonnull(st);
	raw = g_bytes_new(mail->str, mail->len);
	msg = message_parse(raw, 0, &error);
	g_assert_nonnull(msg);
	g_assert_true(store_begin_batch(st, &error));
	g_assert_true(store_message_add(st, msg->message_id,
	    msg->content_hash, raw, "import", 0, NULL, &id, &dup, &state,
	    &error));
	store_rollback(st);
	g_assert_true(store_begin_batch(st, &error));
	g_assert_true(store_message_add(st, msg->message_id,
	    msg->content_hash, raw, "import", 0, NULL, &id, &dup, &state,
	    &error));
	g_assert_false(dup);
	g_assert_true(store_commit(st, &error));
	check_raw_back(st, msg, "big2@x", id, raw);
	if (!testdb_is_pg())
		g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM "
		    "messages_raw"), ==, 2);
}

/* Raw mail kept from its file is stored byte for byte, whether stored
 * alone or processed; a file that shrank meanwhile fails the write, and
 * the transaction rolled back keeps nothing of it. */
static void
test_raw_file(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	/* More than a piece of the store's, not a whole number of them. */
	g_autoptr(GString) mail = photos_mail("file@x",
	    3 * STORE_RAW_STREAMED + 77);
	g_autoptr(GBytes) raw = NULL;
	g_autoptr(RawFile) rf = NULL;
	g_autoptr(Message) msg = NULL;
	g_autofree char *state = NULL, *path = g_build_filename(f->dir,
	    "mail", NULL);
	gboolean dup;
	gint64 id, found;

	(void)data;
	g_assert_nonnull(st);
	g_assert_true(g_file_set_contents(path, mail->str, (gssize)mail->len,
	    &error));
	raw = g_bytes_new(mail->str, mail->len);
	rf = rawfile_open(path, &error);
	g_assert_no_error(error);
	msg = message_parse_file(rf, message_hash_file(rf, NULL), 0, &error);
	g_assert_nonnull(msg);
	g_assert_true(store_begin_batch(st, &error));
	g_assert_true(store_message_add_file(st, msg->message_id,
	    msg->content_hash, rf, "import", 0, NULL, &id, &dup, &state,
	    &error));
	g_assert_false(dup);
	g_assert_true(store_commit(st, &error));
	check_raw_back(st, msg, "file2@x", id, raw);

	/* Cut short after it was opened: nothing of it is kept. */
	g_assert_cmpint(truncate(path, (off_t)mail->len / 2), ==, 0);
	g_assert_true(store_begin_batch(st, &error));
	g_assert_false(store_message_add_file(st, "file3@x",
	    msg->content_hash, rf, "import", 0, NULL, &id, &dup, &state,
	    &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_IO);
	g_clear_error(&error);
	store_rollback(st);
	g_clear_pointer(&state, g_free);
	g_assert_true(store_message_find_copy(st, "file3@x",
	    msg->content_hash, &found, &state, &dup, &error));
	g_assert_cmpint(found, ==, 0);
	if (!testdb_is_pg())
		g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM "
		    "messages_raw"), ==, 2);
	g_unlink(path);
}

/* The journal mode the file is in, as another program sees it. */
static char *
journal_mode(const char *path)
{
	char *mode = testdb_text(path, "PRAGMA journal_mode");

	g_assert_nonnull(mode);
	return mode;
}

static void
team_add(struct store *st, const char *name)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(store_begin(st, &error));
	g_assert_true(store_team_add(st, name, NULL, NULL, &error));
	g_assert_true(store_commit(st, &error));
	g_assert_no_error(error);
}

/* The page cache of ST's connection, as PRAGMA cache_size says it. */
static gint64
cache_size(struct store *st)
{
	struct db_stmt *s = NULL;
	gint64 v;

	g_assert_cmpint(db_prepare(st->db, "PRAGMA cache_size", &s), ==,
	    DB_OK);
	g_assert_cmpint(db_step(s), ==, DB_ROW);
	v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

/* A bulk load alone writes without the WAL and returns to it; with
 * another connection open it keeps the WAL; a store opened in the middle
 * of a load works, and sets the WAL once the load is over.  Its page cache
 * is the smaller one while it lasts. */
static void
test_bulk_journal(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = store_open(f->path, &error);
	g_autoptr(Store) late = NULL;
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
	g_autofree char *m5 = NULL;
	struct db *other;

	if (testdb_sqlite_only("journal modes are SQLite's; PostgreSQL's "
	    "server writes as it is configured"))
		return;
	g_assert_no_error(error);
	g_assert_cmpint(cache_size(st), ==, -STORE_CACHE_KIB);
	g_assert_true(store_set_bulk(st, TRUE, &error));
	g_assert_cmpint(cache_size(st), ==, -STORE_BULK_CACHE_KIB);
	team_add(st, "a");
	m1 = journal_mode(f->path);
	g_assert_cmpstr(m1, ==, "delete");
	g_assert_true(store_set_bulk(st, FALSE, &error));
	g_assert_cmpint(cache_size(st), ==, -STORE_CACHE_KIB);
	m2 = journal_mode(f->path);
	g_assert_cmpstr(m2, ==, "wal");

	/* Another program that has read the database, and is idle. */
	other = testdb_connect(f->path);
	g_assert_cmpint(db_exec(other, "SELECT count(*) FROM teams"), ==,
	    DB_OK);
	g_assert_true(store_set_bulk(st, TRUE, &error));
	g_assert_no_error(error);
	team_add(st, "b");
	m3 = journal_mode(f->path);
	g_assert_cmpstr(m3, ==, "wal");
	g_assert_true(store_set_bulk(st, FALSE, &error));
	db_close(other);

	/* Opened while the load is in a transaction: the WAL must wait. */
	g_assert_true(store_set_bulk(st, TRUE, &error));
	g_assert_true(store_begin(st, &error));
	g_assert_true(store_team_add(st, "c", NULL, NULL, &error));
	late = store_open(f->path, &error);
	g_assert_no_error(error);
	g_assert_nonnull(late);
	g_assert_true(store_commit(st, &error));
	m4 = journal_mode(f->path);
	g_assert_cmpstr(m4, ==, "delete");
	team_add(late, "d");
	m5 = journal_mode(f->path);
	g_assert_cmpstr(m5, ==, "wal");
	team_add(st, "e");
	g_assert_true(store_set_bulk(st, FALSE, &error));
	g_assert_no_error(error);
	g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM teams"), ==, 5);
}

#define ADD(name, fn) \
	g_test_add(name, struct fixture, NULL, setup, fn, teardown)

/* SQLite's files, with a count of the statement journals opened: a
 * statement that may fail halfway, in a transaction with others before
 * it, keeps a copy of each page it changes in one, to undo itself. */
static sqlite3_vfs counting_vfs;
static sqlite3_vfs *real_vfs;
static gint subjournals;

static int
counting_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file,
    int flags, int *out)
{
	if (flags & SQLITE_OPEN_SUBJOURNAL)
		g_atomic_int_inc(&subjournals);
	return real_vfs->xOpen(real_vfs, name, file, flags, out);
}

/* Every statement journal in a file of its own from its first page (not
 * kept in memory up to a size), and opened through counting_vfs. */
static void
count_subjournals(void)
{
	g_assert_cmpint(sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 0), ==,
	    SQLITE_OK);
	real_vfs = sqlite3_vfs_find(NULL);
	g_assert_nonnull(real_vfs);
	counting_vfs = *real_vfs;
	counting_vfs.zName = "tidings-test-counting";
	counting_vfs.xOpen = counting_open;
	g_assert_cmpint(sqlite3_vfs_register(&counting_vfs, 1), ==, SQLITE_OK);
}

/* Mail stored in a batch, each in its own new thread, and mail queued to
 * send write no statement journal: SQLite answers INSERT ... RETURNING as
 * a trigger, which made every such INSERT journal its pages, most of what
 * an IMAP sync wrote and twice the mail queued.  The ids read back are the
 * rows'. */
static void
test_insert_unjournaled(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) st = NULL;
	gint64 ids[3], threads[3];
	int before;

	if (testdb_sqlite_only("statement journals are SQLite's"))
		return;
	st = store_open(f->path, &error);
	g_assert_no_error(error);
	team_add(st, "a");
	g_assert_true(store_begin_batch(st, &error));
	before = g_atomic_int_get(&subjournals);
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		g_autofree char *mail = g_strdup_printf("From: "
		    "ana@example.org\nSubject: Status %u\nMessage-ID: "
		    "<j%u@x>\n\nBlocked on review %u\n", i, i, i);
		g_autoptr(GBytes) raw = g_bytes_new(mail, strlen(mail));
		g_autoptr(Message) msg = message_parse(raw, 0, &error);

		g_assert_nonnull(msg);
		threads[i] = store_thread_new(st, msg->message_id,
		    msg->subject, msg->subject, msg->date, &error);
		g_assert_no_error(error);
		g_assert_cmpint(threads[i], >, 0);
		g_assert_true(store_message_add_processed(st, msg, "import", 0,
		    "processed", threads[i], FALSE, &ids[i], &error));
		g_assert_no_error(error);
	}
	/* Mail queued to send: a digest's copies share a body; a key
	 * queued again is not queued twice. */
	for (guint i = 0; i < 4; i++) {
		static const char *const to[] = { "ana@example.org", NULL };
		g_autofree char *key = g_strdup_printf("copy-%u", MIN(i, 2u));
		g_autoptr(GBytes) head = g_bytes_new_static("Subject: d\n\n",
		    12);
		g_autoptr(GBytes) body = g_bytes_new_static("the digest\n",
		    11);
		struct outbox_mail m = { .dedupe_key = key, .sender =
		    "tidings@example.org", .recipients = to, .raw = head,
		    .body = body, .body_key = "digest-1" };
		gboolean queued;

		g_assert_true(store_outbox_add(st, &m, 0, &queued, &error));
		g_assert_no_error(error);
		g_assert_true(queued == (i < 3));
	}
	g_assert_cmpint(g_atomic_int_get(&subjournals), ==, before);
	g_assert_true(store_commit(st, &error));
	g_assert_no_error(error);
	g_clear_pointer(&st, store_close);
	g_assert_cmpint(raw_int(f->path, "SELECT count(*) FROM outbox o JOIN "
	    "outbox_raw r ON r.outbox_id = o.id JOIN outbox_recipients t ON "
	    "t.outbox_id = o.id JOIN outbox_bodies b ON b.id = o.body"), ==, 3);
	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		g_autofree char *q = g_strdup_printf("SELECT count(*) FROM "
		    "messages m JOIN threads t ON t.id = m.thread_id WHERE "
		    "m.id = %" G_GINT64_FORMAT " AND t.id = %" G_GINT64_FORMAT
		    " AND m.message_id = 'j%u@x' AND t.root = 'j%u@x'",
		    ids[i], threads[i], i, i);
		g_assert_cmpint(raw_int(f->path, q), ==, 1);
	}
	g_assert_cmpint(fts_count(f->path, "review"), ==, 3);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (!testdb_is_pg())
		count_subjournals();
	ADD("/store/create", test_create);
	ADD("/store/raw-large", test_raw_large);
	ADD("/store/raw-file", test_raw_file);
	ADD("/store/older-migrates", test_older_migrates);
	ADD("/store/newer-refused", test_newer_refused);
	ADD("/store/foreign-refused", test_foreign_refused);
	ADD("/store/garbage-refused", test_garbage_refused);
	ADD("/store/unwritable-dir", test_unwritable_dir);
	ADD("/store/password-hidden", test_password_hidden);
	ADD("/store/transactions", test_transactions);
	ADD("/store/busy", test_busy);
	ADD("/store/teams-and-members", test_teams_and_members);
	ADD("/store/fts", test_fts);
	ADD("/store/fts-batch", test_fts_batch);
	ADD("/store/bulk-journal", test_bulk_journal);
	ADD("/store/insert-unjournaled", test_insert_unjournaled);
	return g_test_run();
}

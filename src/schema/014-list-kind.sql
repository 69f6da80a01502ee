-- tidings schema, version 14: mailing-list mail (List-Id, List-Post, Precedence: list
-- or bulk) is a kind of its own, 'list', rather than 'autoreply'.  The
-- CHECK of messages.kind only widens, which SQLite allows by editing the
-- table's text in the schema (its "ALTER TABLE" page, "other kinds of
-- table schema changes"): no row is rewritten and no foreign key touched,
-- where rebuilding messages would cascade to everything that references
-- it.  Old list mail is found again by its headers when reprocessed.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, '''sent'', ''other'')',
    '''sent'', ''other'', ''list'')')
    WHERE type = 'table' AND name = 'messages';
PRAGMA writable_schema = RESET;
-- A change of the schema's version, so that every connection reads it
-- anew.
CREATE TABLE schema_bump_017 (x);
DROP TABLE schema_bump_017;

-- tidings schema for PostgreSQL, version 20 (../020-search-bounded.sql):
-- the search document of a mail is made of at most the first 256 KiB
-- (262,144 characters) of its text.  A tsvector holds at most 1 MiB, and
-- to_tsvector() of a longer text fails, which failed the statement that
-- stored the mail: such a mail could not be stored at all.  Its words
-- after that are not found by search; all of its text is kept.
CREATE OR REPLACE FUNCTION messages_document(subject text, sender text,
    body_text text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_tsvector('simple'::regconfig,
	    left(coalesce(subject, ''), 4096) || ' ' ||
	    left(coalesce(sender, ''), 1024) || ' ' ||
	    translate(left(coalesce(sender, ''), 1024), '@.+-_', '     ') ||
	    ' ' || left(coalesce(body_text, ''), 262144))
$$;
REINDEX INDEX messages_search;

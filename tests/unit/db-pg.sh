#!/bin/bash
# The database layer's unit test on both backends: SQLite, and PostgreSQL
# in a throwaway cluster.
exec "$(dirname "$0")/pg-run.sh" "${TOP_BUILDDIR:-.}/tests/unit/test-db"

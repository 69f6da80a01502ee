#!/bin/sh
# The command line: usage errors are one clear line and exit 64; help and
# --version work everywhere they are expected.
. "$(dirname "$0")/../lib.sh"

# one_line_error DESCRIPTION PATTERN: the last run failed with status 64 and
# said exactly one line, matching PATTERN.
one_line_error() {
	expect_rc 64 "$1: exit 64"
	expect_lines err 1 "$1: one line on stderr"
	expect_grep err "$2" "$1: says what is wrong"
	expect_lines out 0 "$1: nothing on stdout"
}

run "$TIDINGS"
expect_rc 64 "no command: exit 64"
expect_grep err '^usage: tidings' "no command: usage on stderr"

run "$TIDINGS" frobnicate
one_line_error "unknown command" "unknown command 'frobnicate'"

run "$TIDINGS" --frobnicate team list
one_line_error "unknown global option" "frobnicate"

run "$TIDINGS" team
one_line_error "command without subcommand" "team: a subcommand is needed"

run "$TIDINGS" team frobnicate
one_line_error "unknown subcommand" "unknown subcommand 'frobnicate'"

run "$TIDINGS" team add
one_line_error "missing argument" "missing argument"

run "$TIDINGS" team add a b
one_line_error "extra argument" "unexpected argument 'b'"

run "$TIDINGS" team add --colour=blue web
one_line_error "unknown command option" "colour"

run "$TIDINGS" team add web --zone
one_line_error "option without its value" "zone"

run "$TIDINGS" member add ana@example.org
one_line_error "required option missing" "--team is required"

run "$TIDINGS" help frobnicate
one_line_error "help for an unknown command" "no command 'frobnicate'"

run "$TIDINGS" --version
expect_rc 0 "--version: exit 0"
expect_grep out '^tidings [0-9]+\.[0-9]+' "--version: prints the version"

run "$TIDINGS" help
expect_rc 0 "help: exit 0"
for c in "init" "config" "team add" "team list" "team show" "team remove" \
    "member add" "member list" "member show" "member set" "member remove"; do
	expect_grep out "^  $c " "help lists '$c'"
done

run "$TIDINGS" --help
expect_rc 0 "--help: exit 0"
expect_grep out "^usage: tidings" "--help: usage on stdout"

run "$TIDINGS" help member add
expect_rc 0 "help member add: exit 0"
expect_grep out "^usage: tidings member add EMAIL --team TEAM" \
    "help member add: the synopsis"
expect_grep out "--zone=ZONE" "help member add: the options"

run "$TIDINGS" member add --help
expect_rc 0 "member add --help: exit 0"
expect_grep out "^usage: tidings member add" "member add --help: the synopsis"

run "$TIDINGS" team --help
expect_rc 0 "team --help: exit 0"
expect_grep out "team remove" "team --help: lists the subcommands"

run "$TIDINGS" help team
expect_rc 0 "help team: exit 0"
expect_grep out "team show" "help team: lists the subcommands"

# Arguments after -- are arguments even when they look like options.
run "$TIDINGS" --db "$TEST_DIR/t.db" team add -- -web
expect_rc 64 "a team name after --: read as a name"
expect_grep err "'-web' is not a team name" "a team name after --: checked as a name"

done_testing

#!/usr/bin/env bash
# The script of gogen's GitHub Action (action.yml, at the repository's root): install a pinned
# gogen, then either check the generated files (`gogen check --format github`: an annotation
# per stale file, a job summary) or regenerate them and fail when that changes anything
# (`gogen regen`, then `git diff --exit-code`), so that a pull request's job shows what
# `gogen regen` would write. tests/test_github_action.py runs it.
#
# The action's inputs arrive in the environment, never pasted into a script (a value holding
# quotes or `$(...)` stays data):
#   GOGEN_VERSION   the gogen release to install, exactly: gogen==$GOGEN_VERSION (required)
#   GOGEN_PATH      the Go repository, relative to the working directory (default: .)
#   GOGEN_MODE      check (default) or regen
#   GOGEN_ACTION_SKIP_INSTALL=1  install nothing: use the gogen already on PATH (the tests do,
#                   with the checkout's own)
#
# Exit codes are gogen's: 0 up to date, 1 stale (check), refused or changed by regen (regen),
# 2 bad input (an input of the action included).
set -euo pipefail

version="${GOGEN_VERSION:-}"
path="${GOGEN_PATH:-.}"
mode="${GOGEN_MODE:-check}"

# Says what is wrong without repeating the value: printed in a job's log, a value with a
# newline could start a workflow command of its own.
bad_input() {
    printf 'gogen action: %s\n' "$1" >&2
    exit 2
}

# A release, not a range: digits first, then only what a version number holds (1.2.3, 1.0rc1).
[[ "$version" =~ ^[0-9][0-9A-Za-z.+!-]*$ ]] || bad_input "the version input must be a gogen release such as 0.1.0"
[[ "$mode" == check || "$mode" == regen ]] || bad_input "the mode input must be check or regen"
[[ -n "$path" ]] || path=.

if [[ "${GOGEN_ACTION_SKIP_INSTALL:-}" != 1 ]]; then
    # `python -m pip`: the pip of the Python that setup-python put first on PATH, whose scripts
    # directory then holds the `gogen` run below.
    python -m pip install --disable-pip-version-check --no-input "gogen==${version}"
fi

if [[ "$mode" == check ]]; then
    exec gogen check --format github -- "$path"
fi

# regen: what gogen writes, and git's diff of it, is the repository's text. Workflow commands
# are stopped while it prints (a line `::error::...` in a file is shown, not run), with a token
# nobody can know in advance.
token="gogen-action-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
git -C "$path" ls-files -z --full-name --others --exclude-standard >"$scratch/untracked-before"

echo "::stop-commands::${token}"
status=0
gogen regen --no-diff -- "$path" || status=$?
changed=0
git -C "$path" --no-pager diff --exit-code || changed=1
git -C "$path" ls-files -z --full-name --others --exclude-standard >"$scratch/untracked-after"
if ! cmp -s "$scratch/untracked-before" "$scratch/untracked-after"; then
    changed=1
    echo "new files:"
    LC_ALL=C comm -z -13 "$scratch/untracked-before" "$scratch/untracked-after" | tr '\0' '\n'
fi
echo "::${token}::"

if [[ "$status" != 0 ]]; then
    exit "$status"
fi
if [[ "$changed" == 1 ]]; then
    echo "::error title=gogen regen::gogen regen changed the generated files: run gogen regen and commit the result"
    exit 1
fi
echo "gogen regen: the generated files are up to date"

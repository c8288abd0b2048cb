#!/usr/bin/env bash
# Usage: expect_exit.sh CODE REGEX COMMAND [ARGS...]
# Passes when COMMAND exits with CODE and its combined output matches the extended regex REGEX.
set -u
want=$1 regex=$2
shift 2
out=$("$@" 2>&1)
got=$?
if [ "$got" -ne "$want" ]; then
  printf 'expected exit code %s, got %s; output:\n%s\n' "$want" "$got" "$out"
  exit 1
fi
if ! printf '%s' "$out" | grep -Eq -- "$regex"; then
  printf 'output does not match /%s/:\n%s\n' "$regex" "$out"
  exit 1
fi
echo "ok: exit $got, output matches /$regex/"

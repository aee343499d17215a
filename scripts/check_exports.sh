#!/usr/bin/env bash
# Checks libmbrl.so's exported symbols against the public headers: every symbol it exports is named
# in include/mbrl/, and every function and variable those headers declare is exported (a public
# header without its visibility pragma would hide its part of the API).
#   scripts/check_exports.sh [LIBRARY]     (default build/libmbrl.so)
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=${1:-build/libmbrl.so}
# the linker's own symbols and the sanitizers' (__odr_asan.*) aside
exported=$(nm -D --defined-only "$LIB" | awk '{print $3}' | grep -vE '^(_edata|_end|_init|_fini)$|^__' | sort -u)
named=$(cat include/mbrl/*.h | grep -oE '\bmbrl_[A-Za-z0-9_]+' | sort -u)
# a declaration: a name followed by "(" outside comments and function-pointer types, or an extern
# variable; static inline functions are not symbols
declared=$({
  grep -hvE '^\s*(/\*|\*)' include/mbrl/*.h | grep -v 'static inline' |
    grep -oE '(^|[^*(A-Za-z0-9_])mbrl_[A-Za-z0-9_]+\(' | grep -oE 'mbrl_[A-Za-z0-9_]+'
  grep -hE '^extern ' include/mbrl/*.h | grep -oE 'mbrl_[A-Za-z0-9_]+(\[\])?;' | grep -oE 'mbrl_[A-Za-z0-9_]+'
} | sort -u)
bad=0
for s in $(comm -23 <(echo "$exported") <(echo "$named")); do
  echo "$LIB exports $s, which no public header declares"
  bad=1
done
for s in $(comm -23 <(echo "$declared") <(echo "$exported")); do
  echo "include/mbrl declares $s, which $LIB does not export"
  bad=1
done
[[ $bad == 0 ]] && echo "$LIB exports $(echo "$exported" | wc -l) symbols, all of them declared in include/mbrl"
exit $bad

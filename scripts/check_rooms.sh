#!/usr/bin/env bash
# Checks that no room of the library includes a public header of a room above it (src/README.md
# draws the rooms). Every public header is assigned to a room here; a new header must be added.
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=(core nn io env data model plan agent)
declare -A room=(
  [core]=core [rng]=core [nn]=nn
  [config]=io [safetensors]=io [checkpoint]=io [metrics]=io [tfevents]=io [plot]=io [npy]=io
  [runplot]=io [video]=io
  [env]=env [task]=env [render]=env [maze]=env
  [buffer]=data [policy]=data
  [dynamics]=model [propagate]=model [model]=model
  [planner]=plan
  [mb]=agent [mbpo]=agent [pets]=agent [sac]=agent [dyna]=agent [rollout]=agent [record]=agent [mbrl]=agent
)
level() { local i; for i in "${!rooms[@]}"; do [[ ${rooms[$i]} == "$1" ]] && { echo "$i"; return; }; done; echo 99; }
bad=0
check() { # file, its room
  local h r
  for h in $(grep -o '#include "mbrl/[a-z_]*\.h"' "$1" | sed 's/.*mbrl\/\(.*\)\.h"/\1/'); do
    r=${room[$h]:-}
    if [[ -z $r ]]; then echo "$1: include/mbrl/$h.h has no room in $0"; bad=1; continue; fi
    if (( $(level "$r") > $(level "$2") )); then echo "$1 ($2) includes mbrl/$h.h ($r)"; bad=1; fi
  done
}
for f in include/mbrl/*.h; do
  h=$(basename "$f" .h)
  [[ -n ${room[$h]:-} ]] || { echo "$f has no room in $0"; bad=1; continue; }
  [[ $h == mbrl ]] || check "$f" "${room[$h]}"
done
for r in "${rooms[@]}"; do
  for f in src/"$r"/*.[ch]; do [[ -e $f ]] && check "$f" "$r"; done
done
[[ $bad == 0 ]] && echo "rooms: no room includes a header of a room above it"
exit $bad

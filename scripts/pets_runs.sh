#!/usr/bin/env bash
# mbrl pets on one environment with its PETS configuration, one run per seed; prints each trial's
# return, the best so far after each, and the wall time per seed.
#   scripts/pets_runs.sh ENV [SEEDS...]     (default seeds 1 2 3)
# Environment: MBRL (default build/mbrl), LOGDIR (default data/pets_<ENV>), TRIALS (default: the
# configuration's), EXTRA (more flags for mbrl pets).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: $0 ENV [SEEDS...]" >&2; exit 2; }
env_name=$1
shift
MBRL=${MBRL:-build/mbrl}
LOGDIR=${LOGDIR:-data/pets_$env_name}
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
for s in "${seeds[@]}"; do
  t0=$(date +%s)
  # shellcheck disable=SC2086
  $MBRL pets --env_name "$env_name" --exp_name "pets_s$s" --seed "$s" ${TRIALS:+--n_iter $TRIALS} ${EXTRA:-} \
    --quiet --logdir "$LOGDIR"
  t1=$(date +%s)
  run=$(ls -td "$LOGDIR"/hw4_pets_s"$s"_* | head -1)
  awk -F, -v seed="$s" -v wall=$((t1 - t0)) -v run="$run" '
    NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
    {ret = ret sprintf(" %.1f", $col["Train_AverageReturn"])
     b = $col["Best_Return_So_Far"]; best = best (b == "" ? " -" : sprintf(" %.1f", b))}
    END {printf "seed %s: trial returns (random first)%s; best so far%s; wall %d s; %s\n", seed, ret, best,
         wall, run}' "$run/metrics.csv"
done

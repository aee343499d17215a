#!/usr/bin/env bash
# mbrl pets on one environment with its PETS configuration, one run per seed; prints each trial's
# return, the best so far after each, and the wall time per seed. A seed whose run directory is
# already in LOGDIR goes on from where it stopped (mbrl pets --resume), so a stopped script is
# simply started again; the wall time printed is then the run's own (TimeSinceStart).
#   scripts/pets_runs.sh ENV [SEEDS...]     (default seeds 1 2 3)
# Environment: MBRL (default build/mbrl), LOGDIR (default data/pets_<ENV>), TRIALS (default: the
# configuration's), THREADS (default: all cores; a resumed run needs the same count for identical
# results), EXTRA (more flags for a new run).
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
  run=$(ls -td "$LOGDIR"/hw4_pets_s"$s"_"$env_name"_* 2>/dev/null | head -1 || true)
  if [[ -n $run && -f $run/resume.safetensors ]]; then
    # shellcheck disable=SC2086
    $MBRL pets --resume "$run" ${THREADS:+--threads $THREADS} --quiet ||
      echo "seed $s: not resumed (finished, or see the message above)" >&2
  else
    # shellcheck disable=SC2086
    $MBRL pets --env_name "$env_name" --exp_name "pets_s$s" --seed "$s" ${TRIALS:+--n_iter $TRIALS} ${EXTRA:-} \
      ${THREADS:+--threads $THREADS} --quiet --logdir "$LOGDIR"
    run=$(ls -td "$LOGDIR"/hw4_pets_s"$s"_"$env_name"_* | head -1)
  fi
  awk -F, -v seed="$s" -v run="$run" '
    NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
    {ret = ret sprintf(" %.1f", $col["Train_AverageReturn"]); wall = $col["TimeSinceStart"]
     b = $col["Best_Return_So_Far"]; best = best (b == "" ? " -" : sprintf(" %.1f", b))}
    END {printf "seed %s: trial returns (random first)%s; best so far%s; wall %d s; %s\n", seed, ret, best,
         wall, run}' "$run/metrics.csv"
done

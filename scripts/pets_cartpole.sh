#!/usr/bin/env bash
# PETS on cartpole-continuous-v0 with the PETS example's settings (mbrl pets defaults), one run per
# seed; prints each trial's return and the wall time per seed, and the first MPC trial reaching 200.
#   scripts/pets_cartpole.sh [SEEDS...]     (default 1 2 3)
# Environment: MBRL (default build/mbrl), LOGDIR (default data/pets_cartpole), TRIALS (default 11:
# the random trial and ten of MPC, as mbrl-lib's PETS example).
set -euo pipefail
cd "$(dirname "$0")/.."
MBRL=${MBRL:-build/mbrl}
LOGDIR=${LOGDIR:-data/pets_cartpole}
TRIALS=${TRIALS:-11}
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
for s in "${seeds[@]}"; do
  t0=$(date +%s)
  $MBRL pets --env_name cartpole-continuous-v0 --exp_name "pets_cartpole_s$s" --seed "$s" --n_iter "$TRIALS" --quiet --logdir "$LOGDIR"
  t1=$(date +%s)
  run=$(ls -td "$LOGDIR"/hw4_pets_cartpole_s"$s"_* | head -1)
  awk -F, -v seed="$s" -v wall=$((t1 - t0)) -v run="$run" '
    NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
    {r = $col["Train_AverageReturn"]; line = line sprintf(" %s", r); if (NR > 2 && r + 0 >= 200 && !hit) hit = NR - 2}
    END {printf "seed %s: trial returns (random first)%s; first MPC trial at 200: %s; wall %d s; %s\n",
         seed, line, hit ? hit : "none", wall, run}' "$run/metrics.csv"
done

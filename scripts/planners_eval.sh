#!/usr/bin/env bash
# Every planner of the planner table planning on cheetah-cs285-v0 through one model (a saved
# model.safetensors, or "true" for the simulator itself), one 500-step episode per seed; prints one
# markdown row per planner and seed: planner, seed, return, sequences scored and planning ms per
# environment step (plan_eval runs in fp32 on the threads OMP_NUM_THREADS allows).
#   scripts/planners_eval.sh MODEL [SEEDS...]     (default seeds 1 2 3)
# Environment: PLAN_EVAL (default build/plan_eval), ROWS (default all: random cem4 mppi icem grad
# cemgd; grad and cemgd need a learned model).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: $0 MODEL|true [SEEDS...]" >&2; exit 2; }
model=$1
shift
PLAN_EVAL=${PLAN_EVAL:-build/plan_eval}
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
declare -A rows=(
  [random]="planner=random"
  [cem4]="planner=cem cem_iterations=4"
  [mppi]="planner=mppi mpc_horizon=20 mpc_num_action_sequences=700"
  [icem]="planner=icem mpc_num_action_sequences=400"
  [grad]="planner=grad mpc_num_action_sequences=20"
  [cemgd]="planner=cemgd mpc_num_action_sequences=100"
)
for name in ${ROWS:-random cem4 mppi icem grad cemgd}; do
  for s in "${seeds[@]}"; do
    # shellcheck disable=SC2086
    line=$($PLAN_EVAL cheetah-cs285-v0 "$model" 0 1 "$s" 15 ${rows[$name]} | tail -1)
    echo "$line" | sed -E "s/.*mean return ([-0-9.]+).*; ([0-9]+) sequences scored and ([0-9.]+) ms.*/| $name | $s | \1 | \2 | \3 |/"
  done
done

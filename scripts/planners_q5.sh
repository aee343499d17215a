#!/usr/bin/env bash
# The homework's Q5 run (cheetah, 5 iterations of 5000 steps, H 15) with each planner of the
# planner table, then one episode of the run's final model planned by plan_eval for the planning
# cost; prints one markdown row per run: planner, seed, final Eval_AverageReturn, sequences scored
# and planning ms per environment step (plan_eval, fp32, one episode), wall time of the run.
#   scripts/planners_q5.sh PLANNER [SEEDS...]     (default seeds 1 2 3)
#   PLANNER: random | cem4 | mppi (PDDM's cheetah: H 20, N 700, gamma 1, sigma 0.9, beta 0.9) |
#            mppi10 (the same with gamma 10) |
#            icem (N 400, 3 iterations, decay 1.25: 976 sequences a step, a quarter of CEM-4's)
# Environment: MBRL (default build/mbrl), PLAN_EVAL (default build/plan_eval), LOGDIR (default
# data/planners_q5), EXTRA (more flags for mbrl mb, e.g. "--precision bf16").
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: $0 PLANNER [SEEDS...]" >&2; exit 2; }
planner=$1
shift
MBRL=${MBRL:-build/mbrl}
PLAN_EVAL=${PLAN_EVAL:-build/plan_eval}
LOGDIR=${LOGDIR:-data/planners_q5}
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
case $planner in
  random) flags="--mpc_action_sampling_strategy random" ;;
  cem4) flags="--mpc_action_sampling_strategy cem --cem_iterations 4" ;;
  mppi) flags="--planner mppi --mpc_horizon 20 --mpc_num_action_sequences 700 --mppi_gamma 1 --mppi_sigma 0.9 --mppi_beta 0.9" ;;
  mppi10) flags="--planner mppi --mpc_horizon 20 --mpc_num_action_sequences 700 --mppi_gamma 10 --mppi_sigma 0.9 --mppi_beta 0.9" ;;
  icem) flags="--planner icem --mpc_num_action_sequences 400" ;;
  *) echo "$0: unknown planner $planner" >&2; exit 2 ;;
esac
q5="--env_name cheetah-cs285-v0 --mpc_horizon 15 --add_sl_noise --num_agent_train_steps_per_iter 1500 --batch_size_initial 5000 --batch_size 5000 --n_iter 5 --video_log_freq -1"
# plan_eval takes the same planner settings as SETTING=VALUE
settings=$(echo " $flags" | sed -e 's/ --planner / planner=/' -e 's/ --\([a-z_0-9]*\) \([^ -][^ ]*\)/ \1=\2/g')
for s in "${seeds[@]}"; do
  t0=$(date +%s)
  # shellcheck disable=SC2086
  $MBRL mb --exp_name "q5_$planner" $q5 $flags --seed "$s" ${EXTRA:-} --quiet --logdir "$LOGDIR" >/dev/null
  t1=$(date +%s)
  run=$(ls -td "$LOGDIR"/hw4_q5_"$planner"_* | head -1)
  final=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "Eval_AverageReturn") c = i; next} {v = $c} END {print v}' "$run/metrics.csv")
  # shellcheck disable=SC2086
  cost=$($PLAN_EVAL cheetah-cs285-v0 "$run/model.safetensors" 0 1 "$s" 15 $settings | tail -1 |
    sed -E 's/.*mean return ([-0-9.]+).*; ([0-9]+) sequences scored and ([0-9.]+) ms.*/\2 | \3 | \1/')
  echo "| $planner | $s | $final | $cost | $((t1 - t0)) |"
done

#!/usr/bin/env bash
# Runs short mbrl commands with a fixed seed and thread count and prints a checksum line per run:
# metrics.csv without its wall-time column (TimeSinceStart) and model.safetensors. Two builds whose
# lines agree produced byte-identical results; a refactor that must not change behaviour is checked
# by running this with the old and the new binary and diffing the outputs.
#   scripts/same_results.sh [BINARY]     (default build/mbrl)
# Environment: LOGDIR (default a fresh temporary folder), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
MBRL=${1:-build/mbrl}
LOGDIR=${LOGDIR:-$(mktemp -d)}
THREADS=${THREADS:-2}

runs=(
  "mb --exp_name q2_obstacles_singleiteration --env_name obstacles-cs285-v0 --add_sl_noise --num_agent_train_steps_per_iter 20 --n_iter 1 --batch_size_initial 5000 --batch_size 1000 --mpc_horizon 10 --video_log_freq -1 --mpc_action_sampling_strategy random"
  "mb --exp_name cheetah_cem_short --env_name cheetah-cs285-v0 --mpc_horizon 15 --add_sl_noise --num_agent_train_steps_per_iter 200 --batch_size_initial 2000 --batch_size 500 --eval_batch_size 200 --n_iter 2 --mpc_action_sampling_strategy cem --cem_iterations 4"
  "mb --exp_name reacher_rs_bf16 --env_name reacher-cs285-v0 --ensemble_size 5 --add_sl_noise --num_agent_train_steps_per_iter 100 --batch_size_initial 1000 --batch_size 400 --eval_batch_size 200 --n_iter 2 --precision bf16"
  "mbpo --exp_name mbpo_short --env_name cheetah-cs285-v0 --add_sl_noise --num_agent_train_steps_per_iter 50 --batch_size_initial 1000 --batch_size 500 --eval_batch_size 200 --n_iter 2 --sac_n_iter 100 --sac_size 64 --mbpo_rollout_length 5"
  "mbpo --exp_name mbpo_member --env_name cheetah-cs285-v0 --add_sl_noise --num_agent_train_steps_per_iter 50 --batch_size_initial 1000 --batch_size 500 --eval_batch_size 200 --n_iter 2 --sac_n_iter 100 --sac_size 64 --mbpo_rollout_length 5 --mbpo_random_member"
)
for args in "${runs[@]}"; do
  # shellcheck disable=SC2086
  $MBRL $args --seed 1 --threads "$THREADS" --quiet --logdir "$LOGDIR" >/dev/null
  run=$(ls -td "$LOGDIR"/hw4_* | head -1)
  metrics=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "TimeSinceStart") skip = i}
    {out = ""; for (i = 1; i <= NF; i++) if (i != skip) out = out (out == "" ? "" : ",") $i; print out}' \
    "$run/metrics.csv" | sha256sum | cut -c1-16)
  model=$(sha256sum "$run/model.safetensors" | cut -c1-16)
  echo "${args%% --env_name*}  metrics $metrics  model $model"
  rm -rf "$run"
done

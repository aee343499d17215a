#!/usr/bin/env bash
# Runs the CS285 HW4 commands (problems 1-6) with mbrl and prints one markdown row per run:
# command, seed, final and best Eval_AverageReturn, last training loss, wall time.
#   scripts/hw4.sh q1 q2 q3 q4 q5 q6     (any subset; default: all)
# Environment: MBRL (binary, default build/mbrl), LOGDIR (default data), EXTRA (flags added to
# every command, e.g. "--seed 2").
set -euo pipefail
cd "$(dirname "$0")/.."
MBRL=${MBRL:-build/mbrl}
LOGDIR=${LOGDIR:-data}
EXTRA=${EXTRA:-}

declare -A cmds
cmds[q1]="--exp_name q1_cheetah_n500_arch1x32 --env_name cheetah-cs285-v0 --add_sl_noise --n_iter 1 --batch_size_initial 20000 --num_agent_train_steps_per_iter 500 --n_layers 1 --size 32 --scalar_log_freq -1 --video_log_freq -1 --mpc_action_sampling_strategy random
--exp_name q1_cheetah_n5_arch2x250 --env_name cheetah-cs285-v0 --add_sl_noise --n_iter 1 --batch_size_initial 20000 --num_agent_train_steps_per_iter 5 --n_layers 2 --size 250 --scalar_log_freq -1 --video_log_freq -1 --mpc_action_sampling_strategy random
--exp_name q1_cheetah_n500_arch2x250 --env_name cheetah-cs285-v0 --add_sl_noise --n_iter 1 --batch_size_initial 20000 --num_agent_train_steps_per_iter 500 --n_layers 2 --size 250 --scalar_log_freq -1 --video_log_freq -1 --mpc_action_sampling_strategy random"
cmds[q2]="--exp_name q2_obstacles_singleiteration --env_name obstacles-cs285-v0 --add_sl_noise --num_agent_train_steps_per_iter 20 --n_iter 1 --batch_size_initial 5000 --batch_size 1000 --mpc_horizon 10 --video_log_freq -1 --mpc_action_sampling_strategy random"
cmds[q3]="--exp_name q3_obstacles --env_name obstacles-cs285-v0 --add_sl_noise --num_agent_train_steps_per_iter 20 --batch_size_initial 5000 --batch_size 1000 --mpc_horizon 10 --n_iter 12 --video_log_freq -1 --mpc_action_sampling_strategy random
--exp_name q3_reacher --env_name reacher-cs285-v0 --add_sl_noise --mpc_horizon 10 --num_agent_train_steps_per_iter 1000 --batch_size_initial 5000 --batch_size 5000 --n_iter 15 --video_log_freq -1 --mpc_action_sampling_strategy random
--exp_name q3_cheetah --env_name cheetah-cs285-v0 --mpc_horizon 15 --add_sl_noise --num_agent_train_steps_per_iter 1500 --batch_size_initial 5000 --batch_size 5000 --n_iter 20 --video_log_freq -1 --mpc_action_sampling_strategy random"
q4=""
for h in 5 15 30; do q4+="--exp_name q4_reacher_horizon$h --env_name reacher-cs285-v0 --add_sl_noise --mpc_horizon $h --num_agent_train_steps_per_iter 1000 --batch_size 800 --n_iter 15 --video_log_freq -1 --mpc_action_sampling_strategy random"$'\n'; done
for n in 100 1000; do q4+="--exp_name q4_reacher_numseq$n --env_name reacher-cs285-v0 --add_sl_noise --mpc_horizon 10 --num_agent_train_steps_per_iter 1000 --batch_size 800 --n_iter 15 --mpc_num_action_sequences $n --mpc_action_sampling_strategy random"$'\n'; done
for e in 1 3 5; do q4+="--exp_name q4_reacher_ensemble$e --env_name reacher-cs285-v0 --ensemble_size $e --add_sl_noise --mpc_horizon 10 --num_agent_train_steps_per_iter 1000 --batch_size 800 --n_iter 15 --video_log_freq -1 --mpc_action_sampling_strategy random"$'\n'; done
cmds[q4]=${q4%$'\n'}
cmds[q5]="--exp_name q5_cheetah_random --env_name cheetah-cs285-v0 --mpc_horizon 15 --add_sl_noise --num_agent_train_steps_per_iter 1500 --batch_size_initial 5000 --batch_size 5000 --n_iter 5 --video_log_freq -1 --mpc_action_sampling_strategy random
--exp_name q5_cheetah_cem_2 --env_name cheetah-cs285-v0 --mpc_horizon 15 --add_sl_noise --num_agent_train_steps_per_iter 1500 --batch_size_initial 5000 --batch_size 5000 --n_iter 5 --video_log_freq -1 --mpc_action_sampling_strategy cem --cem_iterations 2
--exp_name q5_cheetah_cem_4 --env_name cheetah-cs285-v0 --mpc_horizon 15 --add_sl_noise --num_agent_train_steps_per_iter 1500 --batch_size_initial 5000 --batch_size 5000 --n_iter 5 --video_log_freq -1 --mpc_action_sampling_strategy cem --cem_iterations 4"

q6=""
for l in 0 1 10; do
  n=5000; name=rlen$l; [[ $l -gt 0 ]] || { n=1000; name=rlenl0; }
  q6+="--exp_name q6_cheetah_$name --env_name cheetah-cs285-v0 --add_sl_noise --num_agent_train_steps_per_iter 1500 --batch_size_initial 5000 --batch_size 5000 --n_iter 10 --video_log_freq -1 --sac_discount 0.99 --sac_n_layers 2 --sac_size 256 --sac_batch_size 1500 --sac_learning_rate 0.0003 --sac_init_temperature 0.1 --sac_n_iter $n --mbpo_rollout_length $l"$'\n'
done
cmds[q6]=${q6%$'\n'}

problems=("$@")
[[ ${#problems[@]} -gt 0 ]] || problems=(q1 q2 q3 q4 q5 q6)
echo "| command | seed | final Eval_AverageReturn | best | last Training Loss | wall time (s) |"
echo "|---|---|---|---|---|---|"
for q in "${problems[@]}"; do
  [[ -n "${cmds[$q]:-}" ]] || { echo "unknown problem $q (q1..q6)" >&2; exit 2; }
  verb=mb; [[ $q != q6 ]] || verb=mbpo
  while IFS= read -r args; do
    [[ -n "$args" ]] || continue
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    out=$($MBRL $verb $args --logdir "$LOGDIR" --quiet $EXTRA && ls -td "$LOGDIR"/hw4_* | head -1)
    wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
    run=$(echo "$out" | tail -1)
    seed=$(grep -o '"seed":[[:space:]]*[0-9]*' "$run/config.json" | grep -o '[0-9]*$')
    # final and best of the Eval_AverageReturn column (2), where the run evaluated, and the last
    # Training Loss (column 13)
    read -r final best loss < <(awk -F, 'NR > 1 {l = $13} NR > 1 && $2 != "" {f = $2; if (b == "" || $2 + 0 > b + 0) b = $2}
      END {print (f == "" ? "-" : f), (b == "" ? "-" : b), l}' "$run/metrics.csv")
    printf '| `mbrl %s %s` | %s | %s | %s | %s | %.0f |\n' "$verb" "$args" "$seed" "$final" "$best" "$loss" "$wall"
  done <<< "${cmds[$q]}"
done

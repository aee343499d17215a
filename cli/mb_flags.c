/* The flags, checks and progress lines mbrl mb and mbrl mbpo share. */
#include "mb_flags.h"

#include <stdio.h>
#include <string.h>

#include "mbrl/core.h"

int mb_flags(flag *out, mb_flag_values *v, mbrl_mb_config *c, int mb) {
  *v = (mb_flag_values){.c = c, .mb = mb, .strategy = "random", .activation = "tanh", .precision = "fp32",
                      .ep_len = 200};
  const char *unused = "accepted and unused, as in run_hw4_mbpo.py";
  const flag shared[] = {
      {"--env_name", NULL, FLAG_STRING, &c->env_name, 0, 0, "environment (mbrl envs lists them)"},
      {"--ep_len", NULL, FLAG_INT, &v->ep_len, 1, 1e9,
       "episode length; the CS285 environments keep their own (500/100/200), as the course's script"},
      {"--exp_name", NULL, FLAG_STRING, &c->exp_name, 0, 0, "experiment name, part of the run directory"},
      {"--n_iter", "-n", FLAG_INT, &c->n_iter, 1, 1e6, "iterations"},
      {"--ensemble_size", mb ? "-e" : NULL, FLAG_INT, &c->ensemble_size, 1, 64, "ensemble members"},
      {"--mpc_horizon", NULL, FLAG_INT, &c->mpc_horizon, 1, 1000, mb ? "planning horizon H" : unused},
      {"--mpc_num_action_sequences", NULL, FLAG_INT, &c->mpc_num_action_sequences, 1, 1e6,
       mb ? "candidate action sequences N" : unused},
      {"--mpc_action_sampling_strategy", NULL, FLAG_STRING, &v->strategy, 0, 0, mb ? "random or cem" : unused},
      {"--cem_iterations", NULL, FLAG_INT, &c->cem_iterations, 1, 1000, mb ? "CEM iterations" : unused},
      {"--cem_num_elites", NULL, FLAG_INT, &c->cem_num_elites, 1, 1e6, mb ? "CEM elites" : unused},
      {"--cem_alpha", NULL, FLAG_DOUBLE, &c->cem_alpha, 1e-9, 1, mb ? "CEM update rate" : unused},
      {"--add_sl_noise", mb ? "-noise" : NULL, FLAG_BOOL, &c->add_sl_noise, 0, 0,
       "noise the observations the model trains on"},
      {"--num_agent_train_steps_per_iter", NULL, FLAG_INT, &c->num_agent_train_steps_per_iter, 0, 1e8,
       "model training steps per iteration"},
      {"--batch_size_initial", NULL, FLAG_INT, &c->batch_size_initial, 1, 1e8,
       mb ? "random steps at iteration 0" : "steps collected at iteration 0"},
      {"--batch_size", mb ? "-b" : NULL, FLAG_INT, &c->batch_size, 1, 1e8,
       mb ? "MPC steps collected per later iteration" : "steps collected per later iteration"},
      {"--train_batch_size", "-tb", FLAG_INT, &c->train_batch_size, 1, 1e6, "rows per member per training step"},
      {"--eval_batch_size", "-eb", FLAG_INT, &c->eval_batch_size, 1, 1e8, "evaluation steps per iteration"},
      {"--learning_rate", mb ? "-lr" : NULL, FLAG_DOUBLE, &c->learning_rate, 1e-12, 10, "model Adam learning rate"},
      {"--n_layers", mb ? "-l" : NULL, FLAG_INT, &c->n_layers, 0, MBRL_MAX_LAYERS - 1, "model hidden layers"},
      {"--size", mb ? "-s" : NULL, FLAG_INT, &c->size, 1, 65536, "model hidden width"},
      {"--seed", NULL, FLAG_INT, &c->seed, 0, 2147483647, "random seed"},
      {"--no_gpu", "-ngpu", FLAG_BOOL, &v->no_gpu, 0, 0, "accepted for compatibility; mbrl runs on the CPU"},
      {"--which_gpu", "-gpu_id", FLAG_INT, &v->which_gpu, 0, 1024, "accepted for compatibility; no effect"},
      {"--video_log_freq", NULL, FLAG_INT, &c->video_log_freq, -1, 1e9,
       "film the first evaluation episode every k iterations, itr_<k>_eval.mp4 (-1: never)"},
      {"--scalar_log_freq", NULL, FLAG_INT, &c->scalar_log_freq, -1, 1e9, "evaluate and log every k iterations (-1: never)"},
      {"--save_params", NULL, FLAG_BOOL, &c->save_params, 0, 0, "keep the checkpoints of every iteration"},
      {"--bootstrap", NULL, FLAG_BOOL, &c->bootstrap, 0, 0, "members sample their rows with replacement"},
      {"--activation", NULL, FLAG_STRING, &v->activation, 0, 0, "model hidden activation: tanh, relu, silu"},
      {"--precision", NULL, FLAG_STRING, &v->precision, 0, 0,
       "of the model's predictions in planning and rollouts: fp32, or bf16 (bfloat16 weights and\n"
       "activations, fp32 accumulation; training stays fp32)"},
      {"--logdir", NULL, FLAG_STRING, &c->logdir, 0, 0, "where run directories go"},
      {"--threads", NULL, FLAG_INT, &v->threads, 0, 1024, "threads for float work (0: all cores)"},
      {"--quiet", NULL, FLAG_BOOL, &v->quiet, 0, 0, "no progress lines"},
  };
  _Static_assert(sizeof shared / sizeof *shared <= MB_FLAGS_MAX, "MB_FLAGS_MAX too small");
  memcpy(out, shared, sizeof shared);
  return (int)(sizeof shared / sizeof *shared);
}

int mb_flags_finish(const char *cmd, mb_flag_values *v) {
  mbrl_mb_config *c = v->c;
  if (!c->env_name) {
    fprintf(stderr, "mbrl %s: --env_name is required (mbrl envs lists the environments)\n", cmd);
    return 2;
  }
  if (mbrl_planner_kind_parse(v->strategy, &c->mpc_action_sampling_strategy)) {
    fprintf(stderr, "mbrl %s: --mpc_action_sampling_strategy must be random or cem, got '%s'\n", cmd, v->strategy);
    return 2;
  }
  if (mbrl_act_parse(v->activation, &c->activation)) {
    fprintf(stderr, "mbrl %s: --activation must be tanh, relu, silu or identity, got '%s'\n", cmd, v->activation);
    return 2;
  }
  if (mbrl_precision_parse(v->precision, &c->precision)) {
    fprintf(stderr, "mbrl %s: --precision must be fp32 or bf16, got '%s'\n", cmd, v->precision);
    return 2;
  }
  if (c->precision == MBRL_PRECISION_BF16 && !mbrl_bf16_native())
    fprintf(stderr, "mbrl %s: this CPU has no bfloat16 units (AVX-512 BF16 or AMX); predicting in fp32\n", cmd);
  if (v->mb && c->cem_num_elites > c->mpc_num_action_sequences) {
    fprintf(stderr, "mbrl %s: --cem_num_elites (%d) exceeds --mpc_num_action_sequences (%d)\n", cmd,
            c->cem_num_elites, c->mpc_num_action_sequences);
    return 2;
  }
  /* the course's scripts force the episode length of its three environments */
  c->ep_len = strncmp(c->env_name, "cheetah-cs285", 13) && strncmp(c->env_name, "obstacles-cs285", 15) &&
                      strncmp(c->env_name, "reacher-cs285", 13)
                  ? v->ep_len
                  : 0;
  mbrl_threads_set(v->threads);
  return 0;
}

void mb_progress_line(double *last_line, const mbrl_mb_progress *p, const char *extra) {
  if (p->warning) {
    fprintf(stderr, "mbrl: %s; the run goes on without video\n", p->warning);
    return;
  }
  if (strcmp(p->phase, "done") != 0) {
    if (p->elapsed - *last_line < 30.0) return;
    *last_line = p->elapsed;
    printf("itr %3d/%d  %s %d/%d steps  %6.0f s elapsed\n", p->itr + 1, p->n_iter, p->phase, p->steps,
           p->steps_total, p->elapsed);
    fflush(stdout);
    return;
  }
  *last_line = p->elapsed;
  /* the remaining time assumes later iterations cost what the ones so far did on average */
  double eta = p->elapsed / (p->itr + 1) * (p->n_iter - p->itr - 1);
  printf("itr %3d/%d  envsteps %8lld  train %9.2f  eval %9.2f  loss %.4f%s  %6.0f s elapsed, ~%.0f s left\n",
         p->itr + 1, p->n_iter, (long long)p->envsteps, p->train_return, p->eval_return, p->loss, extra,
         p->elapsed, eta);
  fflush(stdout);
}

int mb_run_status(const char *cmd, int rc, const char *dir, const char *err, int quiet, const char *what) {
  if (rc) {
    fprintf(stderr, "mbrl %s: %s\n", cmd, err);
    if (dir[0]) fprintf(stderr, "mbrl %s: what was written is in %s\n", cmd, dir);
    return rc == MBRL_EINVAL ? 2 : 1;
  }
  if (quiet && err[0]) fprintf(stderr, "mbrl %s: %s; the run went on without video\n", cmd, err);
  if (!quiet) printf("logs, plots and %s are in %s\n", what, dir);
  return 0;
}

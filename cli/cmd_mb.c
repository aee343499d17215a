/* mbrl mb: CS285 HW4's run_hw4_mb.py, with the same flags, aliases and defaults. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"

/* a line per iteration, and within long iterations one at most every 30 s */
static void report(void *ctx, const mbrl_mb_progress *p) {
  double *last_line = ctx;
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
  printf("itr %3d/%d  envsteps %8lld  train %9.2f  eval %9.2f  loss %.4f  %6.0f s elapsed, ~%.0f s left\n",
         p->itr + 1, p->n_iter, (long long)p->envsteps, p->train_return, p->eval_return, p->loss, p->elapsed,
         eta);
  fflush(stdout);
}

int mbrl_cmd_mb(int argc, char **argv) {
  mbrl_mb_config c = mbrl_mb_defaults();
  const char *strategy = "random", *activation = "tanh";
  int ep_len = 200, threads = 0, quiet = 0, no_gpu = 0, which_gpu = 0, video_log_freq = -1;
  const flag flags[] = {
      {"--env_name", NULL, FLAG_STRING, &c.env_name, 0, 0, "environment (mbrl envs lists them)"},
      {"--ep_len", NULL, FLAG_INT, &ep_len, 1, 1e9,
       "episode length; the CS285 environments keep their own (500/100/200), as the course's script"},
      {"--exp_name", NULL, FLAG_STRING, &c.exp_name, 0, 0, "experiment name, part of the run directory"},
      {"--n_iter", "-n", FLAG_INT, &c.n_iter, 1, 1e6, "iterations"},
      {"--ensemble_size", "-e", FLAG_INT, &c.ensemble_size, 1, 64, "ensemble members"},
      {"--mpc_horizon", NULL, FLAG_INT, &c.mpc_horizon, 1, 1000, "planning horizon H"},
      {"--mpc_num_action_sequences", NULL, FLAG_INT, &c.mpc_num_action_sequences, 1, 1e6,
       "candidate action sequences N"},
      {"--mpc_action_sampling_strategy", NULL, FLAG_STRING, &strategy, 0, 0, "random or cem"},
      {"--cem_iterations", NULL, FLAG_INT, &c.cem_iterations, 1, 1000, "CEM iterations"},
      {"--cem_num_elites", NULL, FLAG_INT, &c.cem_num_elites, 1, 1e6, "CEM elites"},
      {"--cem_alpha", NULL, FLAG_DOUBLE, &c.cem_alpha, 1e-9, 1, "CEM update rate"},
      {"--add_sl_noise", "-noise", FLAG_BOOL, &c.add_sl_noise, 0, 0, "noise the stored observations"},
      {"--num_agent_train_steps_per_iter", NULL, FLAG_INT, &c.num_agent_train_steps_per_iter, 0, 1e8,
       "model training steps per iteration"},
      {"--batch_size_initial", NULL, FLAG_INT, &c.batch_size_initial, 1, 1e8, "random steps at iteration 0"},
      {"--batch_size", "-b", FLAG_INT, &c.batch_size, 1, 1e8, "MPC steps collected per later iteration"},
      {"--train_batch_size", "-tb", FLAG_INT, &c.train_batch_size, 1, 1e6, "rows per member per training step"},
      {"--eval_batch_size", "-eb", FLAG_INT, &c.eval_batch_size, 1, 1e8, "evaluation steps per iteration"},
      {"--learning_rate", "-lr", FLAG_DOUBLE, &c.learning_rate, 1e-12, 10, "Adam learning rate"},
      {"--n_layers", "-l", FLAG_INT, &c.n_layers, 0, MBRL_MAX_LAYERS - 1, "hidden layers"},
      {"--size", "-s", FLAG_INT, &c.size, 1, 65536, "hidden width"},
      {"--seed", NULL, FLAG_INT, &c.seed, 0, 2147483647, "random seed"},
      {"--no_gpu", "-ngpu", FLAG_BOOL, &no_gpu, 0, 0, "accepted for compatibility; mbrl runs on the CPU"},
      {"--which_gpu", "-gpu_id", FLAG_INT, &which_gpu, 0, 1024, "accepted for compatibility; no effect"},
      {"--video_log_freq", NULL, FLAG_INT, &video_log_freq, -1, 1e9, "video every k iterations (not yet available)"},
      {"--scalar_log_freq", NULL, FLAG_INT, &c.scalar_log_freq, -1, 1e9, "evaluate and log every k iterations (-1: never)"},
      {"--save_params", NULL, FLAG_BOOL, &c.save_params, 0, 0, "keep the model of every iteration"},
      {"--bootstrap", NULL, FLAG_BOOL, &c.bootstrap, 0, 0, "members sample their rows with replacement"},
      {"--activation", NULL, FLAG_STRING, &activation, 0, 0, "hidden activation: tanh, relu, silu"},
      {"--logdir", NULL, FLAG_STRING, &c.logdir, 0, 0, "where run directories go"},
      {"--threads", NULL, FLAG_INT, &threads, 0, 1024, "threads for float work (0: all cores)"},
      {"--quiet", NULL, FLAG_BOOL, &quiet, 0, 0, "no progress lines"},
  };
  int rc = flags_parse("mb",
                       "Model-based RL with MPC through a learned dynamics ensemble (CS285 HW4,\n"
                       "run_hw4_mb.py): each iteration collects data, refits the model and evaluates.",
                       flags, sizeof flags / sizeof *flags, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  if (!c.env_name) {
    fprintf(stderr, "mbrl mb: --env_name is required (mbrl envs lists the environments)\n");
    return 2;
  }
  if (mbrl_planner_kind_parse(strategy, &c.mpc_action_sampling_strategy)) {
    fprintf(stderr, "mbrl mb: --mpc_action_sampling_strategy must be random or cem, got '%s'\n", strategy);
    return 2;
  }
  if (mbrl_act_parse(activation, &c.activation)) {
    fprintf(stderr, "mbrl mb: --activation must be tanh, relu, silu or identity, got '%s'\n", activation);
    return 2;
  }
  if (c.cem_num_elites > c.mpc_num_action_sequences) {
    fprintf(stderr, "mbrl mb: --cem_num_elites (%d) exceeds --mpc_num_action_sequences (%d)\n",
            c.cem_num_elites, c.mpc_num_action_sequences);
    return 2;
  }
  /* the course's script forces the episode length of its three environments */
  c.ep_len = strncmp(c.env_name, "cheetah-cs285", 13) && strncmp(c.env_name, "obstacles-cs285", 15) &&
                     strncmp(c.env_name, "reacher-cs285", 13)
                 ? ep_len
                 : 0;
  if (video_log_freq != -1)
    fprintf(stderr, "mbrl mb: note: video is not available yet; --video_log_freq is ignored\n");
  mbrl_threads_set(threads);

  char dir[1024] = "", err[1024] = "";
  if (!quiet)
    printf("mbrl mb: %s, %d iterations, %s planner, %d threads (%s)\n", c.env_name, c.n_iter, strategy,
           mbrl_threads_get(), mbrl_backend_info());
  double last_line = 0.0;
  rc = mbrl_mb_run(&c, quiet ? NULL : report, &last_line, dir, sizeof dir, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mbrl mb: %s\n", err);
    if (dir[0]) fprintf(stderr, "mbrl mb: what was written is in %s\n", dir);
    return rc == MBRL_EINVAL ? 2 : 1;
  }
  if (!quiet) printf("logs, plots and the model are in %s\n", dir);
  return 0;
}

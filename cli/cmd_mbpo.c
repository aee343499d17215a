/* mbrl mbpo: CS285 HW4's run_hw4_mbpo.py (problem 6), with the same flags, aliases and defaults. */
#include <stdio.h>

#include "cli.h"
#include "mb_flags.h"
#include "mbrl/core.h"
#include "mbrl/mbpo.h"

static void report(void *ctx, const mbrl_mbpo_progress *p) {
  char extra[160];
  snprintf(extra, sizeof extra, "  sac updates %lld  model transitions %lld  alpha %.4f",
           (long long)p->sac_updates, (long long)p->model_transitions, (double)p->sac.temperature);
  mb_progress_line(ctx, &p->mb, extra);
}

int mbrl_cmd_mbpo(int argc, char **argv) {
  mbrl_mbpo_config c = mbrl_mbpo_defaults();
  mb_flag_values v;
  flag flags[MB_FLAGS_MAX + 20];
  int n = mb_flags(flags, &v, &c.mb, 0);
  const flag sac[] = {
      {"--sac_num_agent_train_steps_per_iter", NULL, FLAG_INT, &c.sac_num_agent_train_steps_per_iter, 0, 1e6,
       "SAC updates after each model rollout"},
      {"--sac_num_critic_updates_per_agent_update", NULL, FLAG_INT, &c.sac_num_critic_updates_per_agent_update,
       1, 1e6, "critic steps per SAC update"},
      {"--sac_num_actor_updates_per_agent_update", NULL, FLAG_INT, &c.sac_num_actor_updates_per_agent_update,
       1, 1e6, "actor and temperature steps per SAC update that takes them"},
      {"--sac_actor_update_frequency", NULL, FLAG_INT, &c.sac_actor_update_frequency, 1, 1e6,
       "actor steps on every k-th SAC update"},
      {"--sac_critic_target_update_frequency", NULL, FLAG_INT, &c.sac_critic_target_update_frequency, 1, 1e6,
       "target soft update on every k-th SAC update"},
      {"--sac_train_batch_size", NULL, FLAG_INT, &c.sac_train_batch_size, 1, 1e6, "rows per SAC update"},
      {"--sac_batch_size", NULL, FLAG_INT, &c.sac_batch_size, 1, 1e9, "accepted and unused, as in run_hw4_mbpo.py"},
      {"--sac_discount", NULL, FLAG_DOUBLE, &c.sac_discount, 0, 1, "discount gamma"},
      {"--sac_init_temperature", NULL, FLAG_DOUBLE, &c.sac_init_temperature, 1e-12, 1e6, "initial temperature alpha"},
      {"--sac_learning_rate", NULL, FLAG_DOUBLE, &c.sac_learning_rate, 1e-12, 10,
       "Adam learning rate of actor, critics and temperature"},
      {"--sac_n_layers", NULL, FLAG_INT, &c.sac_n_layers, 0, MBRL_MAX_LAYERS - 1, "actor and critic hidden layers"},
      {"--sac_size", NULL, FLAG_INT, &c.sac_size, 1, 65536, "actor and critic hidden width"},
      {"--sac_n_iter", NULL, FLAG_INT, &c.sac_n_iter, 0, 1e8, "model rollouts, each with its updates, per iteration"},
      {"--mbpo_rollout_length", NULL, FLAG_INT, &c.mbpo_rollout_length, 0, 1e6,
       "model rollout length L (0: plain SAC, 1: Dyna, 10: MBPO)"},
      {"--mbpo_rollout_batch", NULL, FLAG_INT, &c.mbpo_rollout_batch, 0, 1e8,
       "rollouts made at once, then their updates (1: the reference's order; 0: all at once)"},
      {"--mbpo_random_member", NULL, FLAG_BOOL, &c.mbpo_random_member, 0, 0,
       "rollouts step with a random member instead of the members' mean"},
      {"--mbpo_reward_next", NULL, FLAG_BOOL, &c.mbpo_reward_next, 0, 0,
       "rollouts score the next state (the env's convention) instead of the current one"},
  };
  for (size_t i = 0; i < sizeof sac / sizeof *sac; i++) flags[n++] = sac[i];
  int rc = flags_parse("mbpo",
                       "Model-based policy optimisation (CS285 HW4 problem 6, run_hw4_mbpo.py): SAC trained\n"
                       "on real data and on rollouts of its actor through a learned dynamics ensemble.",
                       flags, n, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  if ((rc = mb_flags_finish("mbpo", &v))) return rc;

  char dir[1024] = "", err[1024] = "";
  if (!v.quiet)
    printf("mbrl mbpo: %s, %d iterations, rollouts of %d steps, %lld SAC updates per iteration, %d threads (%s)\n",
           c.mb.env_name, c.mb.n_iter, c.mbpo_rollout_length,
           (long long)c.sac_n_iter * c.sac_num_agent_train_steps_per_iter, mbrl_threads_get(), mbrl_backend_info());
  double last_line = 0.0;
  rc = mbrl_mbpo_run(&c, v.quiet ? NULL : report, &last_line, dir, sizeof dir, err, sizeof err);
  return mb_run_status("mbpo", rc, dir, err, v.quiet, "the model and agent checkpoints");
}

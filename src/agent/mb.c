/* The model-based RL loop of CS285 HW4: MPC through the learned ensemble collects the data and
 * is evaluated; loop.c collects, fits the ensemble and writes the run directory. */
#include <stdio.h>

#include "agent/loop.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"
#include "mbrl/planner.h"

mbrl_mb_config mbrl_mb_defaults(void) {
  return (mbrl_mb_config){.ep_len = 0,
                          .exp_name = "todo",
                          .n_iter = 20,
                          .ensemble_size = 3,
                          .mpc_horizon = 10,
                          .mpc_num_action_sequences = 1000,
                          .mpc_action_sampling_strategy = MBRL_PLANNER_RANDOM,
                          .cem_iterations = 4,
                          .cem_num_elites = 5,
                          .cem_alpha = 1.0,
                          .num_agent_train_steps_per_iter = 1000,
                          .batch_size_initial = 20000,
                          .batch_size = 8000,
                          .train_batch_size = 512,
                          .eval_batch_size = 400,
                          .learning_rate = 1e-3,
                          .n_layers = 2,
                          .size = 250,
                          .activation = MBRL_ACT_TANH,
                          .seed = 1,
                          .scalar_log_freq = 1,
                          .video_log_freq = -1,
                          .logdir = "data"};
}

int mbrl_mb_run(const mbrl_mb_config *c, mbrl_mb_progress_fn progress, void *ctx, char *run_dir,
                size_t run_dir_sz, char *err, size_t err_sz) {
  int rc = mbrl_loop_check(c, err, err_sz);
  if (rc) return rc;
  mbrl_mb_progress pr;
  mbrl_loop L;
  mbrl_planner planner = {0};
  if ((rc = mbrl_loop_init(&L, c, c->mpc_num_action_sequences, &pr, progress, ctx, err, err_sz))) goto out;
  mbrl_model model = mbrl_dynamics_model(&L.dwork);
  mbrl_planner_config pc = mbrl_planner_defaults();
  pc.kind = c->mpc_action_sampling_strategy, pc.H = c->mpc_horizon, pc.N = c->mpc_num_action_sequences;
  pc.cem_iters = c->cem_iterations, pc.cem_elites = c->cem_num_elites, pc.cem_alpha = (float)c->cem_alpha;
  if ((rc = mbrl_planner_init(&planner, &pc, L.env, &model, &L.r_agent, err, err_sz))) goto out;
  if ((rc = mbrl_loop_open(&L, NULL, 0, NULL, 0, run_dir, run_dir_sz, err, err_sz))) goto out;

  /* MPC collects (uniformly random before the model has statistics) and is evaluated */
  for (int itr = 0; itr < c->n_iter; itr++)
    if ((rc = mbrl_loop_collect(&L, itr, mbrl_planner_policy, &planner, err, err_sz)) ||
        (rc = mbrl_loop_train_model(&L, itr, err, err_sz)) ||
        (rc = mbrl_loop_log(&L, itr, mbrl_planner_policy, &planner, err, err_sz)))
      break;

out:
  mbrl_planner_free(&planner);
  mbrl_loop_free(&L);
  return rc;
}

/* The model-based RL loop of CS285 HW4: MPC through the learned ensemble collects the data and
 * is evaluated; loop.c collects, fits the ensemble and writes the run directory. */
#include <stdio.h>
#include <string.h>

#include "agent/loop.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"
#include "mbrl/planner.h"

static const char *const precision_names[] = {"fp32", "bf16", NULL};
_Static_assert(sizeof(mbrl_precision) == sizeof(int), "precisions are stored as int");

static const mbrl_field mb_fields[] = {
    MBRL_CFG_STRING(mbrl_mb_config, env_name, "env_name", NULL, "", "environment (mbrl envs lists them)"),
    MBRL_CFG_INT(mbrl_mb_config, ep_len, "ep_len", NULL, 0, 1e9, 0,
                 "episode length (0: the environment's); the CS285 environments keep their own"),
    MBRL_CFG_STRING(mbrl_mb_config, exp_name, "exp_name", NULL, "todo", "experiment name, part of the run directory"),
    MBRL_CFG_INT(mbrl_mb_config, n_iter, "n_iter", "-n", 1, 1e6, 20, "iterations"),
    MBRL_CFG_SECTION(mbrl_mb_config, model, &mbrl_dynamics_table),
    MBRL_CFG_SECTION(mbrl_mb_config, planner, &mbrl_planner_table),
    MBRL_CFG_BOOL(mbrl_mb_config, add_sl_noise, "add_sl_noise", "-noise", 0, "noise the observations the model trains on"),
    MBRL_CFG_INT(mbrl_mb_config, num_agent_train_steps_per_iter, "num_agent_train_steps_per_iter", NULL, 0, 1e8,
                 1000, "model training steps per iteration"),
    MBRL_CFG_INT(mbrl_mb_config, batch_size_initial, "batch_size_initial", NULL, 1, 1e8, 20000,
                 "steps collected at iteration 0 (random for MPC)"),
    MBRL_CFG_INT(mbrl_mb_config, batch_size, "batch_size", "-b", 1, 1e8, 8000, "steps collected per later iteration"),
    MBRL_CFG_INT(mbrl_mb_config, eval_batch_size, "eval_batch_size", "-eb", 1, 1e8, 400, "evaluation steps per iteration"),
    MBRL_CFG_CHOICE(mbrl_mb_config, precision, "precision", NULL, precision_names, MBRL_PRECISION_FP32,
                    "of the model's predictions in planning and rollouts: fp32, or bf16 (bfloat16 weights and\n"
                    "activations, fp32 accumulation; training stays fp32)"),
    MBRL_CFG_INT(mbrl_mb_config, seed, "seed", NULL, 0, 2147483647, 1, "random seed"),
    MBRL_CFG_INT(mbrl_mb_config, scalar_log_freq, "scalar_log_freq", NULL, -1, 1e9, 1,
                 "evaluate and log every k iterations (-1: never)"),
    MBRL_CFG_INT(mbrl_mb_config, video_log_freq, "video_log_freq", NULL, -1, 1e9, -1,
                 "film the first evaluation episode every k iterations, itr_<k>_eval.mp4 (-1: never)"),
    MBRL_CFG_BOOL(mbrl_mb_config, save_params, "save_params", NULL, 0, "keep the checkpoints of every iteration"),
    MBRL_CFG_STRING(mbrl_mb_config, logdir, "logdir", NULL, "data", "where run directories go"),
};
const mbrl_config_table mbrl_mb_table = {"mb", mb_fields, (int)(sizeof mb_fields / sizeof *mb_fields)};

mbrl_mb_config mbrl_mb_defaults(void) {
  mbrl_mb_config c;
  memset(&c, 0, sizeof c);
  mbrl_config_defaults(&mbrl_mb_table, &c);
  return c;
}

/* the planner's stream, the one thing mbrl mb keeps besides the loop */
static void save_planner(mbrl_checkpoint *ck, void *planner) {
  int64_t four = 4;
  mbrl_checkpoint_add(ck, "planner.rng", MBRL_DTYPE_U64, mbrl_planner_rng(planner)->s, 1, &four);
}

static int load_planner(const mbrl_safetensors *st, void *planner, char *err, size_t err_sz) {
  return mbrl_checkpoint_get(st, "planner.rng", MBRL_DTYPE_U64, mbrl_planner_rng(planner)->s, 4, err, err_sz);
}

/* the loop from the start, or with resume_dir from the state a run saved there */
static int run(const mbrl_mb_config *c, const char *resume_dir, mbrl_mb_progress_fn progress, void *ctx,
               char *run_dir, size_t run_dir_sz, char *err, size_t err_sz) {
  int rc = mbrl_loop_check(c, 0, err, err_sz);
  if (rc) return rc;
  mbrl_mb_progress pr;
  mbrl_loop L;
  mbrl_planner *planner = NULL;
  int done = -1; /* the last iteration finished */
  const int rows = c->planner.N * c->planner.prop.particles;
  if ((rc = mbrl_loop_init(&L, c, rows, &pr, progress, ctx, err, err_sz))) goto out;
  mbrl_model model = mbrl_dynamics_model(&L.dwork);
  mbrl_task task = mbrl_env_task(L.env);
  if ((rc = mbrl_planner_make(&planner, &c->planner, &task, &model, &L.r_agent, err, err_sz))) goto out;
  rc = resume_dir ? mbrl_loop_resume(&L, resume_dir, load_planner, planner, run_dir, run_dir_sz, &done, err, err_sz)
                  : mbrl_loop_open(&L, &mbrl_mb_table, c, NULL, 0, run_dir, run_dir_sz, err, err_sz);
  if (rc) goto out;

  /* MPC collects (uniformly random before the model has statistics) and is evaluated */
  for (int itr = done + 1; itr < c->n_iter; itr++) {
    if ((rc = mbrl_loop_collect(&L, itr, mbrl_planner_policy, mbrl_planner_policy_reset, planner, err, err_sz)) ||
        (rc = mbrl_loop_train_model(&L, itr, err, err_sz)) ||
        (rc = mbrl_loop_log(&L, itr, mbrl_planner_policy, mbrl_planner_policy_reset, planner, err, err_sz)) ||
        (rc = mbrl_loop_save(&L, itr, save_planner, planner, err, err_sz)))
      break;
  }

out:
  mbrl_planner_free(planner);
  mbrl_loop_free(&L);
  return rc;
}

int mbrl_mb_run(const mbrl_mb_config *c, mbrl_mb_progress_fn progress, void *ctx, char *run_dir,
                size_t run_dir_sz, char *err, size_t err_sz) {
  return run(c, NULL, progress, ctx, run_dir, run_dir_sz, err, err_sz);
}

int mbrl_mb_resume(const char *run_dir, mbrl_mb_progress_fn progress, void *ctx, char *err, size_t err_sz) {
  mbrl_mb_config c = mbrl_mb_defaults();
  char path[1200];
  snprintf(path, sizeof path, "%s/config.json", run_dir);
  int rc = mbrl_config_read_file(&mbrl_mb_table, &c, path, err, err_sz);
  return rc ? rc : run(&c, run_dir, progress, ctx, NULL, 0, err, err_sz);
}

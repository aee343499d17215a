/* The model-based RL loop of CS285 HW4 (Algorithm 1 of its text): collect data, fit the dynamics
 * ensemble, act by MPC through it, aggregate the on-policy data, repeat; with the course's logs.
 *
 * Iteration 0 collects batch_size_initial steps with the uniform random policy (the planner
 * before any statistics), later iterations batch_size steps with MPC. Each iteration adds the
 * data to the buffer, recomputes the statistics over the whole buffer, trains
 * num_agent_train_steps_per_iter steps, evaluates with eval_batch_size steps of MPC, and logs.
 *
 * A run directory <logdir>/hw4_<exp_name>_<env_name>_<dd-mm-YYYY_HH-MM-SS> receives:
 *   config.json               every setting of the run
 *   metrics.csv, events.out.tfevents.*   one row per iteration with CS285's tags; the Eval_
 *                             ones only on iterations that evaluate (scalar_log_freq)
 *   itr_0_predictions.png     open-loop prediction of member 0 vs truth over 10 random actions
 *   itr_0_losses.png/.npy     the training loss of every step of iteration 0
 *   returns.png               evaluation and training returns per iteration
 *   model.safetensors         the dynamics model at the end of the latest iteration
 *   itr_<k>_model.safetensors the model of every iteration, with save_params
 *   itr_<k>_eval.mp4          the first evaluation episode of every video_log_freq-th iteration
 *                             (one that evaluates), filmed as include/mbrl/video.h says; a video
 *                             that fails (no EGL) is reported and the run goes on without video
 */
#ifndef MBRL_MB_H
#define MBRL_MB_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/config.h"
#include "mbrl/dynamics.h"
#include "mbrl/nn.h"
#include "mbrl/planner.h"

#pragma GCC visibility push(default)

typedef struct mbrl_mb_config {
  char env_name[MBRL_CONFIG_STR];     /* required */
  int ep_len;                         /* <= 0: the environment's */
  char exp_name[MBRL_CONFIG_STR];
  int n_iter;
  mbrl_dynamics_config model;         /* ensemble_size, n_layers, size, activation, learning_rate,
                                         train_batch_size, bootstrap (obs_dim and act_dim: the
                                         environment's) */
  mbrl_planner_config planner;        /* mpc_action_sampling_strategy, mpc_horizon,
                                         mpc_num_action_sequences, propagation, particles and the
                                         planner's own (cem_*) */
  int add_sl_noise;
  int num_agent_train_steps_per_iter;
  int batch_size_initial;
  int batch_size;
  int eval_batch_size;
  int precision;                      /* an mbrl_precision of the model's predictions (planning,
                                         rollouts); bf16 falls back to fp32 on a CPU without bf16
                                         units */
  int seed;
  int scalar_log_freq;                /* log (and evaluate) every k iterations; -1: never */
  int video_log_freq;                 /* film an evaluation episode every k iterations; <= 0: never */
  int save_params;
  char logdir[MBRL_CONFIG_STR];
} mbrl_mb_config;

/* Every setting of the loop, the model's and the planner's included, under CS285's names. */
extern const mbrl_config_table mbrl_mb_table;

/* The defaults of CS285's run_hw4_mb.py (env_name empty, logdir "data"). */
mbrl_mb_config mbrl_mb_defaults(void);

/* What the loop is doing, for progress reports. */
typedef struct mbrl_mb_progress {
  int itr, n_iter;
  const char *phase;          /* "collect", "train", "eval", "done" (iteration finished) or
                                 "warning" (video failed; the run goes on) */
  int steps, steps_total;     /* environment steps of this phase so far, and asked for */
  int64_t envsteps;           /* Train_EnvstepsSoFar */
  double train_return;        /* Train_AverageReturn of this iteration (once collected) */
  double eval_return;         /* Eval_AverageReturn (once evaluated; NaN before) */
  double loss;                /* last training loss (NaN before training) */
  double elapsed;             /* seconds since the start */
  const char *warning;        /* with phase "warning": why filming failed, else NULL */
} mbrl_mb_progress;

typedef void (*mbrl_mb_progress_fn)(void *ctx, const mbrl_mb_progress *p);

/* Runs the loop; progress (may be NULL) is called at each phase and every 100 environment steps. Writes the run directory into
 * run_dir (run_dir_sz bytes; may be NULL) as soon as it exists. Returns 0 (err then holds why
 * video failed, or ""), or a negative code with a message in err (bad settings: MBRL_EINVAL; an
 * unknown environment: MBRL_ENOTFOUND; files: MBRL_EIO). */
int mbrl_mb_run(const mbrl_mb_config *cfg, mbrl_mb_progress_fn progress, void *ctx, char *run_dir,
                size_t run_dir_sz, char *err, size_t err_sz);

/* Goes on with a run of mbrl_mb_run that stopped (killed, or its machine gone) from the last
 * iteration it finished, with the settings of its config.json: every iteration ends by saving
 * resume.safetensors (the model's training state, the buffer, the random streams, the curves and
 * metrics.csv). With the same thread count, the finished run's metrics.csv (but its wall times)
 * and model.safetensors are byte for byte those of a run never stopped. Returns as mbrl_mb_run;
 * MBRL_ENOTFOUND when the run saved no state (it finished no iteration), MBRL_EINVAL when it has
 * no iteration left. */
int mbrl_mb_resume(const char *run_dir, mbrl_mb_progress_fn progress, void *ctx, char *err, size_t err_sz);

/* What mbrl_mb_replay filmed. */
typedef struct mbrl_mb_replay_result {
  char path[1024]; /* the video written */
  double ret;      /* the episode's return */
  int steps;       /* its length */
  int frames;      /* frames in the video: steps + 1 */
} mbrl_mb_replay_result;

/* Replays a run of mbrl_mb_run: its MPC policy (config.json's environment, episode length and
 * planner settings) with its model (model.safetensors, or itr_<iter>_model.safetensors when
 * iter >= 0, kept with save_params) plays one episode drawn from seed, filmed with frames of
 * width x height (<= 0: the environment's) into out (NULL: run_dir/render.mp4, or
 * run_dir/render_itr_<iter>.mp4). Returns 0, or a negative code with a message: MBRL_ENOTFOUND for
 * a missing config or model, MBRL_EIO for one that cannot be read, MBRL_EFORMAT for a bad one, MBRL_EUNSUPPORTED when the
 * environment cannot be drawn here (no EGL). */
int mbrl_mb_replay(const char *run_dir, int iter, const char *out, uint64_t seed, int width,
                   int height, mbrl_mb_replay_result *res, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif

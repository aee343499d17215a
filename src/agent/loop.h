/* What mbrl mb and mbrl mbpo share: the environment, the dynamics ensemble and the buffer of real
 * transitions it trains on, the run directory (config, metrics, figures, model checkpoints) and
 * an iteration's collect, model-training and evaluate-and-log steps, with progress reports.
 * Internal to the library. */
#ifndef MBRL_AGENT_LOOP_H
#define MBRL_AGENT_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/buffer.h"
#include "mbrl/checkpoint.h"
#include "mbrl/config.h"
#include "mbrl/dynamics.h"
#include "mbrl/env.h"
#include "mbrl/mb.h"
#include "mbrl/metrics.h"
#include "mbrl/record.h"

typedef struct mbrl_loop {
  const mbrl_mb_config *cfg;
  mbrl_env *env;
  const mbrl_env_spec *spec;
  mbrl_dynamics dyn;
  mbrl_dynamics_work dwork;         /* prediction scratch for work_rows rows per member */
  mbrl_buffer buf;                  /* every real transition (noised with add_sl_noise) */
  mbrl_paths paths;                 /* the latest batch collected, for training or evaluation */
  mbrl_metrics *metrics;
  int train_steps;                  /* model training steps of the next mbrl_loop_train_model
                                     * (num_agent_train_steps_per_iter; a caller may change it) */
  int fit_epochs;                   /* > 0: mbrl_loop_train_model fits the model for as many epochs
                                     * (mbrl_dynamics_fit) instead of train_steps steps */
  float *losses;                    /* (losses_cap + 1) this iteration's */
  int losses_cap;
  double *h_itr, *h_eval, *h_train; /* (n_iter) the evaluated iterations, for returns.png */
  int n_logged;
  mbrl_return_stats train;          /* of this iteration's collected batch */
  double initial_return;            /* Initial_DataCollection_AverageReturn */
  float loss;                       /* the last model training loss */
  /* streams split from the seed in this order: the model, the agent (planner or SAC), collection,
   * add_sl_noise, the prediction plot; a caller splits any further ones from root */
  mbrl_rng root, r_model, r_agent, r_collect, r_noise, r_plot;
  mbrl_mb_progress *pr;             /* the caller's; the loop fills the mb fields */
  mbrl_mb_progress_fn report;       /* may be NULL */
  void *report_ctx;
  double t_start;
  char dir[1024];                   /* the run directory, once opened */
  mbrl_recorder *video;             /* films evaluations every video_log_freq iterations */
  char video_error[512];            /* why filming failed; it is then off for the rest of the run */
} mbrl_loop;

/* Checks the shared settings, refusing the model-fit ones (validation, patience, elites) unless
 * fits (the caller trains by mbrl_dynamics_fit); returns 0 or MBRL_EINVAL with a message. */
int mbrl_loop_check(const mbrl_mb_config *cfg, int fits, char *err, size_t err_sz);

/* Makes the environment (cfg->ep_len applied), the streams, the model with prediction scratch for
 * work_rows rows per member, the buffer and the per-iteration arrays; cfg and pr must outlive
 * the loop, report (may be NULL) gets pr with report_ctx. Returns 0 or MBRL_EINVAL with a message
 * (an unknown environment, a bad model setting); the loop is then freeable. */
int mbrl_loop_init(mbrl_loop *L, const mbrl_mb_config *cfg, int work_rows, mbrl_mb_progress *pr,
                   mbrl_mb_progress_fn report, void *report_ctx, char *err, size_t err_sz);

/* Frees everything; a zeroed loop is a no-op. */
void mbrl_loop_free(mbrl_loop *L);

/* Creates the run directory <logdir>/hw4_<exp_name>_<env_name>_<dd-mm-YYYY_HH-MM-SS>, writes it
 * into run_dir (may be NULL) at once, then config.json (every setting of table at base, with the
 * episode length and precision in effect, threads and backend) and opens the metrics with
 * CS285's tags then extra_tags (n_extra_tags). */
int mbrl_loop_open(mbrl_loop *L, const mbrl_config_table *table, const void *base, const char *const *extra_tags,
                   int n_extra_tags, char *run_dir, size_t run_dir_sz, char *err, size_t err_sz);

/* Draws returns.png in the run directory: two series a and b (n) against x, with their labels. */
int mbrl_loop_returns_plot(const mbrl_loop *L, const char *title, const char *xlabel, const double *x,
                           const double *a, const char *a_label, const double *b, const char *b_label, int n,
                           char *err, size_t err_sz);

/* Sets the phase, its step counts and the elapsed time in pr and reports it. */
void mbrl_loop_report(mbrl_loop *L, const char *phase, int steps, int steps_total);

/* Starts iteration itr: collects batch_size_initial (itr 0) or batch_size steps with policy (reset,
 * may be NULL, before each episode) into
 * L->paths, adds them to the buffer and recomputes the model's statistics. */
int mbrl_loop_collect(mbrl_loop *L, int itr, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                      void *policy_ctx, char *err, size_t err_sz);

/* Trains the model train_steps steps (or fits it for fit_epochs epochs), writes the iteration-0 figures and
 * saves model.safetensors (and itr_<itr>_model.safetensors with save_params). */
int mbrl_loop_train_model(mbrl_loop *L, int itr, char *err, size_t err_sz);

/* Ends iteration itr: stages the training figures, evaluates with policy when scalar_log_freq
 * fires (redrawing returns.png; the first episode filmed into itr_<itr>_eval.mp4 every
 * video_log_freq iterations, a failure reported as phase "warning" and filming then off), writes
 * the metrics row (with whatever else the caller staged) and reports "done". After the last
 * iteration err holds why filming failed, or "": the run went on without video. */
int mbrl_loop_log(mbrl_loop *L, int itr, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                  void *policy_ctx, char *err, size_t err_sz);

/* A caller's own part of the saved state (its planner's stream, its agent): added to a checkpoint
 * (its data must stay valid until the write), and restored from the loaded file. */
typedef void (*mbrl_loop_save_fn)(mbrl_checkpoint *ck, void *ctx);
typedef int (*mbrl_loop_load_fn)(const mbrl_safetensors *st, void *ctx, char *err, size_t err_sz);

/* Ends iteration itr (after mbrl_loop_log) by writing resume.safetensors in the run directory,
 * atomically: the caller's part (add, may be NULL, with ctx) and the loop's (streams, counters,
 * curves, the model's training state, the buffer, metrics.csv as it stands and how far the event
 * file reaches). Returns 0 (err untouched) or MBRL_EIO with a message. */
int mbrl_loop_save(mbrl_loop *L, int itr, mbrl_loop_save_fn add, void *ctx, char *err, size_t err_sz);

/* Adds a buffer's contents and counters to ck as tensors <prefix>obs, act, reward, next_obs,
 * terminal, perm and metadata <prefix>counters (the data stays the buffer's until the write); and
 * restores them into a buffer of the same sizes and capacity. */
void mbrl_loop_add_buffer(mbrl_checkpoint *ck, const char *prefix, const mbrl_buffer *b);
int mbrl_loop_load_buffer(mbrl_buffer *b, const mbrl_safetensors *st, const char *prefix, char *err,
                          size_t err_sz);

/* Instead of mbrl_loop_open, after making everything that draws from the loop's streams: takes
 * the run directory dir (copied into run_dir, may be NULL) and its resume.safetensors, restores the
 * loop's state (metrics.csv rewritten as saved, events after the saved point cut, a new event
 * file) and the caller's (load, may be NULL, with ctx), and writes the last finished iteration
 * into *itr. Returns 0 or a negative code with a message (no state, a bad one, a run with nothing
 * left to do: MBRL_EINVAL). */
int mbrl_loop_resume(mbrl_loop *L, const char *dir, mbrl_loop_load_fn load, void *ctx, char *run_dir,
                     size_t run_dir_sz, int *itr, char *err, size_t err_sz);

#endif

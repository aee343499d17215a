/* Model-based policy optimisation as CS285 HW4 problem 6 runs it (run_hw4_mbpo.py): a SAC agent
 * trained on real transitions and on short rollouts of its own actor through the learned dynamics
 * ensemble. mbpo_rollout_length 0 is plain SAC, 1 "Dyna", 10 MBPO.
 *
 * Each iteration:
 *   1. collects batch_size_initial (iteration 0) or batch_size steps with the SAC actor, sampling
 *      (an untrained actor at iteration 0: there is no random policy, as in the reference);
 *   2. adds them to the model's buffer (add_sl_noise applies there only) and, unnoised, to the SAC
 *      buffer, a FIFO of MBRL_SAC_BUFFER_CAPACITY (100000) transitions shared with model data;
 *   3. recomputes the statistics and trains the ensemble num_agent_train_steps_per_iter steps;
 *   4. SAC phase: sac_n_iter rollouts of L = mbpo_rollout_length steps (rollout.h: start states
 *      from the model's buffer, the actor sampling, the members' mean as next state, the reward of
 *      the current state, the start's terminal) into the SAC buffer, none when L is 0, and
 *      sac_n_iter x sac_num_agent_train_steps_per_iter SAC updates (sac.h, with the schedule of
 *      the sac_num_critic/actor_updates and frequency flags) of sac_train_batch_size rows drawn
 *      from the SAC buffer without replacement;
 *   5. evaluates the actor's mean action on eval_batch_size steps when scalar_log_freq fires, and
 *      logs.
 * So each iteration adds sac_n_iter rollouts and sac_n_iter x L model transitions, as the
 * reference (fewer only when non-finite predictions cut rollouts short, counted).
 *
 * Schedule of step 4. The reference alternates one rollout and its updates, sac_n_iter times.
 * Here rollouts come in chunks of mbpo_rollout_batch (the last one smaller): one batched call
 * makes a chunk's rollouts, then that chunk's updates follow, so the counts and the alternation
 * are the reference's at the chunk's grain. Within a chunk of c rollouts, rollout k is made by the
 * actor before the chunk's updates (up to c - 1 updates older than the reference's actor), and
 * the chunk's updates sample from a buffer already holding all c rollouts (up to c - 1 that the
 * reference adds only later). mbpo_rollout_batch 1 is the reference's interleaving exactly; 0
 * makes all sac_n_iter rollouts of an iteration at once before its updates.
 *
 * Other differences from the reference: evaluation acts with the mean action (the reference's
 * actor samples there too); mpc_* and cem_* settings are accepted and unused, as there; the
 * itr_0 prediction and loss figures, which the reference draws for mbrl mb only, are written
 * here too. The options random_member and reward_next change the rollouts (rollout.h).
 *
 * The run directory is mbrl mb's (mb.h): config.json (the shared settings, then the SAC and MBPO
 * ones), metrics.csv and TensorBoard events with CS285's tags plus the last SAC update's
 * Critic_Loss, Actor_Loss, Alpha_Loss and Temperature, SAC_UpdatesSoFar and
 * Model_TransitionsSoFar; itr_0_predictions.png, itr_0_losses.png/.npy, returns.png,
 * model.safetensors; and sac.safetensors (actor, critics, targets, temperature) rewritten every
 * iteration, with itr_<k>_model.safetensors and itr_<k>_sac.safetensors under save_params.
 */
#ifndef MBRL_MBPO_H
#define MBRL_MBPO_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/mb.h"
#include "mbrl/sac.h"

#pragma GCC visibility push(default)

typedef struct mbrl_mbpo_config {
  mbrl_mb_config mb;                           /* run_hw4_mbpo.py's shared and model settings */
  int sac_num_agent_train_steps_per_iter;      /* updates after each rollout (1) */
  int sac_num_critic_updates_per_agent_update; /* (1) */
  int sac_num_actor_updates_per_agent_update;  /* (1) */
  int sac_actor_update_frequency;              /* (1) */
  int sac_critic_target_update_frequency;      /* (1) */
  int sac_train_batch_size;                    /* rows per update (256) */
  int sac_batch_size;                          /* (1000) parsed and unused, as in the reference */
  double sac_discount;                         /* (0.99) */
  double sac_init_temperature;                 /* (1.0) */
  double sac_learning_rate;                    /* (3e-4) */
  int sac_n_layers;                            /* (2) */
  int sac_size;                                /* (64) */
  int sac_n_iter;                              /* rollouts, each with its updates, per iteration (200) */
  int mbpo_rollout_length;                     /* L (1); 0: no rollouts, plain SAC */
  int mbpo_rollout_batch;                      /* rollouts made at once (10); 0: all sac_n_iter */
  int mbpo_random_member;                      /* rollouts step with a random member (0) */
  int mbpo_reward_next;                        /* rollouts score the next state (0) */
} mbrl_mbpo_config;

/* Every setting: mbrl mb's (mbrl_mb_table) then the SAC and MBPO ones, under CS285's names. */
extern const mbrl_config_table mbrl_mbpo_table;

/* The defaults of CS285's run_hw4_mbpo.py (env_name NULL, logdir "data"), rollouts made 10 at
 * once, the reference's mean next state and current-state reward. */
mbrl_mbpo_config mbrl_mbpo_defaults(void);

/* What the loop is doing, for progress reports. */
typedef struct mbrl_mbpo_progress {
  mbrl_mb_progress mb;       /* phases "collect", "train", "sac" (steps: rollouts with their
                              * updates done, of sac_n_iter), "eval", "done" */
  int64_t sac_updates;       /* SAC updates so far */
  int64_t model_rollouts;    /* model rollouts added to the SAC buffer so far */
  int64_t model_transitions; /* model transitions added so far */
  int64_t model_cut;         /* rollout steps lost to non-finite predictions so far */
  mbrl_sac_losses sac;       /* of the last update (NaN before the first) */
} mbrl_mbpo_progress;

typedef void (*mbrl_mbpo_progress_fn)(void *ctx, const mbrl_mbpo_progress *p);

/* Runs the loop; progress (may be NULL) is called at each phase, every 100 environment steps and
 * after each chunk of rollouts with its updates. Writes the run directory into run_dir (run_dir_sz
 * bytes; may be NULL) as soon as it exists. Returns 0, or a negative code with a message in err
 * (bad settings: MBRL_EINVAL; an unknown environment: MBRL_ENOTFOUND; files: MBRL_EIO). */
int mbrl_mbpo_run(const mbrl_mbpo_config *cfg, mbrl_mbpo_progress_fn progress, void *ctx, char *run_dir,
                  size_t run_dir_sz, char *err, size_t err_sz);

/* Goes on with a stopped run of mbrl_mbpo_run from the last iteration it finished, as
 * mbrl_mb_resume (mb.h) does for mbrl mb: the agent, its buffer and the rollouts' stream are saved
 * with the loop's state after every iteration. */
int mbrl_mbpo_resume(const char *run_dir, mbrl_mbpo_progress_fn progress, void *ctx, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif

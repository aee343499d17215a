/* PETS (Chua et al. 2018): a probabilistic ensemble (dynamics.h, probabilistic) planned through by
 * trajectory sampling (propagate.h: TS-infinity with 20 particles) and CEM, retrained on all the
 * data after every trial.
 *
 * The loop: trial 0 is one episode of uniformly random actions; each later trial is one episode
 * of MPC (replanning every step), after which the model is refitted (mbrl_dynamics_fit) for
 * `epochs` passes over the data (epochs x ceil(transitions / train_batch_size) steps, each member
 * drawing its rows with replacement) on the statistics of all the data; validation_ratio,
 * patience and num_elites give mbrl-lib's held-out split, early stopping and elites (off in the
 * PETS configurations, as in the original). There is no separate evaluation: a trial's return is
 * what PETS and mbrl-lib report, with the best return so far.
 *
 * The settings are mbrl mb's (mb.h) plus epochs; mbrl_pets_defaults gives those of the PETS
 * configuration for the environment (mbrl-lib's PETS example for cartpole-continuous-v0, the
 * original PETS code's for the swing-up, reacher and half cheetah; PETS's general ones
 * elsewhere). PETS's CEM keeps alpha of the old mean, CS285's cem_alpha is the weight of the new
 * one: PETS's alpha 0.1 is cem_alpha 0.9 here.
 *
 * The run directory is mbrl mb's: config.json, metrics.csv and TensorBoard events with CS285's
 * training tags (Train_AverageReturn is the trial's return) and Best_Return_So_Far (over the MPC
 * trials), itr_0_predictions.png, itr_0_losses.png/.npy, returns.png (each trial's return and the
 * best so far against environment steps) and model.safetensors.
 */
#ifndef MBRL_PETS_H
#define MBRL_PETS_H

#include <stddef.h>

#include "mbrl/config.h"
#include "mbrl/mb.h"

#pragma GCC visibility push(default)

typedef struct mbrl_pets_config {
  mbrl_mb_config mb; /* n_iter: trials (the random one included); batch_size_initial and batch_size:
                        steps of a trial (0: one episode) */
  int epochs;        /* passes over the data per refit (PETS: 5) */
} mbrl_pets_config;

/* Every setting: mbrl mb's then epochs. */
extern const mbrl_config_table mbrl_pets_table;

/* The PETS settings for env_name (may be NULL or unknown: PETS's general ones): probabilistic
 * ensemble of 5 SiLU networks, TS-infinity with 20 particles, CEM of 5 iterations, one episode per
 * trial, no evaluation episodes; the sizes, horizon, population, learning rate, weight decay, batch
 * and epochs of the environment's configuration. */
mbrl_pets_config mbrl_pets_defaults(const char *env_name);

/* Runs the loop; progress (may be NULL) as mbrl_mb_run's, with phase "collect" for a trial.
 * Returns as mbrl_mb_run. */
int mbrl_pets_run(const mbrl_pets_config *cfg, mbrl_mb_progress_fn progress, void *ctx, char *run_dir,
                  size_t run_dir_sz, char *err, size_t err_sz);

/* Goes on with a stopped run of mbrl_pets_run from the last trial it finished, as
 * mbrl_mb_resume (mb.h) does for mbrl mb. */
int mbrl_pets_resume(const char *run_dir, mbrl_mb_progress_fn progress, void *ctx, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif

/* Learned dynamics: an ensemble of E MLPs predicting the normalised state change, CS285 HW4's
 * FFModel, and the model interface planners roll candidate actions through.
 *
 * Each member maps x = ((s - obs_mean) / (obs_std + 1e-8), (a - act_mean) / (act_std + 1e-8))
 * to a normalised change d (with angle_dims, s there is the state's features: each listed entry
 * replaced by its sine and the cosines appended, PETS's input for a pole angle, so obs_mean and
 * obs_std have obs_dim + angles entries); the predicted next state is
 * s + d * delta_std + delta_mean (no eps there). Training targets are ((s' - s) - delta_mean) / (delta_std + 1e-8) under an MSE loss.
 * The statistics (mean and population std of obs, actions and deltas s' - s) are recomputed over
 * the whole replay buffer, typically once per iteration before training.
 *
 * A probabilistic model (PETS's probabilistic ensemble) gives each member a Gaussian over the
 * normalised change: the network's 2 obs_dim outputs are the mean and a raw log-variance, bounded
 * softly (mbrl_bounded_logvar) into [logvar_min, logvar_max], two vectors (obs_dim each) shared
 * by the members and learned with them, from -10 and 0.5. Training minimises the Gaussian
 * negative log-likelihood (mbrl_gaussian_nll_loss) plus 0.01 (sum logvar_max - sum logvar_min),
 * the bounds by an Adam of their own. Its predictions sample next states from the Gaussian when a
 * random stream is given (the mean without one) and report the variance, scaled back to states:
 * var = exp(lv) delta_std^2.
 */
#ifndef MBRL_DYNAMICS_H
#define MBRL_DYNAMICS_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/buffer.h"
#include "mbrl/config.h"
#include "mbrl/model.h"
#include "mbrl/nn.h"
#include "mbrl/rng.h"

#pragma GCC visibility push(default)

/* ---- the learned model ---- */

typedef struct mbrl_dynamics_config {
  int E;                /* ensemble members (CS285: 3) */
  int obs_dim, act_dim;
  int n_layers;         /* hidden layers (2) */
  int size;             /* hidden width (250) */
  mbrl_act act;         /* hidden activation (tanh); the output is identity */
  float lr;             /* Adam learning rate (1e-3) */
  int train_batch_size; /* rows per member per training step (512) */
  int bootstrap;        /* 0: E x train_batch_size distinct rows, a chunk per member (CS285);
                         * 1: each member draws its own rows with replacement */
  int probabilistic;    /* 1: Gaussian outputs trained by negative log-likelihood (PETS) (0) */
  float weight_decay;   /* added to the gradient as PyTorch's Adam does (0) */
  char layer_weight_decay[MBRL_CONFIG_STR]; /* n_layers + 1 comma-separated decays of each layer's
                                             * weights, biases undecayed, as PETS's networks; when
                                             * set it replaces weight_decay ("": unset) */
  float validation_ratio; /* mbrl_dynamics_fit: share of the data held out (0) */
  int patience;         /* mbrl_dynamics_fit: epochs without improvement before it stops (0: never) */
  int num_elites;       /* members predictions use, the best on validation (0: all) */
  char angle_dims[MBRL_CONFIG_STR]; /* observation indices the networks see as sine and cosine,
                                     * comma-separated and ascending ("": none) */
} mbrl_dynamics_config;

typedef struct mbrl_dynamics {
  mbrl_dynamics_config cfg;
  mbrl_ensemble net;        /* in = obs_dim + n_angles + act_dim, out = obs_dim (2 obs_dim probabilistic) */
  int n_angles, *angles;    /* the observation indices of angle_dims */
  float *decay;             /* (net.n_params) with layer_weight_decay, the optimiser's decays */
  mbrl_adam opt;
  float *logvar;            /* probabilistic: (2 obs_dim) slab, logvar_min then logvar_max */
  float *logvar_min, *logvar_max; /* (obs_dim) each, into logvar */
  float *logvar_grad;       /* (2 obs_dim) */
  mbrl_adam logvar_opt;
  mbrl_ensemble_work work;  /* training activations, E x train_batch_size rows */
  int has_stats;            /* the statistics below have been computed or loaded */
  float *stats;             /* slab holding the six statistics */
  float *obs_mean, *obs_std;     /* (obs_dim + n_angles) each: of the state's features */
  float *act_mean, *act_std;     /* (act_dim) each */
  float *delta_mean, *delta_std; /* (obs_dim) each */
  int64_t steps;            /* training steps taken */
  int64_t version;          /* bumped by every training step; bump it also
                             * after writing net.params directly, so bf16 predictions follow */
  int64_t skipped;          /* training steps skipped for a non-finite loss or gradient */
  int *elite;               /* (E) members by validation score, best first; predictions use the
                             * first mbrl_dynamics_n_elites (0, 1, ..., E - 1 until a fit with validation) */
  float *val_score;         /* (E) each member's validation MSE of normalised changes (NaN: none) */
  mbrl_rng rng;             /* draws the training rows */
  int *idx;                 /* (E x train_batch_size) sampled rows */
  float *s, *a, *s2;        /* gathered rows (E x train_batch_size x obs_dim / act_dim) */
  float *x, *target, *dy;   /* network input, target and output gradient of a training step */
  double *acc;              /* (4 obs_dim + 2 act_dim) statistics accumulators */
} mbrl_dynamics;

/* The settings a user chooses (CS285's names: ensemble_size, n_layers, size, activation,
 * learning_rate, train_batch_size, bootstrap); obs_dim and act_dim come from the environment. */
extern const mbrl_config_table mbrl_dynamics_table;

/* Members predictions use: num_elites, or E when it is 0. */
int mbrl_dynamics_n_elites(const mbrl_dynamics *dyn);

/* The CS285 HW4 defaults for an environment's sizes: E 3, 2 x 250 tanh, lr 1e-3, batch 512. */
mbrl_dynamics_config mbrl_dynamics_defaults(int obs_dim, int act_dim);

/* Builds a model with PyTorch-initialised weights drawn from rng and its own sampling stream
 * split from rng; returns 0 or MBRL_EINVAL (message in err, may be NULL) for a bad config. */
int mbrl_dynamics_init(mbrl_dynamics *dyn, const mbrl_dynamics_config *cfg, mbrl_rng *rng, char *err,
                       size_t err_sz);

/* Frees a model; NULL is a no-op. */
void mbrl_dynamics_free(mbrl_dynamics *dyn);

/* Recomputes the mean and population std (ddof 0) of obs, actions and deltas over every
 * transition in buf (accumulated in double); returns 0, or MBRL_EINVAL when buf is empty and
 * MBRL_ENUMERIC when the data hold NaN or Inf (statistics then unchanged). */
int mbrl_dynamics_update_stats(mbrl_dynamics *dyn, const mbrl_buffer *buf, char *err, size_t err_sz);

/* One Adam step on the sum of the member MSE losses (so each member gets its own gradient) over
 * rows drawn from buf: without bootstrap, min(train_batch_size, size / E) rows per member, all
 * distinct, member e taking the e-th consecutive chunk; with bootstrap, train_batch_size rows per
 * member with replacement. Writes the mean member loss to *loss (may be NULL) and returns 0;
 * MBRL_EINVAL without statistics or with fewer than E transitions; MBRL_ENUMERIC when the loss
 * or a gradient is not finite (the step is skipped and counted in dyn->skipped). */
int mbrl_dynamics_train_step(mbrl_dynamics *dyn, mbrl_buffer *buf, float *loss, char *err, size_t err_sz);

/* What mbrl_dynamics_fit did. */
typedef struct mbrl_dynamics_fit_info {
  int epochs;      /* epochs run: fewer than asked when patience stopped the fit */
  int steps;       /* training steps taken */
  float loss;      /* of the last step */
  float val_score; /* the elites' mean validation MSE of normalised changes (NaN without validation) */
} mbrl_dynamics_fit_info;

/* Trains for epochs passes over the training part of buf (ceil(n_train / train_batch_size) steps
 * each), as mbrl-lib's trainer: validation_ratio of the transitions (a fresh random split each
 * call) are held out; each member draws train_batch_size rows among the others per step, with
 * replacement under bootstrap, else distinct ones. With a held-out part, each member's validation
 * MSE of normalised changes is measured before the first epoch and after each, each member ends
 * with the parameters of its best epoch, the fit stops once no member improved by 1% for patience
 * epochs (0: never), and the elites become the num_elites best members. Writes each step's loss
 * to losses (may be NULL; room for epochs x ceil(n_train / train_batch_size)) and what it did to
 * *info (may be NULL); returns 0, or MBRL_EINVAL without statistics or with too few transitions
 * (steps skipped for non-finite values are counted in dyn->skipped, not errors). Without a
 * validation part and with bootstrap, its steps are those of as many mbrl_dynamics_train_step. */
int mbrl_dynamics_fit(mbrl_dynamics *dyn, mbrl_buffer *buf, int epochs, float *losses, mbrl_dynamics_fit_info *info,
                      char *err, size_t err_sz);

/* Prediction scratch for up to max_B rows per member; one per thread. */
typedef struct mbrl_dynamics_work {
  const mbrl_dynamics *dyn;
  int max_B;
  mbrl_ensemble_infer net;  /* the network's inference copy, holding the normalised inputs */
  int64_t version;          /* dyn->version the copy was taken at */
  float *x;                 /* (E x max_B x in) normalised inputs before bf16 */
  float *y;                 /* (E x max_B x out) the network's outputs */
  float *noise;             /* probabilistic: (E x max_B x obs_dim) standard normal draws */
  /* the vector-Jacobian product's own copy of the network and scratch, made by its first call */
  mbrl_ensemble grad_net;
  mbrl_ensemble_work grad_work;
  int64_t grad_version;     /* dyn->version grad_net was copied at */
  float *gx, *gdy, *gdx;    /* (E x max_B x in), (E x max_B x obs_dim), (E x max_B x in) */
} mbrl_dynamics_work;

/* Allocates prediction scratch for dyn and up to max_B rows per member, predicting in fp32. */
void mbrl_dynamics_work_init(mbrl_dynamics_work *w, const mbrl_dynamics *dyn, int max_B);

/* Frees prediction scratch; NULL is a no-op. */
void mbrl_dynamics_work_free(mbrl_dynamics_work *w);

/* Makes w predict in precision p: the network runs on an inference copy of its weights
 * (mbrl_ensemble_infer) in p, taken again whenever dyn->version has changed since the last
 * predict; normalisation and the state update stay fp32. bf16 needs a CPU that computes it
 * natively (mbrl_bf16_native); without, w stays fp32. Returns the precision in effect. */
mbrl_precision mbrl_dynamics_work_set_precision(mbrl_dynamics_work *w, mbrl_precision p);

/* Writes next_states (K x B x obs_dim) predicted from states (K x B x obs_dim) and acts
 * (K x B x act_dim), K = mbrl_dynamics_n_elites(dyn), input member k stepping its own B
 * rows through the network's member elite[k], with one ensemble forward (B <= w->max_B); returns
 * 0, or MBRL_EINVAL when the model has no statistics yet. */
int mbrl_dynamics_predict(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *states,
                           const float *acts, float *next_states, int B);

/* mbrl_dynamics_predict for a probabilistic model too: with rng (may be NULL) next_states are
 * drawn from each row's Gaussian, else they are its mean; var (K x B x obs_dim, may be NULL) gets
 * the predicted variance of the next state. A deterministic model ignores var and rng. */
int mbrl_dynamics_sample(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *states, const float *acts,
                         float *next_states, float *var, int B, mbrl_rng *rng);

/* The vector-Jacobian product of the mean prediction at (states, acts), both (K x B x ...):
 * d_states (K x B x obs_dim, may be NULL) and d_acts (K x B x act_dim) = d_next (K x B x obs_dim)
 * times the Jacobian of next_states, row by row, in fp32 on a copy of the weights taken again
 * after training (the first call allocates it). Returns 0, or MBRL_EINVAL without statistics. */
int mbrl_dynamics_vjp(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *states, const float *acts,
                      const float *d_next, float *d_states, float *d_acts, int B);

/* A planner model that predicts with w->dyn through w (and has its vjp), its members the elites
 * (E = mbrl_dynamics_n_elites); valid while both live. */
mbrl_model mbrl_dynamics_model(mbrl_dynamics_work *w);

/* Saves the weights, the statistics and the configuration to one safetensors file: tensors
 * net.layer<l>.weight/bias and stats.{obs,act,delta}_{mean,std} (and logvar.min, logvar.max for
 * a probabilistic model, whose net.arch has 2 obs_dim outputs), metadata format
 * "mbrl.dynamics.v1", net.arch, dynamics (JSON of the config and has_stats) and, with angles,
 * dynamics.angle_dims (as the setting), and the tensor
 * elites (the elites' member numbers) when they are fewer than the members. The weight decays,
 * validation ratio and patience are not kept: a loaded model fits without them until set. */
int mbrl_dynamics_save(const mbrl_dynamics *dyn, const char *path, char *err, size_t err_sz);

/* Builds dyn (uninitialised or freed) from a file of mbrl_dynamics_save, with a fresh optimiser
 * and a sampling stream split from rng; returns 0 or a negative code with a message. */
int mbrl_dynamics_load(mbrl_dynamics *dyn, const char *path, mbrl_rng *rng, char *err, size_t err_sz);

struct mbrl_checkpoint;
struct mbrl_safetensors;

/* Adds everything training continues from to a checkpoint, as tensors named <prefix>...: the
 * parameters, the optimisers' moments and step counts, the log-variance bounds, the statistics,
 * elites and validation scores, the counters and the sampling stream (dyn is not changed; the
 * tensors point into it until the checkpoint is written). */
void mbrl_dynamics_state_add(struct mbrl_checkpoint *ck, const char *prefix, mbrl_dynamics *dyn);

/* Restores what mbrl_dynamics_state_add saved into dyn, built with the same configuration; its
 * later training and predictions then match the saved model's exactly. Returns 0, or
 * MBRL_ENOTFOUND / MBRL_EFORMAT with a message for a missing tensor or one of another size. */
int mbrl_dynamics_state_load(mbrl_dynamics *dyn, const struct mbrl_safetensors *st, const char *prefix, char *err,
                             size_t err_sz);

#pragma GCC visibility pop

#endif

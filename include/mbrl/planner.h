/* Model-predictive control planners, as classes registered by name (random shooting "random" and
 * the cross-entropy method "cem" as CS285 HW4's MPC policy, "mppi" with PDDM's filtering, "icem",
 * gradient planning "grad" and "cemgd" built in, src/plan/ describing each), over any mbrl_model
 * and any task (an environment's, or the caller's own).
 *
 * Scoring: a planner proposes N candidate action sequences (H x act_dim) and scores them through
 * the propagation module (propagate.h): with its default mode, members, each candidate is rolled
 * through every one of the E members from the current observation and its score is the sum over
 * t = 0..H-1 of the task's reward, averaged over the members (not at the state level):
 *   score = 1/E sum_e sum_t reward(s_t, a_t, s_{t+1}),  s_{t+1} = model_e(s_t, a_t),
 * with a_t clipped to the action bounds. The reward is evaluated with the predicted state AFTER
 * the step, s_{t+1}, because that is how every environment here computes its step reward (env.h).
 * No discount; done flags are ignored unless use_done.
 *
 * Random shooting draws N sequences uniformly in [act_low, act_high] and executes the first
 * action of the best one (the first of equal best scores). CEM runs cem_iterations iterations of
 * N sequences: iteration 0 uniform, later ones Normal(mu, sigma) elementwise over (H, act_dim).
 * After scoring, with the cem_num_elites best as elites: at iteration 0 mu and sigma are the
 * elites' mean and population std; later mu <- alpha mean + (1 - alpha) mu and sigma likewise
 * with the std. The first action of the final mu is executed, clipped to the bounds.
 *
 * Actions beyond the bounds: CEM's Gaussian samples are not clipped, so mu may leave the bounds
 * and drive an action to saturation, as in CS285's usual solutions; but the model and the reward
 * see every action clipped to the bounds, as the environment applies it. Clipping the samples
 * themselves keeps mu inside the bounds and the averaged elites away from them: on cheetah with
 * the true dynamics as the model, CEM-2 made 626 in one episode that way and 755 this way.
 *
 * Warm starts: a class may keep its solution between steps, shifted by one after each executed
 * action (random and CEM with warm_start, MPPI and iCEM always); mbrl_planner_reset forgets it at
 * an episode's start, and mbrl_collect calls it through mbrl_planner_policy_reset.
 *
 * While the model is not ready (a learned model before any data statistics) the planner acts
 * uniformly at random in the bounds. A NaN score ranks below every number and is counted. All
 * memory is taken at make; acting allocates nothing. Randomness comes from the planner's own
 * stream.
 */
#ifndef MBRL_PLANNER_H
#define MBRL_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/config.h"
#include "mbrl/model.h"
#include "mbrl/propagate.h"
#include "mbrl/rng.h"
#include "mbrl/task.h"

#pragma GCC visibility push(default)

/* bytes of a planner's own settings inside mbrl_planner_config */
#define MBRL_PLANNER_OPTS 256

/* What every planner shares, then the chosen planner's own settings, laid out by its table. */
typedef struct mbrl_planner_config {
  char name[MBRL_CONFIG_STR];  /* the planner: "random", "cem", ... (flag and key
                                  mpc_action_sampling_strategy, as CS285) */
  int H;                       /* horizon (mpc_horizon, 10) */
  int N;                       /* candidate sequences per iteration (mpc_num_action_sequences, 1000) */
  mbrl_propagate_config prop;  /* propagation mode and particles */
  _Alignas(8) unsigned char opts[MBRL_PLANNER_OPTS]; /* the class's settings (its options table) */
} mbrl_planner_config;

/* The planner's fields, with its class's options as a dynamic section. */
extern const mbrl_config_table mbrl_planner_table;

/* The CS285 HW4 defaults with planner name (H 10, N 1000, members propagation, 1 particle) and
 * the class's own defaults; returns 0, or MBRL_ENOTFOUND (message in err, may be NULL) for a name
 * that is not registered. */
int mbrl_planner_defaults(mbrl_planner_config *cfg, const char *name, char *err, size_t err_sz);

/* Sets a setting of cfg, shared or the class's, by name from text ("cem_alpha", "0.1"); returns
 * 0, MBRL_ENOTFOUND for an unknown name, or MBRL_EINVAL for a bad value. */
int mbrl_planner_set(mbrl_planner_config *cfg, const char *name, const char *text, char *err, size_t err_sz);

typedef struct mbrl_planner mbrl_planner;

/* Makes the planner cfg names into *p, scoring with task through model (both must outlive it;
 * model's max_B >= N x particles) with a stream split from rng. Returns 0, or a negative code with
 * a message in err (may be NULL) and *p NULL: MBRL_ENOTFOUND for an unknown planner, MBRL_EINVAL
 * for a bad configuration or a model that does not fit the task. */
int mbrl_planner_make(mbrl_planner **p, const mbrl_planner_config *cfg, const mbrl_task *task,
                      const mbrl_model *model, mbrl_rng *rng, char *err, size_t err_sz);

/* Frees a planner; NULL is a no-op. */
void mbrl_planner_free(mbrl_planner *p);

/* Writes the action (act_dim) to take at observation obs (obs_dim); returns 0 or the model's
 * error code. */
int mbrl_planner_act(mbrl_planner *p, const float *obs, float *act);

/* Forgets what the planner keeps between steps (a warm start's previous solution): the next act
 * plans as at the start of an episode. */
void mbrl_planner_reset(mbrl_planner *p);

/* mbrl_planner_act and mbrl_planner_reset as an mbrl_policy_fn and mbrl_policy_reset_fn for
 * mbrl_collect, with the planner as ctx. */
int mbrl_planner_policy(void *planner, const float *obs, float *act);
void mbrl_planner_policy_reset(void *planner);

/* The sequence (H x act_dim, clipped to the bounds) behind the last action: the best candidate or
 * CEM's final mean; valid until the next act. */
const float *mbrl_planner_plan(const mbrl_planner *p);

/* Candidate scores that were NaN so far. */
int64_t mbrl_planner_nonfinite(const mbrl_planner *p);

/* Candidate sequences scored so far (a planner's cost: samples evaluated; for gradient steps, the
 * sequences rolled forward, each step's backward pass costing about two forward ones more). */
int64_t mbrl_planner_evaluated(const mbrl_planner *p);

/* The planner's configuration. */
const mbrl_planner_config *mbrl_planner_get_config(const mbrl_planner *p);

/* ---- writing a planner -----------------------------------------------------------------------
 * A planner class is a table of functions over a per-instance block of self_size zeroed bytes.
 * The front end checks the shared settings, builds the propagation, acts at random before the
 * model is ready and clips the executed action; a class proposes and refines candidates and
 * scores them with mbrl_planner_score. src/plan/random_shooting.c is a complete one. */
typedef struct mbrl_planner_class {
  const char *name;                /* registry name */
  const char *about;               /* one line for help texts (may be NULL) */
  const mbrl_config_table *options; /* its own settings, stored in cfg->opts (may be NULL) */
  size_t self_size;                /* bytes of per-instance memory */
  /* Checks the options (read with mbrl_planner_options) and allocates for N sequences of H
   * steps; returns 0 or MBRL_EINVAL with a message. */
  int (*init)(mbrl_planner *p, void *self, char *err, size_t err_sz);
  /* Plans from obs: writes the chosen sequence (H x act_dim, not yet clipped) into plan; returns 0
   * or the code of a failed scoring. */
  int (*plan)(mbrl_planner *p, void *self, const float *obs, float *plan);
  /* Optional (NULL: nothing): after an executed action, moves what the class keeps between steps
   * one step on (a warm start). */
  void (*shift)(mbrl_planner *p, void *self);
  /* Optional (NULL: nothing): forgets what the class keeps between steps, as a new episode starts.
   * A class that keeps anything must have it; the block starts zeroed after init. */
  void (*reset)(mbrl_planner *p, void *self);
  /* Frees what init allocated; may be NULL. */
  void (*release)(void *self);
} mbrl_planner_class;

/* Adds a class to the registry; cls must stay valid until the program ends. Returns 0, or
 * MBRL_EINVAL for a taken name, missing functions or options that do not fit MBRL_PLANNER_OPTS.
 * Thread-safe. */
int mbrl_planner_register(const mbrl_planner_class *cls, char *err, size_t err_sz);

/* Number of registered classes (built-in ones first) and the i-th one. */
int mbrl_planner_registry_count(void);
const mbrl_planner_class *mbrl_planner_registry_get(int i);

/* The registered class named name, or NULL. */
const mbrl_planner_class *mbrl_planner_find(const char *name);

/* For classes: the sizes (horizon H, sequences N, act_dim), bounds (act_dim each), the planner's
 * stream and a copy of its options (size bytes). */
int mbrl_planner_H(const mbrl_planner *p);
int mbrl_planner_N(const mbrl_planner *p);
int mbrl_planner_act_dim(const mbrl_planner *p);
const float *mbrl_planner_low(const mbrl_planner *p);
const float *mbrl_planner_high(const mbrl_planner *p);
mbrl_rng *mbrl_planner_rng(mbrl_planner *p);
void mbrl_planner_options(const mbrl_planner *p, void *opts, size_t size);

/* For classes that roll sequences without mbrl_planner_score: counts n more as scored. */
void mbrl_planner_count_evaluated(mbrl_planner *p, int64_t n);

/* For classes: the model and the task the planner scores with. */
const mbrl_model *mbrl_planner_model(const mbrl_planner *p);
const mbrl_task *mbrl_planner_task(const mbrl_planner *p);

/* For classes: scores the n (<= N) sequences cand (n x H x act_dim) from obs into score (n) by
 * propagation, counting NaN scores; returns 0 or the model's error code. */
int mbrl_planner_score(mbrl_planner *p, const float *obs, const float *cand, int n, float *score);

/* For classes: fills x (rows x act_dim) uniformly within the bounds from the planner's stream,
 * or clips it to the bounds. */
void mbrl_planner_uniform(mbrl_planner *p, float *x, size_t rows);
void mbrl_planner_clip(const mbrl_planner *p, float *x, size_t rows);

/* For classes: moves a sequence x (H x act_dim) one step on, its last step at the middle of the
 * bounds (a warm start's shift). */
void mbrl_planner_shift_sequence(const mbrl_planner *p, float *x);

/* For classes: the indices of the k (1 <= k <= n) best of the n scores into top (k), best first,
 * earlier ones first among equals. */
void mbrl_planner_top(const float *score, int n, int k, int *top);

/* Whether score a ranks above score b: NaN ranks below every number. */
static inline int mbrl_planner_better(float a, float b) { return a > b || (b != b && a == a); }

#pragma GCC visibility pop

#endif

/* Model-predictive control planners: random shooting and the cross-entropy method (CEM), as CS285
 * HW4's MPC policy, over any mbrl_model (the learned dynamics, or true dynamics in tests).
 *
 * Scoring: each candidate action sequence (H x act_dim) is rolled through every one of the E
 * members from the current observation; its score is the sum over t = 0..H-1 of the
 * environment's batched reward, averaged over the members (not at the state level):
 *   score = 1/E sum_e sum_t mbrl_env_reward(s_t, a_t, s_{t+1}),  s_{t+1} = model_e(s_t, a_t),
 * with a_t clipped to the action bounds.
 * The reward is evaluated with the predicted state AFTER the step, s_{t+1}, because that is how
 * every environment here computes its step reward (env.h); CS285's usual solution evaluates on
 * s_t, and its other public variant on s_{t+1}, as here. No discount; done flags are ignored.
 * Each horizon step is one predict call over E x N rows and one reward call over E x N rows.
 *
 * Random shooting draws N sequences uniformly in [act_low, act_high] and executes the first
 * action of the best one (the first of equal best scores). CEM runs cem_iters iterations of N
 * sequences: iteration 0 uniform, later ones Normal(mu, sigma) elementwise over (H, act_dim).
 * After scoring, with the cem_elites best as elites: at iteration 0 mu and sigma are the elites'
 * mean and population std; later mu <- alpha mean + (1 - alpha) mu and sigma likewise with the
 * std. The first action of the final mu is executed, clipped to the bounds.
 *
 * Actions beyond the bounds: the Gaussian samples are not clipped, so mu may leave the bounds and
 * drive an action to saturation, as in CS285's usual solutions; but the model and the reward see
 * every action clipped to the bounds, as the environment applies it, so a learned model is never
 * asked about actions it cannot have seen. Clipping the samples themselves (this planner's first
 * version) keeps mu inside the bounds and the averaged elites away from them: on cheetah with the
 * true dynamics as the model, CEM-2 made 626 in one episode that way and 755 this way.
 *
 * While the model is not ready (a learned model before any data statistics) the planner acts
 * uniformly at random in the bounds. A NaN score ranks below every number and is counted.
 * All memory is taken at init; acting allocates nothing. Randomness comes from the planner's own
 * stream.
 */
#ifndef MBRL_PLANNER_H
#define MBRL_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/dynamics.h"
#include "mbrl/env.h"
#include "mbrl/rng.h"

typedef enum mbrl_planner_kind {
  MBRL_PLANNER_RANDOM = 0, /* random shooting */
  MBRL_PLANNER_CEM
} mbrl_planner_kind;

typedef struct mbrl_planner_config {
  mbrl_planner_kind kind;
  int H;           /* horizon (CS285: 10) */
  int N;           /* candidate sequences per iteration (1000) */
  int cem_iters;   /* CEM iterations M (4) */
  int cem_elites;  /* CEM elites J (5), 1 <= J <= N */
  float cem_alpha; /* CEM update rate in (0, 1] (1) */
} mbrl_planner_config;

typedef struct mbrl_planner {
  mbrl_planner_config cfg;
  const mbrl_env *env;  /* reward function and action bounds */
  mbrl_model model;
  int E, obs_dim, act_dim;
  const float *low, *high; /* (act_dim) the environment's action bounds */
  float *cand;     /* (N x H x act_dim) candidate sequences */
  float *a_t;      /* (E x N x act_dim) the step-t actions, repeated for each member */
  float *s, *s2;   /* (E x N x obs_dim) states before and after a step */
  float *rew;      /* (E x N) rewards of one step */
  float *score;    /* (N) mean predicted return of each candidate */
  int *elite;      /* (cem_elites) indices of the best candidates */
  float *mu, *sigma; /* (H x act_dim) CEM's sampling mean and std */
  float *plan;     /* (H x act_dim) the last sequence chosen: best candidate or CEM's final mu,
                    * clipped to the bounds */
  int64_t nonfinite; /* candidate scores that were NaN */
  mbrl_rng rng;
} mbrl_planner;

/* The CS285 HW4 defaults: random shooting, H 10, N 1000, CEM 4 iterations, 5 elites, alpha 1. */
mbrl_planner_config mbrl_planner_defaults(void);

/* Parses "random" or "cem"; returns 0 or MBRL_EINVAL. */
int mbrl_planner_kind_parse(const char *name, mbrl_planner_kind *kind);

/* Sets up a planner scoring with env's reward (env must outlive it; only mbrl_env_reward and the
 * spec are used) and rolling through model (max_B >= N), with a stream split from rng; returns 0
 * or MBRL_EINVAL (message in err, may be NULL) for a bad configuration or mismatched sizes. */
int mbrl_planner_init(mbrl_planner *p, const mbrl_planner_config *cfg, const mbrl_env *env,
                      const mbrl_model *model, mbrl_rng *rng, char *err, size_t err_sz);

/* Frees a planner; NULL is a no-op. */
void mbrl_planner_free(mbrl_planner *p);

/* Writes the action (act_dim) to take at observation obs (obs_dim); returns 0. */
int mbrl_planner_act(mbrl_planner *p, const float *obs, float *act);

/* mbrl_planner_act as an mbrl_policy_fn for mbrl_collect, with the planner as ctx. */
int mbrl_planner_policy(void *planner, const float *obs, float *act);

/* Scores the N sequences in p->cand from obs (obs_dim) into p->score (N); the model must be
 * ready. */
void mbrl_planner_evaluate(mbrl_planner *p, const float *obs);

#endif

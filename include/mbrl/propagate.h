/* Propagation: how candidate action sequences (planners) or policy states (model rollouts) are
 * rolled through an ensemble model, P particles per candidate, and how its members' predictions
 * are combined. Every planner scores through mbrl_propagate_returns; model rollouts (MBPO, Dyna)
 * step through mbrl_propagate_step.
 *
 * Modes, with M = N x P particles (particle p of candidate n is row n P + p):
 *   members      every member rolls every particle from the start state on its own trajectory
 *                (E x M rows a step); a candidate's score is the mean over members and particles
 *                of the summed rewards: CS285 HW4's rule, and with P 1 its exact arithmetic
 *   ts1          one trajectory per particle; at every step each particle draws a member
 *                uniformly and independently (PETS's TS1)
 *   tsinf        one trajectory per particle; each particle draws its member once, for the whole
 *                horizon (PETS's TS-infinity)
 *   expectation  one trajectory per particle; every member predicts and the next state is their
 *                mean (MBPO's rollouts in CS285)
 * ts1 and tsinf send each member only its own particles (padded to the largest count), so a step
 * costs about one member's worth of rows per particle.
 *
 * Sampling: predict gets the caller's stream in every mode but expectation, so a probabilistic
 * model samples next states (PETS); a deterministic one ignores it. Draws of members come from the
 * same stream. Actions are clipped to the task's bounds before the model and the reward see them.
 * Rewards are those of the task on (s_t, a_t, s_{t+1}), undiscounted; with use_done a particle
 * earns nothing after a step the task marks done.
 */
#ifndef MBRL_PROPAGATE_H
#define MBRL_PROPAGATE_H

#include <stddef.h>

#include "mbrl/config.h"
#include "mbrl/model.h"
#include "mbrl/rng.h"
#include "mbrl/task.h"

#pragma GCC visibility push(default)

typedef enum mbrl_propagation {
  MBRL_PROP_MEMBERS = 0,
  MBRL_PROP_TS1,
  MBRL_PROP_TSINF,
  MBRL_PROP_EXPECTATION
} mbrl_propagation;

/* the mode names, in enum order, NULL-terminated: "members", "ts1", "tsinf", "expectation" */
extern const char *const mbrl_propagation_names[];

typedef struct mbrl_propagate_config {
  int mode;      /* an mbrl_propagation (members) */
  int particles; /* P per candidate (1) */
  int use_done;  /* rewards stop after the task's done (0: done is ignored, as CS285) */
} mbrl_propagate_config;

/* fields: propagation, particles, use_done */
extern const mbrl_config_table mbrl_propagate_table;

typedef struct mbrl_propagator {
  mbrl_propagate_config cfg;
  mbrl_model model;
  mbrl_task task;
  int max_M;            /* most particles one call handles */
  int E, obs_dim, act_dim;
  /* R = E x max_M rows in members mode, max_M in the others */
  float *s, *s2;        /* (R x obs_dim) states before and after a step */
  float *a;             /* (R x act_dim) actions of a step */
  float *ms, *ma, *ms2; /* (E x max_M x obs_dim / act_dim) rows as the model sees them (not in
                         * members mode) */
  float *rew;           /* (R) rewards of a step */
  int *done;            /* (R) the task's done flags of a step */
  float *alive;         /* (R) 1 while a particle earns rewards */
  int *member;          /* (max_M) member of each particle (ts1, tsinf) */
  int *slot;            /* (max_M) its row within that member's block */
  int *count;           /* (E) particles per member */
} mbrl_propagator;

/* Sets up propagation through model scored by task for up to max_M particles a call; model and
 * task must outlive it. Returns 0 or MBRL_EINVAL (message in err, may be NULL) for a bad mode,
 * particle count or sizes, or a model taking fewer rows per member than the mode needs (max_M). */
int mbrl_propagate_init(mbrl_propagator *pg, const mbrl_propagate_config *cfg, const mbrl_model *model,
                        const mbrl_task *task, int max_M, char *err, size_t err_sz);

/* Frees everything; NULL is a no-op. */
void mbrl_propagate_free(mbrl_propagator *pg);

/* Scores N candidate sequences cand (N x H x act_dim) from obs (obs_dim): ret (N) is the mean
 * over members and particles of each one's summed predicted reward (N P <= max_M). Random draws
 * (members, samples) come from rng. Returns 0 or the model's error code. */
int mbrl_propagate_returns(mbrl_propagator *pg, const float *obs, const float *cand, int N, int H, float *ret,
                           mbrl_rng *rng);

/* Draws the member of each of the M particles for a tsinf rollout of mbrl_propagate_step calls
 * (no effect in other modes). */
void mbrl_propagate_begin(mbrl_propagator *pg, int M, mbrl_rng *rng);

/* One step of M independent particles (M <= max_M) for model rollouts: next (M x obs_dim) from
 * states (M x obs_dim) and acts (M x act_dim, used as given), members combined as the mode says
 * (members mode is refused: it keeps E trajectories). Returns 0, MBRL_EINVAL for members mode, or
 * the model's error code. */
int mbrl_propagate_step(mbrl_propagator *pg, const float *states, const float *acts, float *next, int M,
                        mbrl_rng *rng);

#pragma GCC visibility pop

#endif

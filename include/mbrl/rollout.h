/* Model rollouts: short trajectories of a policy through a learned model from states of real
 * data, many at once, as MBPO and Dyna add to a policy's replay buffer.
 *
 * One call makes B rollouts of L steps together, each as CS285 HW4's collect_model_trajectory
 * makes one:
 *   start     B rows drawn uniformly with replacement from a buffer of real transitions; each
 *             rollout takes its row's obs and terminal;
 *   action    a = policy(s) for the B states in one call;
 *   next      through the propagation module (propagate.h): s' is the mean over the members'
 *             predictions (expectation, the reference), or with random_member the prediction of
 *             one member drawn per rollout and step (ts1);
 *   reward    the task's reward on (s, a, s): the reward of the current state, as the reference's
 *             env.get_reward(ob, ac); with reward_next on (s, a, s'), the environment's step
 *             convention (the reward of the state reached);
 *   terminal  the start row's, repeated on every step.
 * Transitions are written rollout by rollout (steps 0..L-1 of rollout 0, then of rollout 1, ...),
 * the order in which the reference adds its one-path batches to the buffer.
 *
 * A rollout whose predicted state or reward is not finite ends before that step: its earlier
 * steps are kept and the lost ones counted in `cut`.
 */
#ifndef MBRL_ROLLOUT_H
#define MBRL_ROLLOUT_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/buffer.h"
#include "mbrl/model.h"
#include "mbrl/policy.h"
#include "mbrl/propagate.h"
#include "mbrl/rng.h"
#include "mbrl/task.h"

#pragma GCC visibility push(default)

typedef struct mbrl_rollout_config {
  int max_B;         /* most rollouts one call makes */
  int length;        /* L, steps per rollout (>= 1) */
  int random_member; /* 0: s' is the members' mean; 1: one member's, drawn per rollout and step */
  int reward_next;   /* 0: reward of the current state (the reference); 1: of the next state */
} mbrl_rollout_config;

typedef struct mbrl_rollout {
  mbrl_rollout_config cfg;
  int obs_dim, act_dim;
  mbrl_propagator prop; /* one step of all rollouts through the model */
  mbrl_paths paths;    /* (max_B L) the last call's transitions; an episode per non-empty rollout
                        * with its model return */
  int64_t rollouts;    /* rollouts made by all calls */
  int64_t transitions; /* transitions written by all calls */
  int64_t cut;         /* steps lost to non-finite predictions or rewards */
  mbrl_rng rng;        /* start rows and members */
  int *idx;            /* (max_B) start rows */
  int *len;            /* (max_B) steps kept per rollout of the current call */
  float *s, *a, *next; /* (max_B x obs_dim), (max_B x act_dim), (max_B x obs_dim) */
  float *term, *rew;   /* (max_B) each */
} mbrl_rollout;

/* Sizes the scratch and the paths for cfg, rolling through model with rewards from task (both
 * must outlive it), and splits the stream from rng; returns 0 or MBRL_EINVAL (message in err, may
 * be NULL) for a bad config or a model taking fewer than max_B rows per member. */
int mbrl_rollout_init(mbrl_rollout *ro, const mbrl_rollout_config *cfg, const mbrl_model *model,
                      const mbrl_task *task, mbrl_rng *rng, char *err, size_t err_sz);

/* Frees everything; NULL is a no-op. */
void mbrl_rollout_free(mbrl_rollout *ro);

/* Replaces ro->paths with B (1 <= B <= max_B) rollouts of policy through the model from rows of
 * start (non-empty). Returns 0; MBRL_EINVAL when the model is not ready or start is empty; or the
 * code of a failing policy or model (message in err, may be NULL). */
int mbrl_rollout_run(mbrl_rollout *ro, mbrl_batch_policy_fn policy, void *policy_ctx, const mbrl_buffer *start,
                     int B, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif

/* Tasks: what a planner optimises, apart from the model. A task scores transitions with a batched
 * pure reward (and termination) over (obs, act, next_obs), bounds the actions, and may give the
 * reward's gradient for gradient-based planners. An environment provides its task
 * (mbrl_env_task); a user with no simulator fills the struct with functions of their own.
 */
#ifndef MBRL_TASK_H
#define MBRL_TASK_H

#include <stddef.h>

#pragma GCC visibility push(default)

typedef struct mbrl_task {
  int obs_dim, act_dim;
  const float *act_low, *act_high; /* (act_dim) each: the actions a planner may choose */
  /* Writes reward (B) and done (B, may be NULL) for the transitions (obs[b], act[b], next_obs[b]);
   * obs and next_obs (B x obs_dim), act (B x act_dim). Pure: reads no state but ctx's
   * configuration, so it may run on many threads at once. */
  void (*reward)(void *ctx, const float *obs, const float *act, const float *next_obs, int B, float *reward,
                 int *done);
  /* Optional (NULL: none): the reward's vector-Jacobian product, d_obs (B x obs_dim), d_act
   * (B x act_dim) and d_next (B x obs_dim) = d_reward[b] times the gradient of reward[b] with
   * respect to obs[b], act[b] and next_obs[b]; any output may be NULL. */
  void (*reward_vjp)(void *ctx, const float *obs, const float *act, const float *next_obs, int B,
                     const float *d_reward, float *d_obs, float *d_act, float *d_next);
  void *ctx;
} mbrl_task;

/* Clips x (rows x act_dim) to the task's action bounds in place. */
void mbrl_task_clip(const mbrl_task *t, float *x, size_t rows);

#pragma GCC visibility pop

#endif

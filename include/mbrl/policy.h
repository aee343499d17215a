/* Policies as the library calls them: one observation at a time (collection, video) or B at once
 * (model rollouts), with the same argument order. */
#ifndef MBRL_POLICY_H
#define MBRL_POLICY_H

#pragma GCC visibility push(default)

/* Writes the action (act_dim) for the observation obs (obs_dim); returns 0 or a negative MBRL_E*
 * code, which stops the caller. */
typedef int (*mbrl_policy_fn)(void *ctx, const float *obs, float *act);

/* Tells a policy with memory between steps (a warm-started planner) that a new episode starts:
 * mbrl_collect calls it, when given, before each episode's first action. */
typedef void (*mbrl_policy_reset_fn)(void *ctx);

/* Writes act (B x act_dim) for obs (B x obs_dim); returns 0 or a negative MBRL_E* code. */
typedef int (*mbrl_batch_policy_fn)(void *ctx, const float *obs, float *act, int B);

#pragma GCC visibility pop

#endif

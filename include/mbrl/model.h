/* The model interface planners and model rollouts roll actions through: E members that each step
 * B states at once, deterministic (an ensemble of MLPs) or sampling (a probabilistic ensemble),
 * with an optional variance and an optional vector-Jacobian product.
 *
 * Layout: member e steps rows e*B .. e*B+B-1 of (E x B x obs_dim) states and (E x B x act_dim)
 * actions; the caller decides which rows each member sees (propagate.h).
 */
#ifndef MBRL_MODEL_H
#define MBRL_MODEL_H

#include "mbrl/rng.h"

#pragma GCC visibility push(default)

typedef struct mbrl_model {
  int E;              /* members */
  int obs_dim, act_dim;
  int max_B;          /* most rows per member one call takes */
  int has_var;        /* predict writes a variance (a probabilistic model) */
  /* Writes next_states (E x B x obs_dim) from states (E x B x obs_dim) and acts (E x B x act_dim),
   * and, for a model with has_var, var (E x B x obs_dim, may be NULL) the predicted variance. With
   * rng (may be NULL) a sampling model draws next states from its prediction; without, it writes
   * the mean. A deterministic model ignores rng. Returns 0 or a negative MBRL_E* code (NaN
   * inputs stay a numeric result, not an error). */
  int (*predict)(void *ctx, const float *states, const float *acts, float *next_states, float *var, int B,
                 mbrl_rng *rng);
  /* Whether predict may be called yet (a learned model needs data statistics); NULL: always. */
  int (*ready)(const void *ctx);
  /* Optional (NULL: none): the vector-Jacobian product of the mean prediction at (states, acts):
   * d_states (E x B x obs_dim) and d_acts (E x B x act_dim) = d_next (E x B x obs_dim) times the
   * Jacobian of next_states with respect to states and acts, row by row; d_states may be NULL.
   * Returns 0 or a negative MBRL_E* code. */
  int (*vjp)(void *ctx, const float *states, const float *acts, const float *d_next, float *d_states,
             float *d_acts, int B);
  void *ctx;
} mbrl_model;

#pragma GCC visibility pop

#endif

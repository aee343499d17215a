/* Tabular Dyna-Q and Dyna-Q+ (Sutton & Barto, section 8.2 and 8.3): one-step Q-learning from real
 * steps, a deterministic learned model, and n planning updates from the model per real step.
 *
 * Dyna-Q plans from a random previously observed state and a random action previously taken in
 * it. Dyna-Q+ adds kappa * sqrt(tau) to the reward of each planning update, tau being the time
 * steps since the pair was last tried for real, and, once a state has been observed, also plans
 * its untried actions with the model "back to the same state, reward 0".
 * Action choice is epsilon-greedy on Q with ties broken at random.
 */
#ifndef MBRL_DYNA_H
#define MBRL_DYNA_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/config.h"
#include "mbrl/maze.h"
#include "mbrl/rng.h"

#pragma GCC visibility push(default)

typedef struct mbrl_dyna_config {
  double alpha;   /* step size */
  double gamma;   /* discount */
  double epsilon; /* probability of a uniformly random action */
  int n;          /* planning updates per real step (0: plain Q-learning) */
  int plus;       /* 1 for Dyna-Q+, 0 for Dyna-Q */
  double kappa;   /* Dyna-Q+ exploration bonus weight */
} mbrl_dyna_config;

typedef struct mbrl_dyna {
  mbrl_dyna_config cfg;
  int n_states, n_actions;
  long time;            /* real steps taken so far */
  double *q;            /* (n_states x n_actions) action values */
  int *model_next;      /* (n_states x n_actions) next state, -1 where the model knows nothing */
  double *model_reward; /* (n_states x n_actions) */
  uint8_t *model_done;  /* (n_states x n_actions) 1 where the step ended the episode */
  long *last_tried;     /* (n_states x n_actions) time of the last real try (Dyna-Q+) */
  int *seen;            /* (n_states) observed states, in order of first visit */
  int n_seen;
  int *tried;           /* (n_states x n_actions) per state, the actions tried so far, in order */
  int *n_tried;         /* (n_states) */
} mbrl_dyna;

/* Every setting, with the values of Sutton & Barto Example 8.1 as defaults. */
extern const mbrl_config_table mbrl_dyna_table;

/* The values of Sutton & Barto Example 8.1: alpha 0.1, gamma 0.95, epsilon 0.1, n 0, kappa 1e-3. */
mbrl_dyna_config mbrl_dyna_defaults(void);

/* Sets up an agent with zero action values and an empty model; free it with mbrl_dyna_free. */
void mbrl_dyna_init(mbrl_dyna *d, int n_states, int n_actions, const mbrl_dyna_config *cfg);

/* Releases an agent's arrays; d may be NULL. */
void mbrl_dyna_free(mbrl_dyna *d);

/* Greedy action in state s, ties broken uniformly at random. */
int mbrl_dyna_greedy(const mbrl_dyna *d, int s, mbrl_rng *rng);

/* Epsilon-greedy action in state s. */
int mbrl_dyna_act(const mbrl_dyna *d, int s, mbrl_rng *rng);

/* Learns from one real step (s, a, r, s2; done when s2 ends the episode): Q update, model update,
 * then cfg.n planning updates; advances d->time. */
void mbrl_dyna_observe(mbrl_dyna *d, int s, int a, double r, int s2, int done, mbrl_rng *rng);

/* Runs episodes on a maze from its start, walls changing at the maze's change step (by d->time);
 * writes the real steps each took into steps (episodes); an episode stopped at max_steps counts
 * max_steps. Returns the number of episodes so stopped. */
int mbrl_dyna_episodes(mbrl_dyna *d, const mbrl_maze *m, int episodes, int max_steps, int *steps,
                       mbrl_rng *rng);

/* Runs a continuing task of T time steps on a maze (back to the start at each goal); writes the
 * cumulative reward after each step into cum_reward (T). */
void mbrl_dyna_steps(mbrl_dyna *d, const mbrl_maze *m, int T, double *cum_reward, mbrl_rng *rng);

/* Length of the greedy path from the maze's start under the walls at d->time, or -1 when it does
 * not reach the goal within max_len steps. */
int mbrl_dyna_greedy_path(const mbrl_dyna *d, const mbrl_maze *m, int max_len, mbrl_rng *rng);

/* Mean over runs of the steps per episode (episodes): run i uses rng stream (seed, i), so results
 * do not depend on the thread count; returns the total number of episodes stopped at max_steps. */
int mbrl_dyna_experiment_episodes(const mbrl_maze *m, const mbrl_dyna_config *cfg, uint64_t seed,
                                  int runs, int episodes, int max_steps, double *mean_steps);

/* Mean over runs of the cumulative reward after each time step (T), run i on stream (seed, i). */
void mbrl_dyna_experiment_steps(const mbrl_maze *m, const mbrl_dyna_config *cfg, uint64_t seed,
                                int runs, int T, double *mean_cum_reward);

#pragma GCC visibility pop

#endif

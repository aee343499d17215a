/* Tabular Dyna-Q and Dyna-Q+: Q-learning, a deterministic table model, planning from it, and the
 * maze experiments of Sutton & Barto chapter 8 averaged over independent runs. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/dyna.h"

#define T mbrl_dyna_config
static const mbrl_field dyna_fields[] = {
    MBRL_CFG_DOUBLE(T, alpha, "alpha", NULL, 1e-9, 1, 0.1, "step size"),
    MBRL_CFG_DOUBLE(T, gamma, "gamma", NULL, 0, 1, 0.95, "discount"),
    MBRL_CFG_DOUBLE(T, epsilon, "epsilon", NULL, 0, 1, 0.1, "probability of a uniformly random action"),
    MBRL_CFG_INT(T, n, "n", NULL, 0, 100000, 0, "planning updates per real step"),
    MBRL_CFG_BOOL(T, plus, "plus", NULL, 0, "Dyna-Q+ (exploration bonus, untried actions planned)"),
    MBRL_CFG_DOUBLE(T, kappa, "kappa", NULL, 0, 1e6, 1e-3, "Dyna-Q+ bonus weight"),
};
#undef T
const mbrl_config_table mbrl_dyna_table = {"dyna", dyna_fields, (int)(sizeof dyna_fields / sizeof *dyna_fields)};

mbrl_dyna_config mbrl_dyna_defaults(void) {
  mbrl_dyna_config c;
  mbrl_config_defaults(&mbrl_dyna_table, &c);
  return c;
}

void mbrl_dyna_init(mbrl_dyna *d, int n_states, int n_actions, const mbrl_dyna_config *cfg) {
  MBRL_ASSERT(d && cfg && n_states > 0 && n_actions > 0);
  MBRL_ASSERT(cfg->alpha > 0 && cfg->alpha <= 1 && cfg->gamma >= 0 && cfg->gamma <= 1);
  MBRL_ASSERT(cfg->epsilon >= 0 && cfg->epsilon <= 1 && cfg->n >= 0 && cfg->kappa >= 0);
  memset(d, 0, sizeof *d);
  d->cfg = *cfg;
  d->n_states = n_states;
  d->n_actions = n_actions;
  size_t sa = (size_t)n_states * (size_t)n_actions;
  d->q = mbrl_alloc(sizeof(double) * sa);
  d->model_next = mbrl_alloc(sizeof(int) * sa);
  d->model_reward = mbrl_alloc(sizeof(double) * sa);
  d->model_done = mbrl_alloc(sa);
  d->last_tried = mbrl_alloc(sizeof(long) * sa);
  d->tried = mbrl_alloc(sizeof(int) * sa);
  d->seen = mbrl_alloc(sizeof(int) * (size_t)n_states);
  d->n_tried = mbrl_alloc(sizeof(int) * (size_t)n_states);
  for (size_t i = 0; i < sa; i++) d->model_next[i] = -1, d->last_tried[i] = -1;
}

void mbrl_dyna_free(mbrl_dyna *d) {
  if (!d) return;
  mbrl_free(d->q);
  mbrl_free(d->model_next);
  mbrl_free(d->model_reward);
  mbrl_free(d->model_done);
  mbrl_free(d->last_tried);
  mbrl_free(d->tried);
  mbrl_free(d->seen);
  mbrl_free(d->n_tried);
  memset(d, 0, sizeof *d);
}

int mbrl_dyna_greedy(const mbrl_dyna *d, int s, mbrl_rng *rng) {
  MBRL_ASSERT(s >= 0 && s < d->n_states);
  const double *q = d->q + (size_t)s * (size_t)d->n_actions;
  double best = q[0];
  int ties = 1;
  for (int a = 1; a < d->n_actions; a++) {
    if (q[a] > best) best = q[a], ties = 1;
    else if (q[a] == best) ties++;
  }
  /* pick the k-th of the tied maxima */
  int k = ties > 1 ? (int)mbrl_rng_below(rng, (uint64_t)ties) : 0;
  for (int a = 0; a < d->n_actions; a++)
    if (q[a] == best && k-- == 0) return a;
  return 0;
}

int mbrl_dyna_act(const mbrl_dyna *d, int s, mbrl_rng *rng) {
  if (mbrl_rng_uniform(rng) < d->cfg.epsilon) return (int)mbrl_rng_below(rng, (uint64_t)d->n_actions);
  return mbrl_dyna_greedy(d, s, rng);
}

/* one-step Q-learning update towards r + gamma max_b Q(s2, b) */
static void q_update(mbrl_dyna *d, int s, int a, double r, int s2, int done) {
  double target = r;
  if (!done) {
    const double *q2 = d->q + (size_t)s2 * (size_t)d->n_actions;
    double m = q2[0];
    for (int b = 1; b < d->n_actions; b++) m = q2[b] > m ? q2[b] : m;
    target += d->cfg.gamma * m;
  }
  double *q = d->q + (size_t)s * (size_t)d->n_actions + a;
  *q += d->cfg.alpha * (target - *q);
}

/* one planning update from a random observed state and, for Dyna-Q, a random action tried in it */
static void plan_once(mbrl_dyna *d, mbrl_rng *rng) {
  int s = d->seen[mbrl_rng_below(rng, (uint64_t)d->n_seen)];
  int a = d->cfg.plus ? (int)mbrl_rng_below(rng, (uint64_t)d->n_actions)
                      : d->tried[(size_t)s * (size_t)d->n_actions +
                                 mbrl_rng_below(rng, (uint64_t)d->n_tried[s])];
  size_t i = (size_t)s * (size_t)d->n_actions + (size_t)a;
  double r = d->model_reward[i];
  if (d->cfg.plus) {
    long last = d->last_tried[i] < 0 ? 0 : d->last_tried[i];
    r += d->cfg.kappa * sqrt((double)(d->time - last));
  }
  q_update(d, s, a, r, d->model_next[i], d->model_done[i]);
}

void mbrl_dyna_observe(mbrl_dyna *d, int s, int a, double r, int s2, int done, mbrl_rng *rng) {
  MBRL_ASSERT(s >= 0 && s < d->n_states && s2 >= 0 && s2 < d->n_states);
  MBRL_ASSERT(a >= 0 && a < d->n_actions);
  int A = d->n_actions;
  size_t row = (size_t)s * (size_t)A, i = row + (size_t)a;
  /* first visit: remember the state; Dyna-Q+ models its untried actions as staying put */
  if (d->n_tried[s] == 0) {
    d->seen[d->n_seen++] = s;
    if (d->cfg.plus)
      for (int b = 0; b < A; b++) {
        d->model_next[row + (size_t)b] = s;
        d->model_reward[row + (size_t)b] = 0;
        d->model_done[row + (size_t)b] = 0;
      }
  }
  if (d->last_tried[i] < 0) d->tried[row + (size_t)d->n_tried[s]++] = a;
  /* direct reinforcement learning, then the model, then planning */
  q_update(d, s, a, r, s2, done);
  d->model_next[i] = s2;
  d->model_reward[i] = r;
  d->model_done[i] = (uint8_t)(done != 0);
  d->time++;
  d->last_tried[i] = d->time;
  for (int k = 0; k < d->cfg.n; k++) plan_once(d, rng);
}

int mbrl_dyna_episodes(mbrl_dyna *d, const mbrl_maze *m, int episodes, int max_steps, int *steps,
                       mbrl_rng *rng) {
  MBRL_ASSERT(d->n_states == m->rows * m->cols && d->n_actions == MBRL_MAZE_ACTIONS);
  MBRL_ASSERT(episodes >= 0 && max_steps > 0 && (steps || episodes == 0));
  int stopped = 0;
  for (int e = 0; e < episodes; e++) {
    int s = m->start, k = 0, done = 0;
    while (!done && k < max_steps) {
      int a = mbrl_dyna_act(d, s, rng);
      int s2 = mbrl_maze_next(m, mbrl_maze_walls_at(m, d->time), s, a);
      done = s2 == m->goal;
      mbrl_dyna_observe(d, s, a, done ? 1.0 : 0.0, s2, done, rng);
      s = s2;
      k++;
    }
    stopped += !done;
    steps[e] = k;
  }
  return stopped;
}

void mbrl_dyna_steps(mbrl_dyna *d, const mbrl_maze *m, int T, double *cum_reward, mbrl_rng *rng) {
  MBRL_ASSERT(d->n_states == m->rows * m->cols && d->n_actions == MBRL_MAZE_ACTIONS);
  MBRL_ASSERT(T >= 0 && (cum_reward || T == 0));
  int s = m->start;
  double total = 0;
  for (int t = 0; t < T; t++) {
    int a = mbrl_dyna_act(d, s, rng);
    int s2 = mbrl_maze_next(m, mbrl_maze_walls_at(m, d->time), s, a);
    int done = s2 == m->goal;
    mbrl_dyna_observe(d, s, a, done ? 1.0 : 0.0, s2, done, rng);
    total += done;
    cum_reward[t] = total;
    s = done ? m->start : s2;
  }
}

int mbrl_dyna_greedy_path(const mbrl_dyna *d, const mbrl_maze *m, int max_len, mbrl_rng *rng) {
  const uint8_t *walls = mbrl_maze_walls_at(m, d->time);
  int s = m->start;
  for (int k = 1; k <= max_len; k++) {
    s = mbrl_maze_next(m, walls, s, mbrl_dyna_greedy(d, s, rng));
    if (s == m->goal) return k;
  }
  return -1;
}

int mbrl_dyna_experiment_episodes(const mbrl_maze *m, const mbrl_dyna_config *cfg, uint64_t seed,
                                  int runs, int episodes, int max_steps, double *mean_steps) {
  MBRL_ASSERT(runs > 0 && episodes > 0 && mean_steps);
  int *all = mbrl_alloc(sizeof(int) * (size_t)runs * (size_t)episodes);
  int stopped = 0;
  /* one independent stream per run; the mean is summed in run order afterwards */
#pragma omp parallel for schedule(dynamic) reduction(+ : stopped)
  for (int i = 0; i < runs; i++) {
    mbrl_rng rng;
    mbrl_rng_init(&rng, seed, (uint64_t)i);
    mbrl_dyna d;
    mbrl_dyna_init(&d, m->rows * m->cols, MBRL_MAZE_ACTIONS, cfg);
    stopped += mbrl_dyna_episodes(&d, m, episodes, max_steps, all + (size_t)i * (size_t)episodes, &rng);
    mbrl_dyna_free(&d);
  }
  for (int e = 0; e < episodes; e++) {
    double sum = 0;
    for (int i = 0; i < runs; i++) sum += all[(size_t)i * (size_t)episodes + (size_t)e];
    mean_steps[e] = sum / runs;
  }
  mbrl_free(all);
  return stopped;
}

void mbrl_dyna_experiment_steps(const mbrl_maze *m, const mbrl_dyna_config *cfg, uint64_t seed,
                                int runs, int T, double *mean_cum_reward) {
  MBRL_ASSERT(runs > 0 && T > 0 && mean_cum_reward);
  double *all = mbrl_alloc(sizeof(double) * (size_t)runs * (size_t)T);
#pragma omp parallel for schedule(dynamic)
  for (int i = 0; i < runs; i++) {
    mbrl_rng rng;
    mbrl_rng_init(&rng, seed, (uint64_t)i);
    mbrl_dyna d;
    mbrl_dyna_init(&d, m->rows * m->cols, MBRL_MAZE_ACTIONS, cfg);
    mbrl_dyna_steps(&d, m, T, all + (size_t)i * (size_t)T, &rng);
    mbrl_dyna_free(&d);
  }
  for (int t = 0; t < T; t++) {
    double sum = 0;
    for (int i = 0; i < runs; i++) sum += all[(size_t)i * (size_t)T + (size_t)t];
    mean_cum_reward[t] = sum / runs;
  }
  mbrl_free(all);
}

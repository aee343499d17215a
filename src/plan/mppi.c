/* MPPI with PDDM's filtering: sequences sampled around a mean and smoothed in time, the mean
 * refitted as their average weighted by exp(gamma (R - R_max)), shifted one step after each action.
 *
 * Each iteration draws N sequences: with noise e ~ Normal(0, sigma^2) per entry,
 *   a_0 = beta (mu_0 + e_0) + (1 - beta) a_prev,   a_t = beta (mu_t + e_t) + (1 - beta) a_{t-1},
 * a_prev the action executed last (the middle of the bounds at an episode's start), every a_t
 * clipped to the bounds; then mu = sum_n w_n a_n / sum_n w_n with w_n = exp(gamma (R_n - R_max)).
 * The plan is the final mu. sigma is in units of half the action range, so it is PDDM's noise for
 * actions in [-1, 1]. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  int iters;   /* mppi_iterations (1, as PDDM) */
  float gamma; /* mppi_gamma, reward scaling of the weights (1; PDDM's kappa) */
  float sigma; /* mppi_sigma, noise std in half action ranges (0.9) */
  float beta;  /* mppi_beta, temporal smoothing in (0, 1] (0.9) */
} mppi_options;

static const mbrl_field mppi_fields[] = {
    MBRL_CFG_INT(mppi_options, iters, "mppi_iterations", NULL, 1, 1000, 1, "MPPI refinement iterations per step"),
    MBRL_CFG_FLOAT(mppi_options, gamma, "mppi_gamma", NULL, 0, 1e6, 1,
                   "MPPI reward scaling: weights exp(gamma (R - R_max)) (PDDM's kappa)"),
    MBRL_CFG_FLOAT(mppi_options, sigma, "mppi_sigma", NULL, 0, 1e3, 0.9f,
                   "MPPI noise std, in half action ranges"),
    MBRL_CFG_FLOAT(mppi_options, beta, "mppi_beta", NULL, 1e-6, 1, 0.9f,
                   "MPPI temporal smoothing: a_t = beta (mu_t + noise) + (1 - beta) a_{t-1}"),
};
static const mbrl_config_table mppi_table = {"mppi", mppi_fields, (int)(sizeof mppi_fields / sizeof *mppi_fields)};

typedef struct {
  mppi_options o;
  int N, H, A;
  float *cand;  /* (N x H x act_dim) candidate sequences */
  float *score; /* (N) their predicted returns */
  double *w;    /* (N) their weights */
  float *mu;    /* (H x act_dim) the mean */
  float *prev;  /* (act_dim) the action executed last */
  float *scale; /* (act_dim) sigma in action units */
  int have_mu;  /* mu and prev hold the last step's (shifted) */
} mppi;

static int mppi_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  mppi *m = self;
  mbrl_planner_options(p, &m->o, sizeof m->o);
  m->N = mbrl_planner_N(p), m->H = mbrl_planner_H(p), m->A = mbrl_planner_act_dim(p);
  if (m->o.iters < 1 || !(m->o.gamma >= 0.0f) || !(m->o.sigma >= 0.0f) || !(m->o.beta > 0.0f && m->o.beta <= 1.0f))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "MPPI needs iterations >= 1, gamma >= 0, sigma >= 0 and beta in (0, 1]: got %d, %g, %g, %g",
                     m->o.iters, (double)m->o.gamma, (double)m->o.sigma, (double)m->o.beta);
  const size_t HA = (size_t)m->H * m->A;
  m->cand = mbrl_alloc((size_t)m->N * HA * sizeof(float));
  m->score = mbrl_alloc((size_t)m->N * sizeof(float));
  m->w = mbrl_alloc((size_t)m->N * sizeof(double));
  m->mu = mbrl_alloc(HA * sizeof(float));
  m->prev = mbrl_alloc((size_t)m->A * sizeof(float));
  m->scale = mbrl_alloc((size_t)m->A * sizeof(float));
  const float *low = mbrl_planner_low(p), *high = mbrl_planner_high(p);
  for (int d = 0; d < m->A; d++) m->scale[d] = m->o.sigma * 0.5f * (high[d] - low[d]);
  return MBRL_OK;
}

static void mppi_release(void *self) {
  mppi *m = self;
  mbrl_free(m->cand), mbrl_free(m->score), mbrl_free(m->w), mbrl_free(m->mu), mbrl_free(m->prev);
  mbrl_free(m->scale);
}

/* the filtered samples around mu into cand, clipped to the bounds */
static void sample(mbrl_planner *p, mppi *m) {
  const int H = m->H, A = m->A;
  const size_t HA = (size_t)H * A;
  const float beta = m->o.beta;
  mbrl_rng_fill_normal(mbrl_planner_rng(p), m->cand, (size_t)m->N * HA, 0.0f, 1.0f);
  for (int n = 0; n < m->N; n++) {
    float *x = m->cand + (size_t)n * HA;
    const float *before = m->prev;
    for (int t = 0; t < H; t++, before = x, x += A)
      for (int d = 0; d < A; d++)
        x[d] = beta * (m->mu[(size_t)t * A + d] + m->scale[d] * x[d]) + (1.0f - beta) * before[d];
    mbrl_planner_clip(p, m->cand + (size_t)n * HA, (size_t)H);
  }
}

/* mu as the candidates' average weighted by exp(gamma (R - R_max)); unchanged when no score is a
 * number */
static void reweight(mppi *m) {
  const size_t HA = (size_t)m->H * m->A;
  float best = NAN;
  for (int n = 0; n < m->N; n++)
    if (mbrl_planner_better(m->score[n], best)) best = m->score[n];
  if (!isfinite(best)) return;
  double total = 0.0;
  for (int n = 0; n < m->N; n++) {
    m->w[n] = isfinite(m->score[n]) ? exp((double)m->o.gamma * ((double)m->score[n] - best)) : 0.0;
    total += m->w[n];
  }
  for (size_t i = 0; i < HA; i++) {
    double s = 0.0;
    for (int n = 0; n < m->N; n++) s += m->w[n] * m->cand[(size_t)n * HA + i];
    m->mu[i] = (float)(s / total);
  }
}

static int mppi_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  mppi *m = self;
  if (!m->have_mu) {
    const float *low = mbrl_planner_low(p), *high = mbrl_planner_high(p);
    for (int i = 0; i < m->H * m->A; i++) m->mu[i] = 0.5f * (low[i % m->A] + high[i % m->A]);
    memcpy(m->prev, m->mu, (size_t)m->A * sizeof(float));
  }
  for (int it = 0; it < m->o.iters; it++) {
    sample(p, m);
    int rc = mbrl_planner_score(p, obs, m->cand, m->N, m->score);
    if (rc) return rc;
    reweight(m);
  }
  memcpy(plan, m->mu, (size_t)m->H * m->A * sizeof(float));
  return MBRL_OK;
}

/* the executed action becomes the previous one; the mean moves one step on, its last step kept */
static void mppi_shift(mbrl_planner *p, void *self) {
  mppi *m = self;
  const size_t A = (size_t)m->A;
  memcpy(m->prev, m->mu, A * sizeof(float));
  mbrl_planner_clip(p, m->prev, 1);
  memmove(m->mu, m->mu + A, (size_t)(m->H - 1) * A * sizeof(float));
  m->have_mu = 1;
}

static void mppi_reset(mbrl_planner *p, void *self) {
  (void)p;
  ((mppi *)self)->have_mu = 0;
}

const mbrl_planner_class mbrl_planner_mppi = {
    .name = "mppi",
    .about = "MPPI with PDDM's filtering: smoothed samples, reward-weighted mean, shifted each step",
    .options = &mppi_table,
    .self_size = sizeof(mppi),
    .init = mppi_init,
    .plan = mppi_plan,
    .shift = mppi_shift,
    .reset = mppi_reset,
    .release = mppi_release,
};

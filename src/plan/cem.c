/* The cross-entropy method: uniform first iteration, then Gaussian samples (clipped only where they
 * meet the model), refitted to the elites with rate alpha; the final mean is the plan. With a warm
 * start the first iteration samples around the last step's mean shifted by one instead. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  int iters;   /* cem_iterations (4) */
  int elites;  /* cem_num_elites (5), 1 <= J <= N */
  float alpha; /* cem_alpha, update rate in (0, 1] (1) */
  int warm;    /* warm_start (off) */
} cem_options;

static const mbrl_field cem_fields[] = {
    MBRL_CFG_INT(cem_options, iters, "cem_iterations", NULL, 1, 1000, 4, "CEM iterations"),
    MBRL_CFG_INT(cem_options, elites, "cem_num_elites", NULL, 1, 1e6, 5, "CEM elites"),
    MBRL_CFG_FLOAT(cem_options, alpha, "cem_alpha", NULL, 1e-9, 1, 1, "CEM update rate"),
    MBRL_CFG_BOOL(cem_options, warm, "warm_start", NULL, 0,
                  "start from the last step's solution shifted by one (its last step re-initialised)"),
};
static const mbrl_config_table cem_table = {"cem", cem_fields, (int)(sizeof cem_fields / sizeof *cem_fields)};

typedef struct {
  cem_options o;
  int N, H, A;
  float *cand;       /* (N x H x act_dim) candidate sequences */
  float *score;      /* (N) their predicted returns */
  int *elite;        /* (elites) indices of the best candidates */
  float *mu, *sigma; /* (H x act_dim) the sampling mean and std */
  int have_mu;       /* mu holds the last step's solution, shifted (warm start) */
} cem;

static int cem_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  cem *c = self;
  mbrl_planner_options(p, &c->o, sizeof c->o);
  c->N = mbrl_planner_N(p), c->H = mbrl_planner_H(p), c->A = mbrl_planner_act_dim(p);
  if (c->o.iters < 1 || c->o.elites < 1 || c->o.elites > c->N || !(c->o.alpha > 0.0f && c->o.alpha <= 1.0f))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "CEM needs iterations >= 1, 1 <= elites <= sequences and alpha in (0, 1]: got %d, "
                     "%d of %d, %g",
                     c->o.iters, c->o.elites, c->N, (double)c->o.alpha);
  const size_t HA = (size_t)c->H * c->A;
  c->cand = mbrl_alloc((size_t)c->N * HA * sizeof(float));
  c->score = mbrl_alloc((size_t)c->N * sizeof(float));
  c->elite = mbrl_alloc((size_t)c->o.elites * sizeof(int));
  c->mu = mbrl_alloc(HA * sizeof(float));
  c->sigma = mbrl_alloc(HA * sizeof(float));
  return MBRL_OK;
}

static void cem_release(void *self) {
  cem *c = self;
  mbrl_free(c->cand), mbrl_free(c->score), mbrl_free(c->elite), mbrl_free(c->mu), mbrl_free(c->sigma);
}

/* candidates from Normal(mu, sigma) elementwise, not clipped here (see planner.h) */
static void sample_gaussian(cem *c, mbrl_rng *rng) {
  const size_t HA = (size_t)c->H * c->A, n = (size_t)c->N * HA;
  float *x = c->cand;
  mbrl_rng_fill_normal(rng, x, n, 0.0f, 1.0f);
  for (size_t k = 0; k < (size_t)c->N; k++, x += HA)
#pragma omp simd
    for (size_t i = 0; i < HA; i++) x[i] = c->mu[i] + c->sigma[i] * x[i];
}

/* mean and population std of the elites, blended into mu and sigma (replacing them after a
 * uniform iteration) */
static void refit(cem *c, int uniform) {
  const int J = c->o.elites;
  const size_t HA = (size_t)c->H * c->A;
  const float alpha = uniform ? 1.0f : c->o.alpha;
  for (size_t i = 0; i < HA; i++) {
    double m = 0.0, v = 0.0;
    for (int j = 0; j < J; j++) m += c->cand[(size_t)c->elite[j] * HA + i];
    m /= J;
    for (int j = 0; j < J; j++) {
      double u = c->cand[(size_t)c->elite[j] * HA + i] - m;
      v += u * u;
    }
    float sd = (float)sqrt(v / J);
    c->mu[i] = alpha * (float)m + (1.0f - alpha) * c->mu[i];
    c->sigma[i] = alpha * sd + (1.0f - alpha) * c->sigma[i];
  }
}

static int cem_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  cem *c = self;
  const int warm = c->o.warm && c->have_mu;
  if (warm) {
    /* around the shifted solution with the spread of a uniform draw's quarter range */
    const float *low = mbrl_planner_low(p), *high = mbrl_planner_high(p);
    for (int i = 0; i < c->H * c->A; i++) c->sigma[i] = 0.25f * (high[i % c->A] - low[i % c->A]);
  }
  for (int it = 0; it < c->o.iters; it++) {
    const int uniform = it == 0 && !warm;
    if (uniform)
      mbrl_planner_uniform(p, c->cand, (size_t)c->N * c->H);
    else
      sample_gaussian(c, mbrl_planner_rng(p));
    int rc = mbrl_planner_score(p, obs, c->cand, c->N, c->score);
    if (rc) return rc;
    mbrl_planner_top(c->score, c->N, c->o.elites, c->elite);
    refit(c, uniform);
  }
  memcpy(plan, c->mu, (size_t)c->H * c->A * sizeof(float));
  return MBRL_OK;
}

/* the mean one step on, its last step back at the middle of the bounds */
static void cem_shift(mbrl_planner *p, void *self) {
  cem *c = self;
  if (!c->o.warm) return;
  mbrl_planner_shift_sequence(p, c->mu);
  c->have_mu = 1;
}

static void cem_reset(mbrl_planner *p, void *self) {
  (void)p;
  ((cem *)self)->have_mu = 0;
}

const mbrl_planner_class mbrl_planner_cem = {
    .name = "cem",
    .about = "the cross-entropy method: Gaussian sampling refitted to the elites (CS285 HW4)",
    .options = &cem_table,
    .self_size = sizeof(cem),
    .init = cem_init,
    .plan = cem_plan,
    .shift = cem_shift,
    .reset = cem_reset,
    .release = cem_release,
};

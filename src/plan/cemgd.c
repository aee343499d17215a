/* CEM-GD: a few iterations of the cross-entropy method, then its best few sequences refined by
 * gradient steps through the model (grad.c's refinement); the best refined sequence is the plan.
 * The first iteration samples around the last step's plan shifted by one (warm start), or
 * uniformly at an episode's start; later ones around the elites' mean and std. Samples are clipped
 * to the bounds. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  int iters;  /* cemgd_iterations (2) */
  int elites; /* cemgd_num_elites (10), 1 <= J <= N */
  int top;    /* cemgd_top: sequences refined (3) */
  int grad_iters; /* grad_iterations (15) */
  float lr;   /* grad_lr (0.01) */
  int warm;   /* warm_start (on) */
} cemgd_options;

static const mbrl_field cemgd_fields[] = {
    MBRL_CFG_INT(cemgd_options, iters, "cemgd_iterations", NULL, 1, 1000, 2, "CEM-GD's CEM iterations"),
    MBRL_CFG_INT(cemgd_options, elites, "cemgd_num_elites", NULL, 1, 1e6, 10, "CEM-GD's elites"),
    MBRL_CFG_INT(cemgd_options, top, "cemgd_top", NULL, 1, 1000, 3, "CEM-GD: best sequences refined by gradient"),
    MBRL_CFG_INT(cemgd_options, grad_iters, "grad_iterations", NULL, 0, 10000, 15, "gradient steps per planning step"),
    MBRL_CFG_FLOAT(cemgd_options, lr, "grad_lr", NULL, 1e-6, 10, 0.01f, "Adam's step size, in half action ranges"),
    MBRL_CFG_BOOL(cemgd_options, warm, "warm_start", NULL, 1,
                  "start from the last step's solution shifted by one (its last step re-initialised)"),
};
static const mbrl_config_table cemgd_table = {"cemgd", cemgd_fields,
                                              (int)(sizeof cemgd_fields / sizeof *cemgd_fields)};

typedef struct {
  cemgd_options o;
  int N, H, A;
  mbrl_grad g;
  float *cand;      /* (N x H x act_dim) */
  float *score;     /* (N) */
  int *elite;       /* (max(elites, top)) */
  float *mu, *sd;   /* (H x act_dim) */
  float *x;         /* (top x H x act_dim) the sequences refined */
  double *ret;      /* (top) their returns */
  int have_mu;      /* mu holds the last step's plan, shifted */
} cemgd;

static int cemgd_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  cemgd *c = self;
  mbrl_planner_options(p, &c->o, sizeof c->o);
  c->N = mbrl_planner_N(p), c->H = mbrl_planner_H(p), c->A = mbrl_planner_act_dim(p);
  if (c->o.elites > c->N || c->o.top > c->N)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "CEM-GD needs elites (%d) and top (%d) within the %d sequences",
                     c->o.elites, c->o.top, c->N);
  int rc = mbrl_grad_init(&c->g, p, c->o.top, err, err_sz);
  if (rc) return rc;
  const size_t HA = (size_t)c->H * c->A;
  c->cand = mbrl_alloc((size_t)c->N * HA * sizeof(float));
  c->score = mbrl_alloc((size_t)c->N * sizeof(float));
  c->elite = mbrl_alloc((size_t)(c->o.elites > c->o.top ? c->o.elites : c->o.top) * sizeof(int));
  c->mu = mbrl_alloc(HA * sizeof(float));
  c->sd = mbrl_alloc(HA * sizeof(float));
  c->x = mbrl_alloc((size_t)c->o.top * HA * sizeof(float));
  c->ret = mbrl_alloc((size_t)c->o.top * sizeof(double));
  return MBRL_OK;
}

static void cemgd_release(void *self) {
  cemgd *c = self;
  mbrl_grad_free(&c->g);
  mbrl_free(c->cand), mbrl_free(c->score), mbrl_free(c->elite), mbrl_free(c->mu), mbrl_free(c->sd);
  mbrl_free(c->x), mbrl_free(c->ret);
}

static int cemgd_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  cemgd *c = self;
  const size_t HA = (size_t)c->H * c->A;
  const float *low = mbrl_planner_low(p), *high = mbrl_planner_high(p);
  const int warm = c->o.warm && c->have_mu;
  for (size_t i = 0; i < HA; i++) c->sd[i] = 0.25f * (high[i % c->A] - low[i % c->A]);
  for (int it = 0; it < c->o.iters; it++) {
    if (it == 0 && !warm) {
      mbrl_planner_uniform(p, c->cand, (size_t)c->N * c->H);
    } else {
      mbrl_rng_fill_normal(mbrl_planner_rng(p), c->cand, (size_t)c->N * HA, 0.0f, 1.0f);
      for (size_t n = 0; n < (size_t)c->N; n++)
        for (size_t i = 0; i < HA; i++) c->cand[n * HA + i] = c->mu[i] + c->sd[i] * c->cand[n * HA + i];
      mbrl_planner_clip(p, c->cand, (size_t)c->N * c->H);
    }
    int rc = mbrl_planner_score(p, obs, c->cand, c->N, c->score);
    if (rc) return rc;
    const int J = c->o.elites;
    mbrl_planner_top(c->score, c->N, J, c->elite);
    for (size_t i = 0; i < HA; i++) {
      double m = 0.0, v = 0.0;
      for (int j = 0; j < J; j++) m += c->cand[(size_t)c->elite[j] * HA + i];
      m /= J;
      for (int j = 0; j < J; j++) v += (c->cand[(size_t)c->elite[j] * HA + i] - m) * (c->cand[(size_t)c->elite[j] * HA + i] - m);
      c->mu[i] = (float)m, c->sd[i] = (float)sqrt(v / J);
    }
  }
  /* the best of the last iteration, refined */
  const int T = c->o.top;
  mbrl_planner_top(c->score, c->N, T, c->elite);
  for (int k = 0; k < T; k++) memcpy(c->x + (size_t)k * HA, c->cand + (size_t)c->elite[k] * HA, HA * sizeof(float));
  int rc = mbrl_grad_refine(&c->g, p, obs, c->x, T, c->o.grad_iters, c->o.lr, c->ret);
  if (rc) return rc;
  const int best = mbrl_grad_best(c->ret, T);
  memcpy(plan, c->x + (size_t)best * HA, HA * sizeof(float));
  memcpy(c->mu, plan, HA * sizeof(float));
  return MBRL_OK;
}

static void cemgd_shift(mbrl_planner *p, void *self) {
  cemgd *c = self;
  mbrl_planner_shift_sequence(p, c->mu);
  c->have_mu = 1;
}

static void cemgd_reset(mbrl_planner *p, void *self) {
  (void)p;
  ((cemgd *)self)->have_mu = 0;
}

const mbrl_planner_class mbrl_planner_cemgd = {
    .name = "cemgd",
    .about = "CEM-GD: CEM iterations, then the best sequences refined by gradient steps through the model",
    .options = &cemgd_table,
    .self_size = sizeof(cemgd),
    .init = cemgd_init,
    .plan = cemgd_plan,
    .shift = cemgd_shift,
    .reset = cemgd_reset,
    .release = cemgd_release,
};

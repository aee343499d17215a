/* The cross-entropy method: uniform first iteration, then Gaussian samples (clipped only where they
 * meet the model), refitted to the elites with rate alpha; the final mean's first action, clipped,
 * is executed. */
#include <math.h>
#include <string.h>

#include "mbrl/planner.h"
#include "plan/plan_impl.h"

/* the J best candidates into p->elite, best first; earlier candidates win ties */
static void select_elites(mbrl_planner *p) {
  const int N = p->cfg.N, J = p->cfg.cem_elites;
  int *el = p->elite, k = 0;
  for (int n = 0; n < N; n++) {
    if (k == J && !mbrl_plan_better(p->score[n], p->score[el[J - 1]])) continue;
    int i = k < J ? k++ : J - 1;
    while (i > 0 && mbrl_plan_better(p->score[n], p->score[el[i - 1]])) el[i] = el[i - 1], i--;
    el[i] = n;
  }
}

/* candidates from Normal(mu, sigma) elementwise, not clipped here (see planner.h) */
static void sample_gaussian(mbrl_planner *p) {
  const size_t HA = (size_t)p->cfg.H * p->act_dim, n = (size_t)p->cfg.N * HA;
  float *c = p->cand;
  mbrl_rng_fill_normal(&p->rng, c, n, 0.0f, 1.0f);
  for (size_t k = 0; k < (size_t)p->cfg.N; k++, c += HA)
#pragma omp simd
    for (size_t i = 0; i < HA; i++) c[i] = p->mu[i] + p->sigma[i] * c[i];
}

/* mean and population std of the elites, blended into mu and sigma (replacing them at it 0) */
static void refit(mbrl_planner *p, int it) {
  const int J = p->cfg.cem_elites;
  const size_t HA = (size_t)p->cfg.H * p->act_dim;
  const float alpha = it == 0 ? 1.0f : p->cfg.cem_alpha;
  for (size_t i = 0; i < HA; i++) {
    double m = 0.0, v = 0.0;
    for (int j = 0; j < J; j++) m += p->cand[(size_t)p->elite[j] * HA + i];
    m /= J;
    for (int j = 0; j < J; j++) {
      double u = p->cand[(size_t)p->elite[j] * HA + i] - m;
      v += u * u;
    }
    float sd = (float)sqrt(v / J);
    p->mu[i] = alpha * (float)m + (1.0f - alpha) * p->mu[i];
    p->sigma[i] = alpha * sd + (1.0f - alpha) * p->sigma[i];
  }
}

void mbrl_plan_cem(mbrl_planner *p, const float *obs, float *act) {
  const size_t HA = (size_t)p->cfg.H * p->act_dim;
  for (int it = 0; it < p->cfg.cem_iters; it++) {
    if (it == 0)
      mbrl_plan_uniform(p, p->cand, (size_t)p->cfg.N * p->cfg.H);
    else
      sample_gaussian(p);
    mbrl_planner_evaluate(p, obs);
    mbrl_plan_count_nan(p);
    select_elites(p);
    refit(p, it);
  }
  memcpy(p->plan, p->mu, HA * sizeof(float));
  mbrl_plan_clip(p, p->plan, (size_t)p->cfg.H);
  memcpy(act, p->plan, (size_t)p->act_dim * sizeof(float));
}

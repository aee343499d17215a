/* iCEM, the improved cross-entropy method: colored-noise samples clipped to the bounds, a
 * population that shrinks each iteration, elites kept between iterations and (shifted) between
 * steps, the mean among the last iteration's candidates, the mean and std refitted with momentum.
 *
 * Step by step: mu starts as the last step's, shifted by one (its last step at the middle of the
 * bounds; all of it there at an episode's start), std at init_std half ranges. Iteration i scores
 * N_i = max(ceil(N decay^-i), 2 J) candidates (J elites): mu + std x noise, the noise a
 * power-law (1/f^exponent) Gaussian sequence along the horizon per action entry, clipped; at
 * i = 0 the last step's kept elites, shifted, take the place of samples (their last step from the
 * samples); at i > 0 this step's kept elites of the previous iteration; in the last iteration mu
 * itself. Kept elites are the best ceil(keep x J). Then mu <- m mu + (1 - m) mean(elites) and the
 * std alike with the elites' population std, m the momentum. The plan is the final mu. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "plan/plan_impl.h"

typedef struct {
  int iters;        /* icem_iterations (3) */
  float elites;     /* icem_elite_ratio, elites per sequence of N (0.1) */
  float decay;      /* icem_population_decay (1.25) */
  float exponent;   /* icem_noise_exponent, colored noise 1/f^exponent (3) */
  float keep;       /* icem_keep_elites, fraction of elites kept (0.3) */
  float momentum;   /* icem_momentum, share of the old mean and std kept at a refit (0.1) */
  float init_std;   /* icem_init_std, in half action ranges (0.5) */
} icem_options;

static const mbrl_field icem_fields[] = {
    MBRL_CFG_INT(icem_options, iters, "icem_iterations", NULL, 1, 1000, 3, "iCEM iterations per step"),
    MBRL_CFG_FLOAT(icem_options, elites, "icem_elite_ratio", NULL, 1e-6, 0.5, 0.1f,
                   "iCEM elites, as a fraction of mpc_num_action_sequences"),
    MBRL_CFG_FLOAT(icem_options, decay, "icem_population_decay", NULL, 1, 100, 1.25f,
                   "iCEM population divided by this at each iteration"),
    MBRL_CFG_FLOAT(icem_options, exponent, "icem_noise_exponent", NULL, 0, 10, 3,
                   "iCEM colored noise: power spectrum 1/f^exponent (0: white)"),
    MBRL_CFG_FLOAT(icem_options, keep, "icem_keep_elites", NULL, 0, 1, 0.3f,
                   "iCEM fraction of elites kept for the next iteration and step"),
    MBRL_CFG_FLOAT(icem_options, momentum, "icem_momentum", NULL, 0, 1, 0.1f,
                   "iCEM share of the old mean and std kept at each refit (iCEM's alpha)"),
    MBRL_CFG_FLOAT(icem_options, init_std, "icem_init_std", NULL, 1e-6, 1e3, 0.5f,
                   "iCEM initial std, in half action ranges"),
};
static const mbrl_config_table icem_table = {"icem", icem_fields, (int)(sizeof icem_fields / sizeof *icem_fields)};

typedef struct {
  icem_options o;
  int N, H, A, J, K;  /* sequences, horizon, act_dim, elites, kept elites */
  float *cand;        /* (N x H x act_dim) candidate sequences */
  float *score;       /* (N) their predicted returns */
  int *elite;         /* (J) indices of the best candidates */
  float *kept;        /* (K x H x act_dim) the kept elites */
  int n_kept;         /* how many kept is holds (0 at an episode's start) */
  float *mu, *sd;     /* (H x act_dim) the sampling mean and std */
  int have_mu;        /* mu holds the last step's solution, shifted */
  float *basis;       /* (H x F x 2) the inverse DFT's cosines and sines, F = H / 2 + 1 */
  float *amp;         /* (F) each frequency's amplitude */
  float *z;           /* (2 F) one sequence's random spectrum */
} icem;

/* the inverse real DFT's basis and the power-law amplitudes, scaled so every step of a sequence
 * has unit variance */
static void noise_init(icem *c) {
  const int H = c->H, F = H / 2 + 1;
  c->basis = mbrl_alloc((size_t)H * F * 2 * sizeof(float));
  c->amp = mbrl_alloc((size_t)F * sizeof(float));
  c->z = mbrl_alloc((size_t)F * 2 * sizeof(float));
  double var = 0.0;
  for (int k = 0; k < F; k++) {
    double f = k > 0 ? (double)k / H : 1.0 / H; /* the lowest frequency stands in for 0 */
    double a = pow(f, -0.5 * c->o.exponent);
    /* the constant and (even H) the highest term are real and enter once: their share of the
     * variance equals one complex term's */
    int edge = k == 0 || 2 * k == H;
    c->amp[k] = (float)(edge ? a * sqrt(2.0) : a);
    var += edge ? 2.0 * a * a : 4.0 * a * a;
  }
  const double norm = H / sqrt(var);
  for (int k = 0; k < F; k++) c->amp[k] = (float)(c->amp[k] * norm);
  for (int t = 0; t < H; t++)
    for (int k = 0; k < F; k++) {
      int edge = k == 0 || 2 * k == H;
      double ang = 2.0 * M_PI * k * t / H, m = (edge ? 1.0 : 2.0) / H;
      c->basis[((size_t)t * F + k) * 2] = (float)(m * cos(ang));
      c->basis[((size_t)t * F + k) * 2 + 1] = (float)(-m * sin(ang));
    }
}

/* one colored-noise sequence of H steps into x with stride A (unit variance per step) */
static void noise_sequence(icem *c, mbrl_rng *rng, float *x) {
  const int H = c->H, F = H / 2 + 1;
  mbrl_rng_fill_normal(rng, c->z, (size_t)2 * F, 0.0f, 1.0f);
  for (int k = 0; k < F; k++) c->z[2 * k] *= c->amp[k], c->z[2 * k + 1] *= c->amp[k];
  c->z[1] = 0.0f;                      /* the constant term is real */
  if (H % 2 == 0) c->z[2 * F - 1] = 0.0f; /* and so is the highest of an even length */
  for (int t = 0; t < H; t++) {
    const float *b = c->basis + (size_t)t * F * 2;
    float s = 0.0f;
    for (int j = 0; j < 2 * F; j++) s += b[j] * c->z[j];
    x[(size_t)t * c->A] = s;
  }
}

static int icem_init(mbrl_planner *p, void *self, char *err, size_t err_sz) {
  icem *c = self;
  mbrl_planner_options(p, &c->o, sizeof c->o);
  c->N = mbrl_planner_N(p), c->H = mbrl_planner_H(p), c->A = mbrl_planner_act_dim(p);
  c->J = (int)lround(c->o.elites * c->N);
  if (c->J < 1) c->J = 1;
  c->K = (int)ceil(c->o.keep * c->J);
  if (c->o.iters < 1 || 2 * c->J > c->N || !(c->o.decay >= 1.0f) || !(c->o.exponent >= 0.0f) ||
      !(c->o.keep >= 0.0f && c->o.keep <= 1.0f) || !(c->o.momentum >= 0.0f && c->o.momentum <= 1.0f) ||
      !(c->o.init_std > 0.0f))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "iCEM needs iterations >= 1, at least twice its %d elites among %d sequences, decay >= 1, "
                     "exponent >= 0, keep and momentum in [0, 1] and init_std > 0",
                     c->J, c->N);
  const size_t HA = (size_t)c->H * c->A;
  c->cand = mbrl_alloc((size_t)c->N * HA * sizeof(float));
  c->score = mbrl_alloc((size_t)c->N * sizeof(float));
  c->elite = mbrl_alloc((size_t)c->J * sizeof(int));
  c->kept = mbrl_alloc(((size_t)c->K + 1) * HA * sizeof(float));
  c->mu = mbrl_alloc(HA * sizeof(float));
  c->sd = mbrl_alloc(HA * sizeof(float));
  noise_init(c);
  return MBRL_OK;
}

static void icem_release(void *self) {
  icem *c = self;
  mbrl_free(c->cand), mbrl_free(c->score), mbrl_free(c->elite), mbrl_free(c->kept);
  mbrl_free(c->mu), mbrl_free(c->sd), mbrl_free(c->basis), mbrl_free(c->amp), mbrl_free(c->z);
}

/* candidates [from, to) as mu + sd x colored noise, clipped */
static void sample(mbrl_planner *p, icem *c, int from, int to) {
  const size_t HA = (size_t)c->H * c->A;
  mbrl_rng *rng = mbrl_planner_rng(p);
  for (int n = from; n < to; n++) {
    float *x = c->cand + (size_t)n * HA;
    for (int d = 0; d < c->A; d++) noise_sequence(c, rng, x + d);
    for (size_t i = 0; i < HA; i++) x[i] = c->mu[i] + c->sd[i] * x[i];
    mbrl_planner_clip(p, x, (size_t)c->H);
  }
}

/* mean and population std of the elites, blended into mu and sd with the momentum */
static void refit(icem *c) {
  const int J = c->J;
  const size_t HA = (size_t)c->H * c->A;
  const float m = c->o.momentum;
  for (size_t i = 0; i < HA; i++) {
    double s = 0.0, v = 0.0;
    for (int j = 0; j < J; j++) s += c->cand[(size_t)c->elite[j] * HA + i];
    s /= J;
    for (int j = 0; j < J; j++) {
      double u = c->cand[(size_t)c->elite[j] * HA + i] - s;
      v += u * u;
    }
    c->mu[i] = m * c->mu[i] + (1.0f - m) * (float)s;
    c->sd[i] = m * c->sd[i] + (1.0f - m) * (float)sqrt(v / J);
  }
}

static int icem_plan(mbrl_planner *p, void *self, const float *obs, float *plan) {
  icem *c = self;
  const int A = c->A;
  const size_t HA = (size_t)c->H * A;
  const float *low = mbrl_planner_low(p), *high = mbrl_planner_high(p);
  if (!c->have_mu)
    for (size_t i = 0; i < HA; i++) c->mu[i] = 0.5f * (low[i % A] + high[i % A]);
  for (size_t i = 0; i < HA; i++) c->sd[i] = c->o.init_std * 0.5f * (high[i % A] - low[i % A]);
  for (int it = 0; it < c->o.iters; it++) {
    double want = ceil(c->N * pow(c->o.decay, -it));
    int n = want < 2 * c->J ? 2 * c->J : (int)want;
    if (n > c->N) n = c->N;
    const int last = it == c->o.iters - 1, kept = c->n_kept < n - last ? c->n_kept : n - last;
    sample(p, c, 0, n - kept - last);
    float *x = c->cand + (size_t)(n - kept - last) * HA;
    for (int k = 0; k < kept; k++, x += HA) {
      if (it == 0) { /* shifted a step, the last step from a sample (or the mean without one) */
        const int sampled = n - kept - last;
        memcpy(x, c->kept + (size_t)k * HA + A, (HA - A) * sizeof(float));
        memcpy(x + HA - A, sampled ? c->cand + (size_t)(k % sampled) * HA + HA - A : c->mu + HA - A,
               (size_t)A * sizeof(float));
      } else {
        memcpy(x, c->kept + (size_t)k * HA, HA * sizeof(float));
      }
    }
    if (last) memcpy(x, c->mu, HA * sizeof(float)), mbrl_planner_clip(p, x, (size_t)c->H);
    int rc = mbrl_planner_score(p, obs, c->cand, n, c->score);
    if (rc) return rc;
    mbrl_planner_top(c->score, n, c->J, c->elite);
    c->n_kept = c->K;
    for (int k = 0; k < c->K; k++) memcpy(c->kept + (size_t)k * HA, c->cand + (size_t)c->elite[k] * HA, HA * sizeof(float));
    refit(c);
  }
  memcpy(plan, c->mu, HA * sizeof(float));
  return MBRL_OK;
}

/* the mean one step on, its last step back at the middle of the bounds; the kept elites are
 * shifted when the next step uses them */
static void icem_shift(mbrl_planner *p, void *self) {
  icem *c = self;
  mbrl_planner_shift_sequence(p, c->mu);
  c->have_mu = 1;
}

static void icem_reset(mbrl_planner *p, void *self) {
  (void)p;
  icem *c = self;
  c->have_mu = 0, c->n_kept = 0;
}

const mbrl_planner_class mbrl_planner_icem = {
    .name = "icem",
    .about = "iCEM: colored-noise CEM with population decay, kept elites and a warm start",
    .options = &icem_table,
    .self_size = sizeof(icem),
    .init = icem_init,
    .plan = icem_plan,
    .shift = icem_shift,
    .reset = icem_reset,
    .release = icem_release,
};

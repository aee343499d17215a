/* The learned dynamics model: data statistics, normalised training steps on the replay buffer,
 * fused prediction for planners, and safetensors save and load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/checkpoint.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"

#define NORM_EPS 1e-8f
/* PETS's initial log-variance bounds and the weight of their penalty */
#define LOGVAR_MIN0 -10.0f
#define LOGVAR_MAX0 0.5f
#define LOGVAR_PENALTY 0.01f

/* the network's outputs per row: the change, and its raw log-variance when probabilistic */
static int out_dim(const mbrl_dynamics_config *c) { return c->probabilistic ? 2 * c->obs_dim : c->obs_dim; }

/* the state features per row: obs_dim, then a cosine per angle */
static int feat_dim(const mbrl_dynamics *dyn) { return dyn->cfg.obs_dim + dyn->n_angles; }

/* the per-layer weight decays of text (n_layers + 1 values, each in [0, 1]) as a decay per parameter
 * of net, weights decayed and biases not (PETS's); NULL for an empty text, NULL with a message in
 * err for a bad one */
static float *layer_decays(const char *text, const mbrl_ensemble *net, char *err, size_t err_sz) {
  if (!*text) return NULL;
  float wd[MBRL_MAX_LAYERS];
  int n = 0;
  for (const char *p = text;; p++) {
    char *end;
    double v = strtod(p, &end);
    if (end == p || !(v >= 0.0 && v <= 1.0) || n == net->n_layers || (*end && *end != ',')) {
      mbrl_errf(err, err_sz, -1, "layer_weight_decay '%s': %d comma-separated decays in [0, 1], one per layer",
                text, net->n_layers);
      return NULL;
    }
    wd[n++] = (float)v;
    if (!*(p = end)) break;
  }
  if (n != net->n_layers) {
    mbrl_errf(err, err_sz, -1, "layer_weight_decay '%s': %d decays for %d layers", text, n, net->n_layers);
    return NULL;
  }
  float *decay = mbrl_alloc(net->n_params * sizeof(float)); /* zeroed: the biases */
  for (int l = 0; l < net->n_layers; l++) {
    size_t at = (size_t)(net->w[l] - net->params), len = (size_t)net->cfg.E * net->dim[l + 1] * net->dim[l];
    for (size_t i = 0; i < len; i++) decay[at + i] = wd[l];
  }
  return decay;
}

/* the observation indices of text ("1", "0,3", or empty) into angles (obs_dim), ascending and
 * distinct; returns their number or -1 with a message */
static int parse_angles(const char *text, int obs_dim, int *angles, char *err, size_t err_sz) {
  int n = 0;
  for (const char *p = text; *text; p++) {
    char *end;
    long j = strtol(p, &end, 10);
    if (end == p || j < 0 || j >= obs_dim || (n > 0 && j <= angles[n - 1]) || (*end && *end != ','))
      return mbrl_errf(err, err_sz, -1, "angle_dims '%s': comma-separated ascending observation indices below %d",
                       text, obs_dim);
    angles[n++] = (int)j;
    if (!*(p = end)) break;
  }
  return n;
}

_Static_assert(sizeof(mbrl_act) == sizeof(int), "activations are stored as int");

static const mbrl_field dyn_fields[] = {
    MBRL_CFG_INT(mbrl_dynamics_config, E, "ensemble_size", "-e", 1, 64, 3, "ensemble members"),
    MBRL_CFG_INT(mbrl_dynamics_config, n_layers, "n_layers", "-l", 0, MBRL_MAX_LAYERS - 1, 2, "model hidden layers"),
    MBRL_CFG_INT(mbrl_dynamics_config, size, "size", "-s", 1, 65536, 250, "model hidden width"),
    MBRL_CFG_CHOICE(mbrl_dynamics_config, act, "activation", NULL, mbrl_act_names, MBRL_ACT_TANH,
                    "model hidden activation: tanh, relu, silu"),
    MBRL_CFG_FLOAT(mbrl_dynamics_config, lr, "learning_rate", "-lr", 1e-12, 10, 1e-3, "model Adam learning rate"),
    MBRL_CFG_INT(mbrl_dynamics_config, train_batch_size, "train_batch_size", "-tb", 1, 1e6, 512,
                 "rows per member per training step"),
    MBRL_CFG_BOOL(mbrl_dynamics_config, bootstrap, "bootstrap", NULL, 0, "members sample their rows with replacement"),
    MBRL_CFG_BOOL(mbrl_dynamics_config, probabilistic, "probabilistic", NULL, 0,
                  "members predict a Gaussian, trained by negative log-likelihood (PETS)"),
    MBRL_CFG_FLOAT(mbrl_dynamics_config, weight_decay, "weight_decay", NULL, 0, 1, 0,
                   "model weight decay, added to the gradient as PyTorch's Adam does"),
    MBRL_CFG_STRING(mbrl_dynamics_config, layer_weight_decay, "layer_weight_decay", NULL, "",
                    "a weight decay per layer, comma-separated, on the weights only (PETS's); replaces weight_decay"),
    MBRL_CFG_FLOAT(mbrl_dynamics_config, validation_ratio, "validation_ratio", NULL, 0, 0.9, 0,
                   "share of the data a model fit holds out to choose each member's best epoch and the elites"),
    MBRL_CFG_INT(mbrl_dynamics_config, patience, "patience", NULL, 0, 1e6, 0,
                 "epochs without a member improving on validation before a fit stops (0: never)"),
    MBRL_CFG_INT(mbrl_dynamics_config, num_elites, "num_elites", NULL, 0, 64, 0,
                 "members predictions use, the best on validation (0: all)"),
    MBRL_CFG_STRING(mbrl_dynamics_config, angle_dims, "angle_dims", NULL, "",
                    "observation indices (comma-separated) the networks see as their sine and cosine"),
};
const mbrl_config_table mbrl_dynamics_table = {"dynamics model", dyn_fields,
                                               (int)(sizeof dyn_fields / sizeof *dyn_fields)};

int mbrl_dynamics_n_elites(const mbrl_dynamics *dyn) {
  return dyn->cfg.num_elites > 0 ? dyn->cfg.num_elites : dyn->cfg.E;
}

mbrl_dynamics_config mbrl_dynamics_defaults(int obs_dim, int act_dim) {
  mbrl_dynamics_config c;
  memset(&c, 0, sizeof c);
  mbrl_config_defaults(&mbrl_dynamics_table, &c);
  c.obs_dim = obs_dim, c.act_dim = act_dim;
  return c;
}

int mbrl_dynamics_init(mbrl_dynamics *dyn, const mbrl_dynamics_config *cfg, mbrl_rng *rng, char *err,
                       size_t err_sz) {
  memset(dyn, 0, sizeof *dyn);
  if (cfg->obs_dim < 1 || cfg->act_dim < 1 || cfg->train_batch_size < 1 || !(cfg->lr > 0.0f))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "bad dynamics model: obs_dim %d, act_dim %d, train_batch_size %d, lr %g "
                     "(all must be positive)",
                     cfg->obs_dim, cfg->act_dim, cfg->train_batch_size, (double)cfg->lr);
  if (cfg->num_elites < 0 || cfg->num_elites > cfg->E)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "num_elites %d of %d members", cfg->num_elites, cfg->E);
  if (cfg->probabilistic && cfg->obs_dim > MBRL_NLL_MAX_D)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "a probabilistic model predicts at most %d dimensions, not %d",
                     MBRL_NLL_MAX_D, cfg->obs_dim);
  int *angles = mbrl_alloc((size_t)cfg->obs_dim * sizeof(int));
  const int n_angles = parse_angles(cfg->angle_dims, cfg->obs_dim, angles, err, err_sz);
  if (n_angles < 0) {
    mbrl_free(angles);
    return MBRL_EINVAL;
  }
  mbrl_mlp_config mc = {.E = cfg->E,
                        .in = cfg->obs_dim + n_angles + cfg->act_dim,
                        .out = out_dim(cfg),
                        .n_hidden = cfg->n_layers,
                        .hidden = cfg->size,
                        .act = cfg->act,
                        .out_act = MBRL_ACT_IDENTITY};
  int rc = mbrl_ensemble_init(&dyn->net, &mc, rng, err, err_sz);
  if (rc) {
    mbrl_free(angles);
    return rc;
  }
  float *decay = layer_decays(cfg->layer_weight_decay, &dyn->net, err, err_sz);
  if (*cfg->layer_weight_decay && !decay) {
    mbrl_ensemble_free(&dyn->net);
    mbrl_free(angles);
    return MBRL_EINVAL;
  }
  dyn->cfg = *cfg;
  dyn->angles = angles, dyn->n_angles = n_angles, dyn->decay = decay;
  mbrl_rng_split(&dyn->rng, rng, 0x64796e); /* "dyn" */
  mbrl_adam_init(&dyn->opt, dyn->net.n_params, cfg->lr);
  dyn->opt.weight_decay = cfg->weight_decay, dyn->opt.decay = decay;
  const size_t E = (size_t)cfg->E, tb = (size_t)cfg->train_batch_size;
  const size_t O = (size_t)cfg->obs_dim, A = (size_t)cfg->act_dim, Y = (size_t)out_dim(cfg);
  const size_t F = (size_t)feat_dim(dyn);
  if (cfg->probabilistic) {
    dyn->logvar = mbrl_alloc(2 * O * sizeof(float));
    dyn->logvar_grad = mbrl_alloc(2 * O * sizeof(float));
    dyn->logvar_min = dyn->logvar, dyn->logvar_max = dyn->logvar + O;
    for (size_t j = 0; j < O; j++) dyn->logvar_min[j] = LOGVAR_MIN0, dyn->logvar_max[j] = LOGVAR_MAX0;
    mbrl_adam_init(&dyn->logvar_opt, 2 * O, cfg->lr);
  }
  mbrl_ensemble_work_init(&dyn->work, &dyn->net, cfg->train_batch_size);
  dyn->stats = mbrl_alloc((2 * F + 2 * O + 2 * A) * sizeof(float));
  dyn->obs_mean = dyn->stats, dyn->obs_std = dyn->obs_mean + F;
  dyn->act_mean = dyn->obs_std + F, dyn->act_std = dyn->act_mean + A;
  dyn->delta_mean = dyn->act_std + A, dyn->delta_std = dyn->delta_mean + O;
  dyn->acc = mbrl_alloc((3 * F + 2 * O + 2 * A) * sizeof(double));
  dyn->idx = mbrl_alloc(E * tb * sizeof(int));
  dyn->s = mbrl_alloc(E * tb * O * sizeof(float));
  dyn->a = mbrl_alloc(E * tb * A * sizeof(float));
  dyn->s2 = mbrl_alloc(E * tb * O * sizeof(float));
  dyn->x = mbrl_alloc(E * tb * (F + A) * sizeof(float));
  dyn->target = mbrl_alloc(E * tb * O * sizeof(float));
  dyn->dy = mbrl_alloc(E * tb * Y * sizeof(float));
  dyn->elite = mbrl_alloc(E * sizeof(int));
  dyn->val_score = mbrl_alloc(E * sizeof(float));
  for (size_t e = 0; e < E; e++) dyn->elite[e] = (int)e, dyn->val_score[e] = NAN;
  return MBRL_OK;
}

void mbrl_dynamics_free(mbrl_dynamics *dyn) {
  if (!dyn) return;
  mbrl_ensemble_work_free(&dyn->work);
  mbrl_ensemble_free(&dyn->net);
  mbrl_adam_free(&dyn->opt);
  mbrl_adam_free(&dyn->logvar_opt);
  mbrl_free(dyn->logvar), mbrl_free(dyn->logvar_grad), mbrl_free(dyn->elite), mbrl_free(dyn->val_score);
  mbrl_free(dyn->angles), mbrl_free(dyn->decay);
  mbrl_free(dyn->stats), mbrl_free(dyn->acc), mbrl_free(dyn->idx);
  mbrl_free(dyn->s), mbrl_free(dyn->a), mbrl_free(dyn->s2);
  mbrl_free(dyn->x), mbrl_free(dyn->target), mbrl_free(dyn->dy);
  memset(dyn, 0, sizeof *dyn);
}

/* ---- statistics ---- */

/* the state features of s (obs_dim): s with each angle's entry replaced by its sine, then the
 * angles' cosines (feat_dim) */
static void features(const mbrl_dynamics *dyn, const float *s, double *f) {
  const int O = dyn->cfg.obs_dim;
  for (int j = 0; j < O; j++) f[j] = s[j];
  for (int q = 0; q < dyn->n_angles; q++) {
    double th = s[dyn->angles[q]];
    f[dyn->angles[q]] = sin(th), f[O + q] = cos(th);
  }
}

int mbrl_dynamics_update_stats(mbrl_dynamics *dyn, const mbrl_buffer *buf, char *err, size_t err_sz) {
  const int O = dyn->cfg.obs_dim, A = dyn->cfg.act_dim, F = feat_dim(dyn), n = buf->size;
  MBRL_ASSERT(buf->obs_dim == O && buf->act_dim == A);
  if (n == 0) return mbrl_errf(err, err_sz, MBRL_EINVAL, "no transitions to compute statistics from");
  double *sum_o = dyn->acc, *sum_a = sum_o + F, *sum_d = sum_a + A;
  double *ss_o = sum_d + O, *ss_a = ss_o + F, *ss_d = ss_a + A, *f = ss_d + O;
  const int n_acc = 2 * F + 2 * O + 2 * A;
  memset(dyn->acc, 0, (size_t)n_acc * sizeof(double));
  /* two passes in double: means, then squared deviations from them (numpy's population std) */
  for (int i = 0; i < n; i++) {
    const float *o = buf->obs + (size_t)i * O, *o2 = buf->next_obs + (size_t)i * O;
    const float *a = buf->act + (size_t)i * A;
    features(dyn, o, f);
    for (int j = 0; j < F; j++) sum_o[j] += f[j];
    for (int j = 0; j < O; j++) sum_d[j] += (double)(o2[j] - o[j]);
    for (int j = 0; j < A; j++) sum_a[j] += a[j];
  }
  for (int j = 0; j < F; j++) sum_o[j] /= n;
  for (int j = 0; j < O; j++) sum_d[j] /= n;
  for (int j = 0; j < A; j++) sum_a[j] /= n;
  for (int i = 0; i < n; i++) {
    const float *o = buf->obs + (size_t)i * O, *o2 = buf->next_obs + (size_t)i * O;
    const float *a = buf->act + (size_t)i * A;
    features(dyn, o, f);
    for (int j = 0; j < F; j++) ss_o[j] += (f[j] - sum_o[j]) * (f[j] - sum_o[j]);
    for (int j = 0; j < O; j++) {
      double v = (double)(o2[j] - o[j]) - sum_d[j];
      ss_d[j] += v * v;
    }
    for (int j = 0; j < A; j++) ss_a[j] += (a[j] - sum_a[j]) * (a[j] - sum_a[j]);
  }
  for (int j = 0; j < n_acc; j++)
    if (!isfinite(dyn->acc[j]))
      return mbrl_errf(err, err_sz, MBRL_ENUMERIC, "the replay buffer holds NaN or Inf values");
  for (int j = 0; j < F; j++) dyn->obs_mean[j] = (float)sum_o[j], dyn->obs_std[j] = (float)sqrt(ss_o[j] / n);
  for (int j = 0; j < O; j++) dyn->delta_mean[j] = (float)sum_d[j], dyn->delta_std[j] = (float)sqrt(ss_d[j] / n);
  for (int j = 0; j < A; j++) dyn->act_mean[j] = (float)sum_a[j], dyn->act_std[j] = (float)sqrt(ss_a[j] / n);
  dyn->has_stats = 1;
  return MBRL_OK;
}

/* x (rows x (F + A)) = normalised (features of s, a) for rows of s (rows x O) and a (rows x A) */
static void normalise_inputs(const mbrl_dynamics *dyn, float *x, const float *s, const float *a,
                             size_t rows) {
  const int O = dyn->cfg.obs_dim, A = dyn->cfg.act_dim, F = feat_dim(dyn);
#pragma omp parallel for schedule(static) if (rows >= 2048)
  for (size_t r = 0; r < rows; r++) {
    float *xr = x + r * (size_t)(F + A);
    const float *sr = s + r * O, *ar = a + r * A;
    for (int j = 0; j < O; j++) xr[j] = (sr[j] - dyn->obs_mean[j]) / (dyn->obs_std[j] + NORM_EPS);
    for (int q = 0; q < dyn->n_angles; q++) {
      const int j = dyn->angles[q];
      xr[j] = (sinf(sr[j]) - dyn->obs_mean[j]) / (dyn->obs_std[j] + NORM_EPS);
      xr[O + q] = (cosf(sr[j]) - dyn->obs_mean[O + q]) / (dyn->obs_std[O + q] + NORM_EPS);
    }
    for (int j = 0; j < A; j++) xr[F + j] = (ar[j] - dyn->act_mean[j]) / (dyn->act_std[j] + NORM_EPS);
  }
}

/* ---- training ---- */

static int step_on_rows(mbrl_dynamics *dyn, const mbrl_buffer *buf, int B, float *loss, char *err,
                        size_t err_sz);

int mbrl_dynamics_train_step(mbrl_dynamics *dyn, mbrl_buffer *buf, float *loss, char *err, size_t err_sz) {
  const int E = dyn->cfg.E, O = dyn->cfg.obs_dim, A = dyn->cfg.act_dim;
  MBRL_ASSERT(buf->obs_dim == O && buf->act_dim == A);
  if (loss) *loss = NAN;
  if (!dyn->has_stats)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "training before the data statistics are computed");
  if (buf->size < E)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%d transitions are too few for %d members", buf->size, E);
  /* rows per member: CS285 takes permutation(size)[:E tb], chunks of size/E when that runs short */
  int B = dyn->cfg.train_batch_size;
  if (dyn->cfg.bootstrap)
    mbrl_buffer_sample_replace(buf, &dyn->rng, dyn->idx, E * B);
  else {
    if (B > buf->size / E) B = buf->size / E;
    mbrl_buffer_sample(buf, &dyn->rng, dyn->idx, E * B);
  }
  return step_on_rows(dyn, buf, B, loss, err, err_sz);
}

/* one training step on the E x B rows of buf that dyn->idx names, member e taking the e-th B */
static int step_on_rows(mbrl_dynamics *dyn, const mbrl_buffer *buf, int B, float *loss, char *err,
                        size_t err_sz) {
  const int E = dyn->cfg.E, O = dyn->cfg.obs_dim;
  size_t rows = (size_t)E * B;
  mbrl_buffer_gather(buf, dyn->idx, E * B, dyn->s, dyn->a, NULL, dyn->s2, NULL);
  normalise_inputs(dyn, dyn->x, dyn->s, dyn->a, rows);
  for (size_t r = 0; r < rows; r++)
    for (int j = 0; j < O; j++) {
      size_t i = r * O + j;
      dyn->target[i] = ((dyn->s2[i] - dyn->s[i]) - dyn->delta_mean[j]) / (dyn->delta_std[j] + NORM_EPS);
    }
  /* the gradient of the summed member losses: each member gets that of its own */
  mbrl_ensemble_zero_grad(&dyn->net);
  const float *y = mbrl_ensemble_forward_train(&dyn->net, &dyn->work, dyn->x, B);
  float l;
  if (dyn->cfg.probabilistic) {
    float *gmin = dyn->logvar_grad, *gmax = dyn->logvar_grad + O;
    l = mbrl_gaussian_nll_loss(dyn->dy, gmin, gmax, y, dyn->target, E, B, O, dyn->logvar_min, dyn->logvar_max,
                               NULL);
    for (int j = 0; j < O; j++) {
      l += LOGVAR_PENALTY * (dyn->logvar_max[j] - dyn->logvar_min[j]);
      gmax[j] += LOGVAR_PENALTY, gmin[j] -= LOGVAR_PENALTY;
    }
  } else {
    l = mbrl_mse_loss(dyn->dy, y, dyn->target, E, B, O, NULL);
  }
  if (loss) *loss = l;
  if (!isfinite(l)) {
    dyn->skipped++;
    return mbrl_errf(err, err_sz, MBRL_ENUMERIC, "dynamics loss is %g; step skipped", (double)l);
  }
  mbrl_ensemble_backward(&dyn->net, &dyn->work, NULL, dyn->dy, dyn->x, B);
  if (!mbrl_all_finite(dyn->net.grads, dyn->net.n_params) ||
      (dyn->logvar && !mbrl_all_finite(dyn->logvar_grad, 2 * (size_t)O))) {
    dyn->skipped++;
    return mbrl_errf(err, err_sz, MBRL_ENUMERIC, "dynamics gradient is not finite; step skipped");
  }
  mbrl_adam_step(&dyn->opt, dyn->net.params, dyn->net.grads);
  if (dyn->logvar) {
    mbrl_adam_step(&dyn->logvar_opt, dyn->logvar, dyn->logvar_grad);
    /* the bounds stay ordered (the loss needs min < max) */
    for (int j = 0; j < O; j++)
      if (!(dyn->logvar_max[j] > dyn->logvar_min[j] + 1e-3f)) dyn->logvar_max[j] = dyn->logvar_min[j] + 1e-3f;
  }
  dyn->steps++;
  dyn->version++;
  return MBRL_OK;
}

/* ---- fitting with a validation split ---- */

/* copies member e's weights and biases from the parameter slab src to dst (both laid out as
 * dyn->net.params) */
static void copy_member(const mbrl_dynamics *dyn, float *dst, const float *src, int e) {
  const mbrl_ensemble *n = &dyn->net;
  for (int l = 0; l < n->n_layers; l++) {
    size_t in = (size_t)n->dim[l], out = (size_t)n->dim[l + 1];
    size_t w = (size_t)(n->w[l] - n->params) + (size_t)e * out * in, b = (size_t)(n->b[l] - n->params) + (size_t)e * out;
    memcpy(dst + w, src + w, out * in * sizeof(float));
    memcpy(dst + b, src + b, out * sizeof(float));
  }
}

/* each member's MSE of its mean normalised change on the rows idx (n) of buf, into score (E) */
static void validation_scores(mbrl_dynamics *dyn, const mbrl_buffer *buf, const int *idx, int n, double *score) {
  const int E = dyn->cfg.E, O = dyn->cfg.obs_dim, Y = out_dim(&dyn->cfg), chunk = dyn->cfg.train_batch_size;
  for (int e = 0; e < E; e++) score[e] = 0.0;
  for (int at = 0; at < n; at += chunk) {
    const int B = n - at < chunk ? n - at : chunk;
    /* every member sees the same rows */
    for (int e = 0; e < E; e++) memcpy(dyn->idx + (size_t)e * B, idx + at, (size_t)B * sizeof(int));
    const size_t rows = (size_t)E * B;
    mbrl_buffer_gather(buf, dyn->idx, (int)rows, dyn->s, dyn->a, NULL, dyn->s2, NULL);
    normalise_inputs(dyn, dyn->x, dyn->s, dyn->a, rows);
    const float *y = mbrl_ensemble_forward_train(&dyn->net, &dyn->work, dyn->x, B);
    for (size_t r = 0; r < rows; r++)
      for (int j = 0; j < O; j++) {
        size_t i = r * O + j;
        float t = ((dyn->s2[i] - dyn->s[i]) - dyn->delta_mean[j]) / (dyn->delta_std[j] + NORM_EPS);
        double d = y[r * Y + j] - t;
        score[r / B] += d * d;
      }
  }
  for (int e = 0; e < E; e++) score[e] /= (double)n * O;
}

int mbrl_dynamics_fit(mbrl_dynamics *dyn, mbrl_buffer *buf, int epochs, float *losses, mbrl_dynamics_fit_info *info,
                      char *err, size_t err_sz) {
  const int E = dyn->cfg.E, tb = dyn->cfg.train_batch_size;
  MBRL_ASSERT(buf->obs_dim == dyn->cfg.obs_dim && buf->act_dim == dyn->cfg.act_dim && epochs >= 0);
  mbrl_dynamics_fit_info fi = {.loss = NAN, .val_score = NAN};
  if (!dyn->has_stats)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "training before the data statistics are computed");
  const int n = buf->size, n_val = (int)((double)n * dyn->cfg.validation_ratio), n_train = n - n_val;
  if (n_train < E)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%d training transitions are too few for %d members", n_train, E);
  /* a fresh split: validation rows first, then training rows (all rows in order without one, so
   * bootstrap draws are those of mbrl_dynamics_train_step) */
  int *perm = mbrl_alloc((size_t)n * sizeof(int)), *train = perm + n_val;
  if (n_val)
    mbrl_rng_permutation(&dyn->rng, perm, n);
  else
    for (int i = 0; i < n; i++) perm[i] = i;
  const size_t n_params = dyn->net.n_params;
  float *best = n_val ? mbrl_alloc(n_params * sizeof(float)) : NULL;
  double score[64], best_score[64];
  MBRL_ASSERT(E <= 64); /* the table's bound on members */
  if (n_val) {
    validation_scores(dyn, buf, perm, n_val, best_score);
    memcpy(best, dyn->net.params, n_params * sizeof(float));
  }
  int rc = MBRL_OK, stall = 0;
  const int per_epoch = (n_train + tb - 1) / tb;
  for (int ep = 0; ep < epochs && !rc; ep++) {
    for (int k = 0; k < per_epoch && !rc; k++) {
      /* each member draws its rows among the training ones: with replacement (bootstrap), else
       * distinct chunks of a shuffle */
      int B = tb;
      if (dyn->cfg.bootstrap) {
        for (int i = 0; i < E * B; i++) dyn->idx[i] = train[mbrl_rng_below(&dyn->rng, (uint64_t)n_train)];
      } else {
        if (B > n_train / E) B = n_train / E;
        for (int i = 0; i < E * B; i++) {
          int j = i + (int)mbrl_rng_below(&dyn->rng, (uint64_t)(n_train - i));
          int t = train[i];
          train[i] = train[j], train[j] = t;
          dyn->idx[i] = train[i];
        }
      }
      rc = step_on_rows(dyn, buf, B, &fi.loss, err, err_sz);
      if (rc == MBRL_ENUMERIC) rc = MBRL_OK; /* skipped and counted */
      if (losses) losses[fi.steps] = fi.loss;
      fi.steps++;
    }
    fi.epochs = ep + 1;
    if (rc || !n_val) continue;
    /* each member keeps its best epoch; the fit stops when none improved by 1% for patience epochs */
    validation_scores(dyn, buf, perm, n_val, score);
    int improved = 0;
    for (int e = 0; e < E; e++)
      if (score[e] < best_score[e]) {
        improved |= (best_score[e] - score[e]) > 0.01 * best_score[e];
        best_score[e] = score[e];
        copy_member(dyn, best, dyn->net.params, e);
      }
    stall = improved ? 0 : stall + 1;
    if (dyn->cfg.patience > 0 && stall >= dyn->cfg.patience) break;
  }
  if (!rc && n_val) {
    memcpy(dyn->net.params, best, n_params * sizeof(float));
    dyn->version++;
    /* the elites: members by validation score, best first */
    for (int e = 0; e < E; e++) dyn->val_score[e] = (float)best_score[e];
    if (mbrl_dynamics_n_elites(dyn) < E) {
      for (int e = 0; e < E; e++) dyn->elite[e] = e;
      for (int i = 1; i < E; i++)
        for (int j = i; j > 0 && best_score[dyn->elite[j]] < best_score[dyn->elite[j - 1]]; j--) {
          int t = dyn->elite[j];
          dyn->elite[j] = dyn->elite[j - 1], dyn->elite[j - 1] = t;
        }
    }
    const int K = mbrl_dynamics_n_elites(dyn);
    double m = 0.0;
    for (int k = 0; k < K; k++) m += best_score[dyn->elite[k]] / K;
    fi.val_score = (float)m;
  }
  mbrl_free(perm), mbrl_free(best);
  if (info) *info = fi;
  return rc;
}

/* ---- prediction ---- */

void mbrl_dynamics_work_init(mbrl_dynamics_work *w, const mbrl_dynamics *dyn, int max_B) {
  MBRL_ASSERT(max_B >= 1);
  memset(w, 0, sizeof *w);
  w->dyn = dyn;
  w->max_B = max_B;
  mbrl_ensemble_infer_init(&w->net, &dyn->net, MBRL_PRECISION_FP32, max_B);
  w->version = dyn->version;
  size_t rows = (size_t)dyn->cfg.E * max_B, O = (size_t)dyn->cfg.obs_dim;
  w->x = mbrl_alloc(rows * ((size_t)feat_dim(dyn) + (size_t)dyn->cfg.act_dim) * sizeof(float));
  w->y = mbrl_alloc(rows * (size_t)out_dim(&dyn->cfg) * sizeof(float));
  if (dyn->cfg.probabilistic) w->noise = mbrl_alloc(rows * O * sizeof(float));
}

void mbrl_dynamics_work_free(mbrl_dynamics_work *w) {
  if (!w) return;
  mbrl_ensemble_infer_free(&w->net);
  mbrl_free(w->x), mbrl_free(w->y), mbrl_free(w->noise);
  mbrl_ensemble_work_free(&w->grad_work);
  mbrl_ensemble_free(&w->grad_net);
  mbrl_free(w->gx), mbrl_free(w->gdy), mbrl_free(w->gdx);
  memset(w, 0, sizeof *w);
}

mbrl_precision mbrl_dynamics_work_set_precision(mbrl_dynamics_work *w, mbrl_precision p) {
  if (p == MBRL_PRECISION_BF16 && !mbrl_bf16_native()) p = MBRL_PRECISION_FP32;
  if (p != w->net.precision) {
    mbrl_ensemble_infer_free(&w->net);
    mbrl_ensemble_infer_init(&w->net, &w->dyn->net, p, w->max_B);
    w->version = w->dyn->version;
  }
  return p;
}

int mbrl_dynamics_sample(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *states, const float *acts,
                         float *next_states, float *var, int B, mbrl_rng *rng) {
  MBRL_ASSERT(B >= 0 && B <= w->max_B && w->dyn == dyn);
  if (!dyn->has_stats) return MBRL_EINVAL;
  const int O = dyn->cfg.obs_dim, A = dyn->cfg.act_dim, Y = out_dim(&dyn->cfg), gauss = dyn->cfg.probabilistic;
  const int K = mbrl_dynamics_n_elites(dyn); /* member k of the input is the network's member elite[k] */
  const size_t rows = (size_t)K * B, I = (size_t)(feat_dim(dyn) + A);
  if (w->version != dyn->version) {
    mbrl_ensemble_infer_sync(&w->net);
    w->version = dyn->version;
  }
  /* the normalised inputs go straight into the copy, through w->x in bf16; every member of the
   * network runs, those that are not elites on what their rows last held */
  float *x = w->net.precision == MBRL_PRECISION_BF16 ? w->x : w->net.x;
  for (int k = 0; k < K; k++)
    normalise_inputs(dyn, x + (size_t)dyn->elite[k] * B * I, states + (size_t)k * B * O, acts + (size_t)k * B * A,
                     (size_t)B);
  if (w->net.precision == MBRL_PRECISION_BF16)
    mbrl_bf16_from_f32(w->net.x, w->x, (size_t)dyn->cfg.E * B * I);
  mbrl_ensemble_infer_forward_x(&w->net, w->y, B);
  const int draw = gauss && rng;
  if (draw) mbrl_rng_fill_normal(rng, w->noise, rows * (size_t)O, 0.0f, 1.0f);
#pragma omp parallel for schedule(static) if (rows >= 2048)
  for (size_t r = 0; r < rows; r++) {
    const float *s = states + r * O, *d = w->y + ((size_t)dyn->elite[r / B] * B + r % B) * Y;
    float *s2 = next_states + r * O;
    for (int j = 0; j < O; j++) s2[j] = s[j] + d[j] * dyn->delta_std[j] + dyn->delta_mean[j];
    if (!gauss || (!draw && !var)) continue;
    for (int j = 0; j < O; j++) {
      float lv = mbrl_bounded_logvar(d[O + j], dyn->logvar_min[j], dyn->logvar_max[j]);
      float sd = expf(0.5f * lv) * dyn->delta_std[j];
      if (draw) s2[j] += sd * w->noise[r * O + j];
      if (var) var[r * O + j] = sd * sd;
    }
  }
  return MBRL_OK;
}

int mbrl_dynamics_predict(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *states,
                          const float *acts, float *next_states, int B) {
  return mbrl_dynamics_sample(dyn, w, states, acts, next_states, NULL, B, NULL);
}

int mbrl_dynamics_vjp(const mbrl_dynamics *dyn, mbrl_dynamics_work *w, const float *states, const float *acts,
                      const float *d_next, float *d_states, float *d_acts, int B) {
  MBRL_ASSERT(B >= 0 && B <= w->max_B && w->dyn == dyn);
  if (!dyn->has_stats) return MBRL_EINVAL;
  const int O = dyn->cfg.obs_dim, A = dyn->cfg.act_dim, F = feat_dim(dyn), I = F + A;
  const int K = mbrl_dynamics_n_elites(dyn);
  const size_t rows = (size_t)K * B, cap = (size_t)dyn->cfg.E * w->max_B;
  if (!w->gx) {
    /* a network of the same shape whose gradients are the product's own */
    mbrl_rng r;
    mbrl_rng_init(&r, 0, 0);
    int rc = mbrl_ensemble_init(&w->grad_net, &dyn->net.cfg, &r, NULL, 0);
    MBRL_ASSERT(rc == MBRL_OK); /* the shape of a network that exists */
    mbrl_ensemble_work_init(&w->grad_work, &w->grad_net, w->max_B);
    w->gx = mbrl_alloc(cap * I * sizeof(float));
    w->gdy = mbrl_alloc(cap * (size_t)out_dim(&dyn->cfg) * sizeof(float)); /* log-variance columns stay 0 */
    w->gdx = mbrl_alloc(cap * I * sizeof(float));
    w->grad_version = dyn->version - 1;
  }
  if (w->grad_version != dyn->version) {
    memcpy(w->grad_net.params, dyn->net.params, dyn->net.n_params * sizeof(float));
    w->grad_version = dyn->version;
  }
  /* next = s + d delta_std + delta_mean with d = net(normalised s, a); input member k runs on
   * the network's member elite[k], the others' rows get no gradient */
  const int Y = out_dim(&dyn->cfg); /* the product is that of the mean */
  if (K < dyn->cfg.E) memset(w->gdy, 0, (size_t)dyn->cfg.E * B * Y * sizeof(float));
  for (int k = 0; k < K; k++)
    normalise_inputs(dyn, w->gx + (size_t)dyn->elite[k] * B * I, states + (size_t)k * B * O,
                     acts + (size_t)k * B * A, (size_t)B);
  mbrl_ensemble_forward_train(&w->grad_net, &w->grad_work, w->gx, B);
  for (size_t r = 0; r < rows; r++) {
    size_t m = (size_t)dyn->elite[r / B] * B + r % B;
    for (int j = 0; j < O; j++) w->gdy[m * Y + j] = d_next[r * O + j] * dyn->delta_std[j];
  }
  mbrl_ensemble_zero_grad(&w->grad_net);
  mbrl_ensemble_backward(&w->grad_net, &w->grad_work, w->gdx, w->gdy, w->gx, B);
  for (size_t r = 0; r < rows; r++) {
    const float *dx = w->gdx + ((size_t)dyn->elite[r / B] * B + r % B) * I;
    if (d_states) {
      float *ds = d_states + r * O;
      for (int j = 0; j < O; j++) ds[j] = d_next[r * O + j] + dx[j] / (dyn->obs_std[j] + NORM_EPS);
      /* an angle's input is (sin, cos): its gradient is cos times the first's minus sin times the second's */
      for (int q = 0; q < dyn->n_angles; q++) {
        const int j = dyn->angles[q];
        const float th = states[r * O + j];
        ds[j] = d_next[r * O + j] + cosf(th) * dx[j] / (dyn->obs_std[j] + NORM_EPS) -
                sinf(th) * dx[O + q] / (dyn->obs_std[O + q] + NORM_EPS);
      }
    }
    for (int j = 0; j < A; j++) d_acts[r * A + j] = dx[F + j] / (dyn->act_std[j] + NORM_EPS);
  }
  return MBRL_OK;
}

static int model_vjp(void *ctx, const float *states, const float *acts, const float *d_next, float *d_states,
                     float *d_acts, int B) {
  mbrl_dynamics_work *w = ctx;
  return mbrl_dynamics_vjp(w->dyn, w, states, acts, d_next, d_states, d_acts, B);
}

static int model_predict(void *ctx, const float *states, const float *acts, float *next_states, float *var,
                         int B, mbrl_rng *rng) {
  mbrl_dynamics_work *w = ctx;
  return mbrl_dynamics_sample(w->dyn, w, states, acts, next_states, var, B, rng);
}

static int model_ready(const void *ctx) {
  const mbrl_dynamics_work *w = ctx;
  return w->dyn->has_stats;
}

mbrl_model mbrl_dynamics_model(mbrl_dynamics_work *w) {
  const mbrl_dynamics_config *c = &w->dyn->cfg;
  return (mbrl_model){.E = mbrl_dynamics_n_elites(w->dyn),
                      .obs_dim = c->obs_dim,
                      .act_dim = c->act_dim,
                      .max_B = w->max_B,
                      .has_var = c->probabilistic,
                      .predict = model_predict,
                      .ready = model_ready,
                      .vjp = model_vjp,
                      .ctx = w};
}

/* ---- save and load ---- */

static const char *const stat_names[6] = {"stats.obs_mean",   "stats.obs_std",   "stats.act_mean",
                                          "stats.act_std",    "stats.delta_mean", "stats.delta_std"};

/* the six statistics in stat_names order, and their lengths */
static void stat_arrays(const mbrl_dynamics *dyn, float *arr[6], int64_t len[6]) {
  float *a[6] = {dyn->obs_mean, dyn->obs_std, dyn->act_mean, dyn->act_std, dyn->delta_mean, dyn->delta_std};
  for (int i = 0; i < 6; i++) {
    arr[i] = a[i];
    len[i] = i == 2 || i == 3 ? dyn->cfg.act_dim : i < 2 ? feat_dim(dyn) : dyn->cfg.obs_dim;
  }
}

/* the settings a model file keeps beside its network ("dynamics" metadata), keys in this order */
typedef struct file_meta {
  int obs_dim, act_dim;
  double lr;
  int train_batch_size, bootstrap, has_stats;
} file_meta;
static const mbrl_field meta_fields[] = {
    MBRL_CFG_INT(file_meta, obs_dim, "obs_dim", NULL, 1, 1 << 20, 0, NULL),
    MBRL_CFG_INT(file_meta, act_dim, "act_dim", NULL, 1, 1 << 20, 0, NULL),
    MBRL_CFG_DOUBLE(file_meta, lr, "lr", NULL, 1e-30, 1e30, 0, NULL),
    MBRL_CFG_INT(file_meta, train_batch_size, "train_batch_size", NULL, 1, 1 << 30, 0, NULL),
    MBRL_CFG_INT(file_meta, bootstrap, "bootstrap", NULL, 0, 1, 0, NULL),
    MBRL_CFG_INT(file_meta, has_stats, "has_stats", NULL, 0, 1, 0, NULL),
};
static const mbrl_config_table meta_table = {"dynamics metadata", meta_fields,
                                             (int)(sizeof meta_fields / sizeof *meta_fields)};

int mbrl_dynamics_save(const mbrl_dynamics *dyn, const char *path, char *err, size_t err_sz) {
  mbrl_checkpoint ck;
  mbrl_checkpoint_init(&ck);
  mbrl_checkpoint_add_ensemble(&ck, "net.", &dyn->net);
  float *arr[6];
  int64_t len[6];
  stat_arrays(dyn, arr, len);
  for (int i = 0; i < 6; i++) mbrl_checkpoint_add_f32(&ck, stat_names[i], arr[i], 1, &len[i]);
  int64_t O = dyn->cfg.obs_dim;
  if (dyn->logvar) {
    mbrl_checkpoint_add_f32(&ck, "logvar.min", dyn->logvar_min, 1, &O);
    mbrl_checkpoint_add_f32(&ck, "logvar.max", dyn->logvar_max, 1, &O);
  }
  /* the elites by their member numbers, when they are not all the members */
  float elites[64];
  int64_t K = mbrl_dynamics_n_elites(dyn);
  for (int k = 0; k < K; k++) elites[k] = (float)dyn->elite[k];
  if (K < dyn->cfg.E) mbrl_checkpoint_add_f32(&ck, "elites", elites, 1, &K);
  file_meta m = {dyn->cfg.obs_dim, dyn->cfg.act_dim, (double)dyn->cfg.lr, dyn->cfg.train_batch_size,
                 dyn->cfg.bootstrap, dyn->has_stats};
  char *json = mbrl_config_print(&meta_table, &m);
  mbrl_checkpoint_add_meta(&ck, "dynamics", json);
  mbrl_free(json);
  if (dyn->n_angles) mbrl_checkpoint_add_meta(&ck, "dynamics.angle_dims", dyn->cfg.angle_dims);
  mbrl_checkpoint_add_meta(&ck, "format", "mbrl.dynamics.v1");
  int rc = mbrl_checkpoint_write(&ck, path, err, err_sz);
  mbrl_checkpoint_free(&ck);
  return rc;
}

/* the configuration stored in the file, with the network shape from the loaded ensemble */
static int read_config(const mbrl_safetensors *st, const mbrl_ensemble *net, mbrl_dynamics_config *cfg,
                       int *has_stats, char *err, size_t err_sz) {
  const char *fmt = mbrl_safetensors_meta_get(st, "format");
  if (!fmt || strcmp(fmt, "mbrl.dynamics.v1"))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "not a dynamics model file (format '%s')", fmt ? fmt : "");
  file_meta fm;
  int rc = mbrl_config_parse(&meta_table, &fm, mbrl_safetensors_meta_get(st, "dynamics"), "dynamics metadata",
                             err, err_sz);
  if (rc) return rc;
  *cfg = (mbrl_dynamics_config){.obs_dim = fm.obs_dim, .act_dim = fm.act_dim, .lr = (float)fm.lr,
                                .train_batch_size = fm.train_batch_size, .bootstrap = fm.bootstrap};
  *has_stats = fm.has_stats;
  /* the angles, when there are any */
  const char *angle_dims = mbrl_safetensors_meta_get(st, "dynamics.angle_dims");
  int n_angles = 0, angles[MBRL_CONFIG_STR / 2];
  if (angle_dims) {
    if (strlen(angle_dims) >= sizeof cfg->angle_dims || cfg->obs_dim > MBRL_CONFIG_STR / 2 ||
        (n_angles = parse_angles(angle_dims, cfg->obs_dim, angles, err, err_sz)) < 0)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "bad dynamics.angle_dims '%.40s' for obs_dim %d", angle_dims,
                       cfg->obs_dim);
    snprintf(cfg->angle_dims, sizeof cfg->angle_dims, "%s", angle_dims);
  }
  const mbrl_mlp_config *m = &net->cfg;
  /* a probabilistic model's network also outputs the log-variances */
  cfg->probabilistic = m->out == 2 * cfg->obs_dim;
  if (m->in != cfg->obs_dim + n_angles + cfg->act_dim || (m->out != cfg->obs_dim && !cfg->probabilistic) ||
      m->out_act != MBRL_ACT_IDENTITY)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "network %d -> %d (%s output) does not fit obs_dim %d, %d angles and act_dim %d", m->in,
                     m->out, mbrl_act_name(m->out_act), cfg->obs_dim, n_angles, cfg->act_dim);
  cfg->E = m->E, cfg->n_layers = m->n_hidden, cfg->size = m->hidden, cfg->act = m->act;
  return MBRL_OK;
}

int mbrl_dynamics_load(mbrl_dynamics *dyn, const char *path, mbrl_rng *rng, char *err, size_t err_sz) {
  memset(dyn, 0, sizeof *dyn);
  mbrl_safetensors *st;
  int rc = mbrl_safetensors_load(&st, path, err, err_sz);
  if (rc) return rc;
  mbrl_ensemble net;
  mbrl_dynamics_config cfg;
  int has_stats = 0;
  rc = mbrl_ensemble_load(&net, st, "net.", err, err_sz);
  if (!rc) {
    rc = read_config(st, &net, &cfg, &has_stats, err, err_sz);
    const mbrl_safetensors_tensor *el = mbrl_safetensors_find(st, "elites");
    if (!rc && el) {
      if (el->ndim != 1 || el->shape[0] < 1 || el->shape[0] > cfg.E)
        rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "'elites' must name 1 to %d members", cfg.E);
      else
        cfg.num_elites = (int)el->shape[0];
    }
    if (!rc) rc = mbrl_dynamics_init(dyn, &cfg, rng, err, err_sz);
    /* same configuration, so the same parameter layout */
    if (!rc) memcpy(dyn->net.params, net.params, net.n_params * sizeof(float));
    mbrl_ensemble_free(&net);
  }
  if (!rc) {
    float *arr[6];
    int64_t len[6];
    stat_arrays(dyn, arr, len);
    for (int i = 0; i < 6 && !rc; i++) rc = mbrl_safetensors_get_f32(st, stat_names[i], arr[i], 1, &len[i], err, err_sz);
    int64_t O = dyn->cfg.obs_dim;
    if (!rc && dyn->logvar) rc = mbrl_safetensors_get_f32(st, "logvar.min", dyn->logvar_min, 1, &O, err, err_sz);
    if (!rc && dyn->logvar) rc = mbrl_safetensors_get_f32(st, "logvar.max", dyn->logvar_max, 1, &O, err, err_sz);
    for (int j = 0; j < O && !rc && dyn->logvar; j++)
      if (!(dyn->logvar_min[j] < dyn->logvar_max[j]))
        rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "logvar.min[%d] %g is not below logvar.max[%d] %g", j,
                       (double)dyn->logvar_min[j], j, (double)dyn->logvar_max[j]);
    if (!rc && mbrl_dynamics_n_elites(dyn) < dyn->cfg.E) {
      /* the elites first, the other members after them in order */
      float elites[64];
      int64_t K = mbrl_dynamics_n_elites(dyn);
      unsigned char taken[64] = {0};
      rc = mbrl_safetensors_get_f32(st, "elites", elites, 1, &K, err, err_sz);
      for (int k = 0; k < K && !rc; k++) {
        int e = (int)elites[k];
        if (!(elites[k] == (float)e && e >= 0 && e < dyn->cfg.E && !taken[e]))
          rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "elites[%d] = %g is not a member of its own", k, (double)elites[k]);
        else
          dyn->elite[k] = e, taken[e] = 1;
      }
      for (int e = 0, k = (int)K; e < dyn->cfg.E && !rc; e++)
        if (!taken[e]) dyn->elite[k++] = e;
    }
    dyn->has_stats = has_stats;
    if (rc) mbrl_dynamics_free(dyn);
  }
  mbrl_safetensors_free(st);
  return rc;
}

/* ---- training state, for resuming a run ---- */

static size_t stats_len(const mbrl_dynamics *dyn) {
  return (size_t)2 * (feat_dim(dyn) + dyn->cfg.act_dim + dyn->cfg.obs_dim);
}

enum { MAX_PARTS = 10 };

static int state_parts(mbrl_dynamics *dyn, mbrl_checkpoint_part *p) {
  const size_t np = dyn->net.n_params, E = (size_t)dyn->cfg.E, O = (size_t)dyn->cfg.obs_dim;
  int k = 0;
  p[k++] = (mbrl_checkpoint_part){"params", MBRL_DTYPE_F32, dyn->net.params, np};
  p[k++] = (mbrl_checkpoint_part){"adam.m", MBRL_DTYPE_F32, dyn->opt.m, np};
  p[k++] = (mbrl_checkpoint_part){"adam.v", MBRL_DTYPE_F32, dyn->opt.v, np};
  p[k++] = (mbrl_checkpoint_part){"stats", MBRL_DTYPE_F32, dyn->stats, stats_len(dyn)};
  p[k++] = (mbrl_checkpoint_part){"elite", MBRL_DTYPE_I32, dyn->elite, E};
  p[k++] = (mbrl_checkpoint_part){"val_score", MBRL_DTYPE_F32, dyn->val_score, E};
  p[k++] = (mbrl_checkpoint_part){"rng", MBRL_DTYPE_U64, dyn->rng.s, 4};
  if (dyn->logvar) {
    p[k++] = (mbrl_checkpoint_part){"logvar", MBRL_DTYPE_F32, dyn->logvar, 2 * O};
    p[k++] = (mbrl_checkpoint_part){"logvar_adam.m", MBRL_DTYPE_F32, dyn->logvar_opt.m, 2 * O};
    p[k++] = (mbrl_checkpoint_part){"logvar_adam.v", MBRL_DTYPE_F32, dyn->logvar_opt.v, 2 * O};
  }
  return k;
}

void mbrl_dynamics_state_add(struct mbrl_checkpoint *ck, const char *prefix, mbrl_dynamics *dyn) {
  mbrl_checkpoint_part p[MAX_PARTS];
  mbrl_checkpoint_add_parts(ck, prefix, p, state_parts(dyn, p));
  char name[96], counters[256];
  /* the counters as text: Adam's steps, the log-variance Adam's, has_stats, steps, version, skipped */
  snprintf(counters, sizeof counters, "%lld %lld %d %lld %lld %lld", (long long)dyn->opt.t,
           (long long)(dyn->logvar ? dyn->logvar_opt.t : 0), dyn->has_stats, (long long)dyn->steps,
           (long long)dyn->version, (long long)dyn->skipped);
  snprintf(name, sizeof name, "%scounters", prefix);
  mbrl_checkpoint_add_meta(ck, name, counters);
}

int mbrl_dynamics_state_load(mbrl_dynamics *dyn, const struct mbrl_safetensors *st, const char *prefix, char *err,
                             size_t err_sz) {
  mbrl_checkpoint_part p[MAX_PARTS];
  int rc = mbrl_checkpoint_get_parts(st, prefix, p, state_parts(dyn, p), err, err_sz);
  if (rc) return rc;
  char name[96];
  for (int e = 0; e < dyn->cfg.E; e++)
    if (dyn->elite[e] < 0 || dyn->elite[e] >= dyn->cfg.E)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%selite names member %d of %d", prefix, dyn->elite[e], dyn->cfg.E);
  snprintf(name, sizeof name, "%scounters", prefix);
  const char *text = mbrl_safetensors_meta_get(st, name);
  long long t, lt, steps, version, skipped;
  int has_stats;
  if (!text || sscanf(text, "%lld %lld %d %lld %lld %lld", &t, &lt, &has_stats, &steps, &version, &skipped) != 6 ||
      t < 0 || lt < 0 || steps < 0 || skipped < 0)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata '%s' is missing or not six counters", name);
  dyn->opt.t = t;
  if (dyn->logvar) dyn->logvar_opt.t = lt;
  dyn->has_stats = has_stats != 0, dyn->steps = steps, dyn->version = version, dyn->skipped = skipped;
  return MBRL_OK;
}

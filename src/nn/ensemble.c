/* MLP ensembles: parameter slabs, PyTorch initialisation, forward and backward for all members. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"

/* tensors start on 64-byte boundaries inside the slabs */
static size_t pad16(size_t n) { return (n + 15) & ~(size_t)15; }

int mbrl_ensemble_init(mbrl_ensemble *ens, const mbrl_mlp_config *cfg, mbrl_rng *rng, char *err,
                       size_t err_sz) {
  memset(ens, 0, sizeof *ens);
  if (cfg->E < 1 || cfg->in < 1 || cfg->out < 1 || cfg->n_hidden < 0 ||
      cfg->n_hidden >= MBRL_MAX_LAYERS || (cfg->n_hidden > 0 && cfg->hidden < 1))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "bad network shape: E=%d in=%d out=%d layers=%d size=%d (layers must be 0..%d)",
                     cfg->E, cfg->in, cfg->out, cfg->n_hidden, cfg->hidden, MBRL_MAX_LAYERS - 1);
  if (cfg->act < MBRL_ACT_IDENTITY || cfg->act > MBRL_ACT_SILU || cfg->out_act < MBRL_ACT_IDENTITY ||
      cfg->out_act > MBRL_ACT_SILU)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "unknown activation");
  ens->cfg = *cfg;
  ens->backend = MBRL_BACKEND_DNNL;
  int L = ens->n_layers = cfg->n_hidden + 1;
  ens->dim[0] = cfg->in;
  for (int l = 1; l < L; l++) ens->dim[l] = cfg->hidden;
  ens->dim[L] = cfg->out;

  size_t n = 0;
  size_t off_w[MBRL_MAX_LAYERS], off_b[MBRL_MAX_LAYERS];
  for (int l = 0; l < L; l++) {
    off_w[l] = n;
    n += pad16((size_t)cfg->E * ens->dim[l + 1] * ens->dim[l]);
    off_b[l] = n;
    n += pad16((size_t)cfg->E * ens->dim[l + 1]);
  }
  ens->n_params = n;
  ens->params = mbrl_alloc(n * sizeof(float));
  ens->grads = mbrl_alloc(n * sizeof(float));
  for (int l = 0; l < L; l++) {
    ens->w[l] = ens->params + off_w[l], ens->b[l] = ens->params + off_b[l];
    ens->dw[l] = ens->grads + off_w[l], ens->db[l] = ens->grads + off_b[l];
  }

  /* nn.Linear: kaiming_uniform(a = sqrt 5) gives bound 1/sqrt(fan_in) for weights and bias;
   * members are initialised one after another, each layer's weight before its bias */
  for (int e = 0; e < cfg->E; e++)
    for (int l = 0; l < L; l++) {
      int in = ens->dim[l], out = ens->dim[l + 1];
      float bound = 1.0f / sqrtf((float)in);
      mbrl_rng_fill_uniform(rng, ens->w[l] + (size_t)e * out * in, (size_t)out * in, -bound, bound);
      mbrl_rng_fill_uniform(rng, ens->b[l] + (size_t)e * out, (size_t)out, -bound, bound);
    }
  return MBRL_OK;
}

void mbrl_ensemble_free(mbrl_ensemble *ens) {
  if (!ens) return;
  mbrl_free(ens->params);
  mbrl_free(ens->grads);
  memset(ens, 0, sizeof *ens);
}

void mbrl_ensemble_zero_grad(mbrl_ensemble *ens) {
  memset(ens->grads, 0, ens->n_params * sizeof(float));
}

void mbrl_ensemble_copy_member(mbrl_ensemble *dst, int dst_e, const mbrl_ensemble *src, int src_e) {
  MBRL_ASSERT(dst->n_layers == src->n_layers);
  MBRL_ASSERT(dst_e >= 0 && dst_e < dst->cfg.E && src_e >= 0 && src_e < src->cfg.E);
  for (int l = 0; l < src->n_layers; l++) {
    size_t in = (size_t)src->dim[l], out = (size_t)src->dim[l + 1];
    MBRL_ASSERT(dst->dim[l] == src->dim[l] && dst->dim[l + 1] == src->dim[l + 1]);
    memcpy(dst->w[l] + dst_e * out * in, src->w[l] + src_e * out * in, out * in * sizeof(float));
    memcpy(dst->b[l] + dst_e * out, src->b[l] + src_e * out, out * sizeof(float));
  }
}

static mbrl_act layer_act(const mbrl_ensemble *ens, int l) {
  return l == ens->n_layers - 1 ? ens->cfg.out_act : ens->cfg.act;
}

void mbrl_ensemble_work_init(mbrl_ensemble_work *w, const mbrl_ensemble *ens, int max_B) {
  memset(w, 0, sizeof *w);
  w->max_B = max_B;
  size_t E = (size_t)ens->cfg.E, widest = 0;
  for (int l = 0; l <= ens->n_layers; l++)
    if ((size_t)ens->dim[l] > widest) widest = (size_t)ens->dim[l];
  for (int l = 0; l < ens->n_layers; l++) {
    size_t sz = E * (size_t)max_B * ens->dim[l + 1] * sizeof(float);
    w->y[l] = mbrl_alloc(sz);
    if (layer_act(ens, l) == MBRL_ACT_SILU) w->z[l] = mbrl_alloc(sz);
  }
  w->g0 = mbrl_alloc(E * (size_t)max_B * widest * sizeof(float));
  w->g1 = mbrl_alloc(E * (size_t)max_B * widest * sizeof(float));
}

void mbrl_ensemble_work_free(mbrl_ensemble_work *w) {
  if (!w) return;
  for (int l = 0; l < MBRL_MAX_LAYERS; l++) mbrl_free(w->y[l]), mbrl_free(w->z[l]);
  mbrl_free(w->g0);
  mbrl_free(w->g1);
  memset(w, 0, sizeof *w);
}

/* one layer: fused bias and activation, except silu in training, which keeps the pre-activation */
static void layer_forward(const mbrl_ensemble *ens, mbrl_ensemble_work *work, int l, float *y,
                          const float *x, int B, int keep_z) {
  int E = ens->cfg.E, in = ens->dim[l], out = ens->dim[l + 1];
  mbrl_act act = layer_act(ens, l);
  if (keep_z && act == MBRL_ACT_SILU) {
    mbrl_linear_forward(ens->backend, work->z[l], x, ens->w[l], ens->b[l], E, B, in, out,
                        MBRL_ACT_IDENTITY);
    mbrl_act_forward(y, work->z[l], (size_t)E * B * out, act);
  } else {
    mbrl_linear_forward(ens->backend, y, x, ens->w[l], ens->b[l], E, B, in, out, act);
  }
}

void mbrl_ensemble_forward(const mbrl_ensemble *ens, mbrl_ensemble_work *work, float *y,
                           const float *x, int B) {
  MBRL_ASSERT(B <= work->max_B);
  const float *h = x;
  for (int l = 0; l < ens->n_layers; l++) {
    float *dst = l == ens->n_layers - 1 ? y : work->y[l];
    layer_forward(ens, work, l, dst, h, B, 0);
    h = dst;
  }
}

const float *mbrl_ensemble_forward_train(const mbrl_ensemble *ens, mbrl_ensemble_work *work,
                                         const float *x, int B) {
  MBRL_ASSERT(B <= work->max_B);
  const float *h = x;
  for (int l = 0; l < ens->n_layers; l++) {
    layer_forward(ens, work, l, work->y[l], h, B, 1);
    h = work->y[l];
  }
  return h;
}

void mbrl_ensemble_backward(mbrl_ensemble *ens, mbrl_ensemble_work *work, float *dx,
                            const float *dy, const float *x, int B) {
  MBRL_ASSERT(B <= work->max_B);
  int E = ens->cfg.E;
  const float *g = dy;
  for (int l = ens->n_layers - 1; l >= 0; l--) {
    int in = ens->dim[l], out = ens->dim[l + 1];
    /* gradient at the pre-activation goes to g0, at the layer input to g1 */
    mbrl_act_backward(work->g0, g, work->z[l], work->y[l], (size_t)E * B * out, layer_act(ens, l));
    const float *input = l == 0 ? x : work->y[l - 1];
    float *dinput = l == 0 ? dx : work->g1;
    mbrl_linear_backward(ens->backend, dinput, ens->dw[l], ens->db[l], work->g0, input, ens->w[l], E,
                         B, in, out);
    g = work->g1;
  }
}

double mbrl_ensemble_forward_flops(const mbrl_ensemble *ens, int B) {
  double f = 0.0;
  for (int l = 0; l < ens->n_layers; l++)
    f += 2.0 * ens->cfg.E * (double)B * ens->dim[l] * ens->dim[l + 1];
  return f;
}

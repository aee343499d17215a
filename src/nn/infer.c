/* Inference copies of ensembles in fp32 or bfloat16: rounding, weight copies, and the forward
 * through oneDNN or through the plain-C reference. */
#include <string.h>

#include "mbrl/core.h"
#include "nn/backend.h"

static const char *precision_names[] = {"fp32", "bf16"};

int mbrl_precision_parse(const char *name, mbrl_precision *p) {
  for (int i = 0; i < 2; i++)
    if (!strcmp(name, precision_names[i])) return *p = (mbrl_precision)i, MBRL_OK;
  return MBRL_EINVAL;
}

const char *mbrl_precision_name(mbrl_precision p) {
  MBRL_ASSERT(p == MBRL_PRECISION_FP32 || p == MBRL_PRECISION_BF16);
  return precision_names[p];
}

void mbrl_bf16_from_f32(uint16_t *dst, const float *src, size_t n) {
#pragma omp parallel for simd schedule(static) if (n >= 32768)
  for (size_t i = 0; i < n; i++) {
    uint32_t u;
    memcpy(&u, &src[i], sizeof u);
    /* a NaN keeps its sign and stays a (quiet) NaN; others round half to even */
    dst[i] = (u & 0x7fffffffu) > 0x7f800000u ? (uint16_t)((u >> 16) | 0x40u)
                                              : (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
}

void mbrl_f32_from_bf16(float *dst, const uint16_t *src, size_t n) {
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    uint32_t u = (uint32_t)src[i] << 16;
    memcpy(&dst[i], &u, sizeof u);
  }
}

void mbrl_ensemble_infer_init(mbrl_ensemble_infer *q, const mbrl_ensemble *ens, mbrl_precision precision,
                              int max_B) {
  MBRL_ASSERT(max_B >= 1 && (precision == MBRL_PRECISION_FP32 || precision == MBRL_PRECISION_BF16));
  memset(q, 0, sizeof *q);
  q->src = ens;
  q->precision = precision;
  q->elem = precision == MBRL_PRECISION_BF16 ? sizeof(uint16_t) : sizeof(float);
  q->max_B = max_B;
  const size_t E = (size_t)ens->cfg.E, L = (size_t)ens->n_layers;
  const int bf16 = precision == MBRL_PRECISION_BF16;
  /* plain weights (for the plain-C path), the same packed for oneDNN's kernel, biases */
  size_t nw = 0, np = 0, nb = 0, widest = 0;
  for (size_t l = 0; l < L; l++) {
    q->packed_size[l] = mbrl_dnnl_packed_size(ens->dim[l], ens->dim[l + 1], bf16);
    nw += E * ens->dim[l + 1] * ens->dim[l];
    np += E * q->packed_size[l];
    nb += E * ens->dim[l + 1];
    if (l + 1 < L && (size_t)ens->dim[l + 1] > widest) widest = ens->dim[l + 1];
  }
  if (bf16) q->z = mbrl_alloc((size_t)max_B * widest * sizeof(float));
  q->w_slab = mbrl_alloc(nw * q->elem);
  q->packed_slab = mbrl_alloc(np);
  q->b_slab = mbrl_alloc(nb * sizeof(float));
  q->x = mbrl_alloc(E * max_B * ens->dim[0] * q->elem);
  nw = np = nb = 0;
  for (size_t l = 0; l < L; l++) {
    q->w[l] = (char *)q->w_slab + nw * q->elem;
    q->packed[l] = (char *)q->packed_slab + np;
    q->b[l] = q->b_slab + nb;
    nw += E * ens->dim[l + 1] * ens->dim[l];
    np += E * q->packed_size[l];
    nb += E * ens->dim[l + 1];
    if (l + 1 < L) q->h[l] = mbrl_alloc(E * max_B * ens->dim[l + 1] * q->elem);
  }
  mbrl_ensemble_infer_sync(q);
}

void mbrl_ensemble_infer_free(mbrl_ensemble_infer *q) {
  if (!q) return;
  mbrl_free(q->w_slab), mbrl_free(q->packed_slab), mbrl_free(q->b_slab), mbrl_free(q->x), mbrl_free(q->z);
  for (int l = 0; l < MBRL_MAX_LAYERS; l++) mbrl_free(q->h[l]);
  memset(q, 0, sizeof *q);
}

/* n fp32 values into the copy's type */
static void put(const mbrl_ensemble_infer *q, void *dst, const float *src, size_t n) {
  if (q->precision == MBRL_PRECISION_BF16)
    mbrl_bf16_from_f32(dst, src, n);
  else
    memcpy(dst, src, n * sizeof(float));
}

void mbrl_ensemble_infer_sync(mbrl_ensemble_infer *q) {
  const mbrl_ensemble *ens = q->src;
  const int E = ens->cfg.E, bf16 = q->precision == MBRL_PRECISION_BF16;
  for (int l = 0; l < ens->n_layers; l++) {
    int in = ens->dim[l], out = ens->dim[l + 1];
    put(q, q->w[l], ens->w[l], (size_t)E * out * in);
    memcpy(q->b[l], ens->b[l], (size_t)E * out * sizeof(float));
    mbrl_dnnl_pack(q->packed[l], q->w[l], E, in, out, bf16);
  }
}

/* the oracle: one layer in plain C, y fp32 */
static void ref_layer(const mbrl_ensemble_infer *q, float *y, const void *x, const void *w, const float *b, int E,
                      int B, int in, int out, mbrl_act act) {
  if (q->precision == MBRL_PRECISION_FP32) {
    mbrl_ref_linear_forward(y, x, w, b, E, B, in, out, act);
    return;
  }
  size_t nx = (size_t)E * B * in, nw = (size_t)E * out * in;
  float *xf = mbrl_alloc(nx * sizeof(float)), *wf = mbrl_alloc(nw * sizeof(float));
  mbrl_f32_from_bf16(xf, x, nx);
  mbrl_f32_from_bf16(wf, w, nw);
  mbrl_ref_linear_forward(y, xf, wf, b, E, B, in, out, act);
  mbrl_free(xf), mbrl_free(wf);
}

void mbrl_ensemble_infer_forward(mbrl_ensemble_infer *q, float *y, const float *x, int B) {
  const mbrl_ensemble *ens = q->src;
  MBRL_ASSERT(B >= 0 && B <= q->max_B);
  if (B == 0) return;
  put(q, q->x, x, (size_t)ens->cfg.E * B * ens->dim[0]);
  mbrl_ensemble_infer_forward_x(q, y, B);
}

/* a tanh hidden layer: a matmul per member, then the vectorised tanh pass while the member's
 * output is still in cache (faster than oneDNN's tanh fused into the matmul) */
static void tanh_layer(mbrl_ensemble_infer *q, int l, const void *x, int B) {
  const mbrl_ensemble *ens = q->src;
  const int bf16 = q->precision == MBRL_PRECISION_BF16, in = ens->dim[l], out = ens->dim[l + 1];
  const size_t n = (size_t)B * out;
  for (int e = 0; e < ens->cfg.E; e++) {
    char *y = (char *)q->h[l] + e * n * q->elem;
    float *z = bf16 ? q->z : (float *)y;
    mbrl_dnnl_linear_forward_packed(z, (const char *)x + (size_t)e * B * in * q->elem,
                                    (char *)q->packed[l] + e * q->packed_size[l], q->b[l] + e * out, 1, B, in,
                                    out, MBRL_ACT_IDENTITY, bf16, 0);
    mbrl_tanh_pass(y, z, n, bf16);
  }
}

void mbrl_ensemble_infer_forward_x(mbrl_ensemble_infer *q, float *y, int B) {
  const mbrl_ensemble *ens = q->src;
  MBRL_ASSERT(B >= 0 && B <= q->max_B);
  if (B == 0) return;
  const int E = ens->cfg.E, L = ens->n_layers, bf16 = q->precision == MBRL_PRECISION_BF16;
  const void *h = q->x;
  for (int l = 0; l < L; l++) {
    int in = ens->dim[l], out = ens->dim[l + 1], last = l == L - 1;
    mbrl_act act = last ? ens->cfg.out_act : ens->cfg.act;
    if (ens->backend == MBRL_BACKEND_DNNL && act == MBRL_ACT_TANH && !last && mbrl_tanh_pass_vectorised(bf16)) {
      tanh_layer(q, l, h, B);
    } else if (ens->backend == MBRL_BACKEND_DNNL) {
      mbrl_dnnl_linear_forward_packed(last ? (void *)y : q->h[l], h, q->packed[l], q->b[l], E, B, in, out, act,
                                      bf16, bf16 && !last);
    } else {
      float *dst = last ? y : mbrl_alloc((size_t)E * B * out * sizeof(float));
      ref_layer(q, dst, h, q->w[l], q->b[l], E, B, in, out, act);
      if (!last) put(q, q->h[l], dst, (size_t)E * B * out), mbrl_free(dst);
    }
    if (!last) h = q->h[l];
  }
}

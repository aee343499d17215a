/* Dense layers and activations: backend dispatch, the plain-C reference, elementwise activations. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "nn/backend.h"

const char *const mbrl_act_names[] = {"identity", "tanh", "relu", "silu", NULL};

int mbrl_act_parse(const char *name, mbrl_act *act) {
  for (int i = 0; mbrl_act_names[i]; i++)
    if (!strcmp(name, mbrl_act_names[i])) return *act = (mbrl_act)i, MBRL_OK;
  if (!strcmp(name, "linear")) return *act = MBRL_ACT_IDENTITY, MBRL_OK;
  if (!strcmp(name, "swish")) return *act = MBRL_ACT_SILU, MBRL_OK;
  return MBRL_EINVAL;
}

const char *mbrl_act_name(mbrl_act act) {
  MBRL_ASSERT(act >= MBRL_ACT_IDENTITY && act <= MBRL_ACT_SILU);
  return mbrl_act_names[act];
}

static inline float act1(float z, mbrl_act act) {
  switch (act) {
    case MBRL_ACT_TANH: return tanhf(z);
    case MBRL_ACT_RELU: return z > 0.0f ? z : 0.0f;
    case MBRL_ACT_SILU: return z / (1.0f + expf(-z));
    default: return z;
  }
}

void mbrl_act_forward(float *y, const float *z, size_t n, mbrl_act act) {
  if (act == MBRL_ACT_IDENTITY) {
    if (y != z) memcpy(y, z, n * sizeof *y);
    return;
  }
  for (size_t i = 0; i < n; i++) y[i] = act1(z[i], act);
}

void mbrl_act_backward(float *dz, const float *dy, const float *z, const float *y, size_t n,
                       mbrl_act act) {
  switch (act) {
    case MBRL_ACT_IDENTITY:
      if (dz != dy) memcpy(dz, dy, n * sizeof *dz);
      break;
    case MBRL_ACT_TANH:
#pragma omp parallel for simd schedule(static) if (n > 65536)
      for (size_t i = 0; i < n; i++) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
      break;
    case MBRL_ACT_RELU:
#pragma omp parallel for simd schedule(static) if (n > 65536)
      for (size_t i = 0; i < n; i++) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      break;
    case MBRL_ACT_SILU:
#pragma omp parallel for schedule(static) if (n > 65536)
      for (size_t i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + expf(-z[i]));
        dz[i] = dy[i] * s * (1.0f + z[i] * (1.0f - s));
      }
      break;
  }
}

void mbrl_bias_backward(float *db, const float *dy, int E, int B, int out) {
  for (int e = 0; e < E; e++) {
    float *g = db + (size_t)e * out;
    const float *d = dy + (size_t)e * B * out;
    for (int i = 0; i < B; i++)
#pragma omp simd
      for (int o = 0; o < out; o++) g[o] += d[(size_t)i * out + o];
  }
}

/* the reference: plain loops accumulating in double */
void mbrl_ref_linear_forward(float *y, const float *x, const float *w, const float *b, int E, int B,
                             int in, int out, mbrl_act act) {
  for (int e = 0; e < E; e++)
    for (int i = 0; i < B; i++) {
      const float *xr = x + ((size_t)e * B + i) * in;
      float *yr = y + ((size_t)e * B + i) * out;
      for (int o = 0; o < out; o++) {
        const float *wr = w + ((size_t)e * out + o) * in;
        double s = b ? b[(size_t)e * out + o] : 0.0;
        for (int k = 0; k < in; k++) s += (double)xr[k] * wr[k];
        yr[o] = act1((float)s, act);
      }
    }
}

void mbrl_ref_linear_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                              const float *w, int E, int B, int in, int out) {
  for (int e = 0; e < E; e++) {
    const float *de = dy + (size_t)e * B * out, *xe = x + (size_t)e * B * in;
    const float *we = w + (size_t)e * out * in;
    float *dwe = dw + (size_t)e * out * in;
    for (int o = 0; o < out; o++)
      for (int k = 0; k < in; k++) {
        double s = 0.0;
        for (int i = 0; i < B; i++) s += (double)de[(size_t)i * out + o] * xe[(size_t)i * in + k];
        dwe[(size_t)o * in + k] += (float)s;
      }
    if (dx)
      for (int i = 0; i < B; i++)
        for (int k = 0; k < in; k++) {
          double s = 0.0;
          for (int o = 0; o < out; o++) s += (double)de[(size_t)i * out + o] * we[(size_t)o * in + k];
          dx[((size_t)e * B + i) * in + k] = (float)s;
        }
  }
  if (db) mbrl_bias_backward(db, dy, E, B, out);
}

void mbrl_linear_forward(mbrl_backend be, float *y, const float *x, const float *w, const float *b,
                         int E, int B, int in, int out, mbrl_act act) {
  MBRL_ASSERT(E > 0 && B >= 0 && in > 0 && out > 0);
  if (B == 0) return;
  if (be == MBRL_BACKEND_REF)
    mbrl_ref_linear_forward(y, x, w, b, E, B, in, out, act);
  else
    mbrl_dnnl_linear_forward(y, x, w, b, E, B, in, out, act);
}

void mbrl_linear_backward(mbrl_backend be, float *dx, float *dw, float *db, const float *dy,
                          const float *x, const float *w, int E, int B, int in, int out) {
  MBRL_ASSERT(E > 0 && B >= 0 && in > 0 && out > 0);
  if (B == 0) return;
  if (be == MBRL_BACKEND_REF) {
    mbrl_ref_linear_backward(dx, dw, db, dy, x, w, E, B, in, out);
  } else {
    mbrl_dnnl_linear_backward(dx, dw, dy, x, w, E, B, in, out);
    if (db) mbrl_bias_backward(db, dy, E, B, out);
  }
}

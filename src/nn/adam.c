/* Adam with bias correction, as PyTorch's torch.optim.Adam computes it. */
#include <math.h>

#include "mbrl/core.h"
#include "mbrl/nn.h"

void mbrl_adam_init(mbrl_adam *opt, size_t n, float lr) {
  *opt = (mbrl_adam){.lr = lr, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f, .n = n};
  opt->m = mbrl_alloc(n * sizeof(float));
  opt->v = mbrl_alloc(n * sizeof(float));
}

void mbrl_adam_free(mbrl_adam *opt) {
  if (!opt) return;
  mbrl_free(opt->m);
  mbrl_free(opt->v);
  opt->m = opt->v = NULL;
}

void mbrl_adam_step(mbrl_adam *opt, float *params, const float *grads) {
  opt->t++;
  const float b1 = opt->beta1, b2 = opt->beta2, wd = opt->weight_decay;
  const float bc1 = 1.0f - powf(b1, (float)opt->t);
  const float sqrt_bc2 = sqrtf(1.0f - powf(b2, (float)opt->t));
  const float step = opt->lr / bc1;
  float *m = opt->m, *v = opt->v;
  const long n = (long)opt->n;
  const float *decay = opt->decay;
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (long i = 0; i < n; i++) {
    float gi = grads[i] + (decay ? decay[i] : wd) * params[i];
    m[i] = b1 * m[i] + (1.0f - b1) * gi;
    v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
    params[i] -= step * m[i] / (sqrtf(v[i]) / sqrt_bc2 + opt->eps);
  }
}

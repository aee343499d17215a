/* The tanh pass against tanh in double: its error bound, special values, every tail length, and
 * its bfloat16 output against rounding its fp32 output. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "nn/backend.h"

/* n values spread over [-12, 12] and a few that matter */
static float *inputs(size_t *n) {
  const float special[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-8f, 0.5f, 8.99f, 9.0f, 9.01f, -9.01f, 1e30f, -1e30f,
                           INFINITY, -INFINITY};
  const size_t grid = 240000, ns = sizeof special / sizeof *special;
  float *x = mbrl_alloc((grid + ns) * sizeof(float));
  for (size_t i = 0; i < grid; i++) x[i] = -12.0f + 24.0f * (float)i / (float)grid;
  memcpy(x + grid, special, sizeof special);
  *n = grid + ns;
  return x;
}

Test(tanh_pass, is_within_3e_7_of_tanh) {
  size_t n;
  float *x = inputs(&n), *y = mbrl_alloc(n * sizeof(float));
  mbrl_tanh_pass(y, x, n, 0);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)y[i] - tanh((double)x[i])));
  cr_expect_lt(worst, 3e-7, "max abs error %g (vectorised: %d)", worst, mbrl_tanh_pass_vectorised(0));
  /* in place, and a NaN stays NaN */
  x[0] = NAN;
  mbrl_tanh_pass(x, x, n, 0);
  cr_expect(isnan(x[0]));
  cr_expect_eq(memcmp(x + 1, y + 1, (n - 1) * sizeof(float)), 0);
  mbrl_free(x), mbrl_free(y);
}

/* a value's result does not depend on where it sits: every tail length gives the same values */
Test(tanh_pass, every_length_gives_the_same_values) {
  float x[40], all[40], part[40];
  for (int i = 0; i < 40; i++) x[i] = 0.37f * (float)(i - 20);
  mbrl_tanh_pass(all, x, 40, 0);
  for (size_t n = 1; n <= 40; n++) {
    memset(part, 0, sizeof part);
    mbrl_tanh_pass(part, x, n, 0);
    cr_expect_eq(memcmp(part, all, n * sizeof(float)), 0, "n %zu", n);
    cr_expect_eq(part[n % 40], n == 40 ? all[0] : 0.0f, "n %zu wrote past its end", n);
  }
}

Test(tanh_pass, bf16_output_rounds_the_fp32_output) {
  size_t n;
  float *x = inputs(&n), *y = mbrl_alloc(n * sizeof(float));
  x[3] = NAN;
  uint16_t *h = mbrl_alloc(n * sizeof(uint16_t)), *want = mbrl_alloc(n * sizeof(uint16_t));
  /* the vectorised bf16 pass computes as the fp32 one; the fallback as tanhf */
  if (mbrl_tanh_pass_vectorised(1))
    mbrl_tanh_pass(y, x, n, 0);
  else
    for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
  mbrl_bf16_from_f32(want, y, n);
  mbrl_tanh_pass(h, x, n, 1);
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) bad += i == 3 ? (h[i] & 0x7fffu) <= 0x7f80u : h[i] != want[i];
  cr_expect_eq(bad, 0, "%zu of %zu values differ", bad, n);
  mbrl_free(x), mbrl_free(y), mbrl_free(h), mbrl_free(want);
}

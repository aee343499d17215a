/* Tests of the random streams: determinism, independence, distribution moments. */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>

#include "mbrl/core.h"
#include "mbrl/rng.h"

Test(rng, same_seed_same_numbers) {
  mbrl_rng a, b;
  mbrl_rng_init(&a, 42, 0);
  mbrl_rng_init(&b, 42, 0);
  for (int i = 0; i < 1000; i++) cr_assert_eq(mbrl_rng_u64(&a), mbrl_rng_u64(&b));
}

Test(rng, streams_differ) {
  mbrl_rng a, b, c;
  mbrl_rng_init(&a, 42, 0);
  mbrl_rng_init(&b, 42, 1);
  mbrl_rng_init(&c, 43, 0);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t x = mbrl_rng_u64(&a);
    same_ab += x == mbrl_rng_u64(&b);
    same_ac += x == mbrl_rng_u64(&c);
  }
  cr_assert_eq(same_ab, 0);
  cr_assert_eq(same_ac, 0);
}

Test(rng, split_is_deterministic_whatever_the_thread_count) {
  /* children split from one parent, then drawn in parallel, give the same sums for 1 or 2 threads */
  double sums[2][8];
  for (int t = 1; t <= 2; t++) {
    mbrl_rng parent, kids[8];
    mbrl_rng_init(&parent, 7, 0);
    for (int k = 0; k < 8; k++) mbrl_rng_split(&kids[k], &parent, (uint64_t)k);
#pragma omp parallel for num_threads(t)
    for (int k = 0; k < 8; k++) {
      double s = 0;
      for (int i = 0; i < 1000; i++) s += mbrl_rng_normal(&kids[k]);
      sums[t - 1][k] = s;
    }
  }
  for (int k = 0; k < 8; k++) cr_assert_eq(sums[0][k], sums[1][k]);
  cr_assert_neq(sums[0][0], sums[0][1]);
}

Test(rng, uniform_and_normal_moments) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  const int n = 200000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; i++) {
    double u = mbrl_rng_uniform(&r), z = mbrl_rng_normal(&r);
    cr_assert(u >= 0.0 && u < 1.0);
    su += u, su2 += u * u, sn += z, sn2 += z * z;
  }
  cr_assert_float_eq(su / n, 0.5, 0.005);
  cr_assert_float_eq(su2 / n - 0.25, 1.0 / 12.0, 0.002);
  cr_assert_float_eq(sn / n, 0.0, 0.01);
  cr_assert_float_eq(sn2 / n, 1.0, 0.02);
}

Test(rng, fill_uniform_respects_bounds) {
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  float x[4096];
  mbrl_rng_fill_uniform(&r, x, 4096, -0.99f, 0.99f);
  float lo = 1, hi = -1;
  for (int i = 0; i < 4096; i++) lo = fminf(lo, x[i]), hi = fmaxf(hi, x[i]);
  cr_assert(lo >= -0.99f && hi <= 0.99f);
  cr_assert(lo < -0.95f && hi > 0.95f);
}

Test(rng, truncnormal_stays_inside) {
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  double s = 0;
  for (int i = 0; i < 10000; i++) {
    double x = mbrl_rng_truncnormal(&r, 0.0, 1.0, -2.0, 2.0);
    cr_assert(x >= -2.0 && x <= 2.0);
    s += x * x;
  }
  /* variance of a standard normal truncated to [-2, 2] is about 0.774 */
  cr_assert_float_eq(s / 10000, 0.774, 0.03);
}

Test(rng, below_and_permutation) {
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  int counts[5] = {0};
  for (int i = 0; i < 50000; i++) counts[mbrl_rng_below(&r, 5)]++;
  for (int k = 0; k < 5; k++) cr_assert(abs(counts[k] - 10000) < 400, "bucket %d has %d", k, counts[k]);
  int idx[100], seen[100] = {0};
  mbrl_rng_permutation(&r, idx, 100);
  for (int i = 0; i < 100; i++) seen[idx[i]]++;
  for (int i = 0; i < 100; i++) cr_assert_eq(seen[i], 1);
}

Test(rng, fill_normal_moments_and_tails) {
  /* mean, variance, skew and kurtosis of a million draws, odd length so the last pair is half used */
  enum { N = 1000001 };
  float *x = mbrl_alloc(N * sizeof(float));
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  mbrl_rng_fill_normal(&r, x, N, 0.0f, 1.0f);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0, big = 0, mx = 0;
  for (int i = 0; i < N; i++) {
    double z = x[i];
    m1 += z, m2 += z * z, m3 += z * z * z, m4 += z * z * z * z;
    big += fabs(z) > 3.0;
    mx = fmax(mx, fabs(z));
  }
  m1 /= N, m2 /= N, m3 /= N, m4 /= N;
  cr_expect(fabs(m1) < 0.004 && fabs(m2 - 1.0) < 0.006 && fabs(m3) < 0.015 && fabs(m4 - 3.0) < 0.03,
            "moments %g %g %g %g", m1, m2, m3, m4);
  /* P(|z| > 3) = 0.0027 */
  cr_expect(fabs(big / N - 0.0027) < 0.0003, "tail %g", big / N);
  cr_expect(mx < 5.8 && mx > 4.0, "max %g", mx);
  /* scaled and shifted; the same stream gives the same values */
  float y[7], y2[7];
  mbrl_rng_init(&r, 9, 0);
  mbrl_rng_fill_normal(&r, y, 7, 2.0f, 0.5f);
  mbrl_rng_init(&r, 9, 0);
  mbrl_rng_fill_normal(&r, y2, 7, 0.0f, 1.0f);
  for (int i = 0; i < 7; i++) cr_expect_float_eq(y[i], 2.0f + 0.5f * y2[i], 1e-6f);
  mbrl_free(x);
}

Test(rng, fill_normal_matches_box_muller_in_double) {
  /* the same draws through libm in double: the float polynomials agree to about 1e-6 */
  enum { N = 20000 };
  float *x = mbrl_alloc(N * sizeof(float));
  mbrl_rng r, q;
  mbrl_rng_init(&r, 11, 0);
  q = r;
  mbrl_rng_fill_normal(&r, x, N, 0.0f, 1.0f);
  double worst = 0.0;
  for (int i = 0; i < N; i += 2) {
    uint64_t b = mbrl_rng_u64(&q);
    double u = (double)((b >> 40) + 1) * 0x1.0p-24, v = (double)((b >> 16) & 0xffffff) * 0x1.0p-24 - 0.5;
    double rad = sqrt(-2.0 * log(u));
    double z[2] = {rad * cos(2.0 * M_PI * v), rad * sin(2.0 * M_PI * v)};
    for (int k = 0; k < 2; k++) worst = fmax(worst, fabs(x[i + k] - z[k]) / (1.0 + fabs(z[k])));
  }
  cr_expect_lt(worst, 2e-6, "worst relative error %g", worst);
  mbrl_free(x);
}

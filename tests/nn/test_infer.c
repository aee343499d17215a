/* Inference copies: bfloat16 rounding, the padded fp32 and bf16 forwards against the plain
 * ensemble and the plain-C oracle, the copy's lifecycle, and the dynamics model predicting in bf16. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/nn.h"

static uint16_t bf16_of(float f) {
  uint16_t h;
  mbrl_bf16_from_f32(&h, &f, 1);
  return h;
}

static float f32_of_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

Test(bf16, rounds_to_nearest_even) {
  cr_expect_eq(bf16_of(1.0f), 0x3f80);
  cr_expect_eq(bf16_of(-1.5f), 0xbfc0);
  /* 1 + 2^-8 lies halfway between 0x3f80 and 0x3f81: to the even one */
  cr_expect_eq(bf16_of(f32_of_bits(0x3f808000u)), 0x3f80);
  /* 1 + 3 * 2^-8 lies halfway between 0x3f81 and 0x3f82: to the even one */
  cr_expect_eq(bf16_of(f32_of_bits(0x3f818000u)), 0x3f82);
  /* just above halfway rounds up */
  cr_expect_eq(bf16_of(f32_of_bits(0x3f808001u)), 0x3f81);
  cr_expect_eq(bf16_of(INFINITY), 0x7f80);
  /* the largest float rounds to infinity; NaN stays NaN */
  cr_expect_eq(bf16_of(f32_of_bits(0x7f7fffffu)), 0x7f80);
  float back;
  uint16_t nan = bf16_of(NAN);
  mbrl_f32_from_bf16(&back, &nan, 1);
  cr_expect(isnan(back));
  uint16_t h = 0x4049; /* 3.140625 */
  mbrl_f32_from_bf16(&back, &h, 1);
  cr_expect_eq(back, 3.140625f);
}

Test(bf16, names_parse) {
  mbrl_precision p = MBRL_PRECISION_FP32;
  cr_expect_eq(mbrl_precision_parse("bf16", &p), 0);
  cr_expect_eq(p, MBRL_PRECISION_BF16);
  cr_expect_str_eq(mbrl_precision_name(p), "bf16");
  cr_expect_eq(mbrl_precision_parse("fp16", &p), MBRL_EINVAL);
}

typedef struct {
  mbrl_ensemble ens;
  mbrl_ensemble_work w;
  mbrl_ensemble_infer q;
  float *x, *y16, *yref, *y32;
  int E, B;
} net;

/* an ensemble with odd sizes, inputs of spread magnitude, and its copy in precision p */
static void net_init(net *n, mbrl_act act, int B, mbrl_precision p) {
  mbrl_rng r;
  mbrl_rng_init(&r, 7, 0);
  mbrl_mlp_config cfg = {.E = 3, .in = 27, .out = 21, .n_hidden = 2, .hidden = 33, .act = act};
  cr_assert_eq(mbrl_ensemble_init(&n->ens, &cfg, &r, NULL, 0), 0);
  n->E = 3, n->B = B;
  mbrl_ensemble_work_init(&n->w, &n->ens, B);
  mbrl_ensemble_infer_init(&n->q, &n->ens, p, B);
  size_t nx = (size_t)3 * B * 27, ny = (size_t)3 * B * 21;
  n->x = mbrl_alloc(nx * sizeof(float));
  n->y16 = mbrl_alloc(ny * sizeof(float)), n->yref = mbrl_alloc(ny * sizeof(float));
  n->y32 = mbrl_alloc(ny * sizeof(float));
  mbrl_rng_fill_normal(&r, n->x, nx, 0.0f, 2.0f);
}

static void net_free(net *n) {
  mbrl_free(n->x), mbrl_free(n->y16), mbrl_free(n->yref), mbrl_free(n->y32);
  mbrl_ensemble_infer_free(&n->q);
  mbrl_ensemble_work_free(&n->w);
  mbrl_ensemble_free(&n->ens);
}

static float max_abs_diff(const float *a, const float *b, size_t n) {
  float m = 0.0f;
  for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(a[i] - b[i]));
  return m;
}

static void check_against_oracle(mbrl_act act) {
  if (!mbrl_bf16_native()) cr_skip_test("the CPU has no native bf16");
  net n;
  net_init(&n, act, 200, MBRL_PRECISION_BF16);
  size_t ny = (size_t)n.E * n.B * 21;
  mbrl_ensemble_infer_forward(&n.q, n.y16, n.x, n.B);
  n.ens.backend = MBRL_BACKEND_REF;
  mbrl_ensemble_infer_forward(&n.q, n.yref, n.x, n.B);
  mbrl_ensemble_forward(&n.ens, &n.w, n.y32, n.x, n.B);
  /* the same bf16 values summed in fp32 and in double: only the order and the odd rounding of a
   * hidden value to the other neighbour differ */
  float d_oracle = max_abs_diff(n.y16, n.yref, ny), d_fp32 = max_abs_diff(n.yref, n.y32, ny);
  cr_expect_lt(d_oracle, 2e-3f, "%s: bf16 oneDNN vs oracle %g", mbrl_act_name(act), (double)d_oracle);
  /* and it is bf16: off fp32 by about 8 bits' worth, well above the summation noise */
  cr_expect(d_fp32 > 4.0f * d_oracle && d_fp32 > 1e-3f && d_fp32 < 0.1f, "%s: bf16 vs fp32 %g, vs oracle %g",
            mbrl_act_name(act), (double)d_fp32, (double)d_oracle);
  net_free(&n);
}

Test(bf16, forward_matches_the_oracle_tanh) { check_against_oracle(MBRL_ACT_TANH); }
Test(bf16, forward_matches_the_oracle_relu) { check_against_oracle(MBRL_ACT_RELU); }
Test(bf16, forward_matches_the_oracle_silu) { check_against_oracle(MBRL_ACT_SILU); }

Test(infer, fp32_copy_matches_the_ensemble) {
  net n;
  net_init(&n, MBRL_ACT_TANH, 100, MBRL_PRECISION_FP32);
  size_t ny = (size_t)n.E * n.B * 21;
  mbrl_ensemble_infer_forward(&n.q, n.y16, n.x, n.B);
  mbrl_ensemble_forward(&n.ens, &n.w, n.y32, n.x, n.B);
  n.ens.backend = MBRL_BACKEND_REF;
  mbrl_ensemble_infer_forward(&n.q, n.yref, n.x, n.B);
  /* the same products: the copy and the ensemble agree, the oracle to rounding */
  cr_expect_lt(max_abs_diff(n.y16, n.y32, ny), 1e-5f);
  cr_expect_lt(max_abs_diff(n.yref, n.y32, ny), 1e-5f);
  net_free(&n);
}

/* the copy packs its weights once, for the kernel of any number of rows */
Test(infer, fp32_copy_serves_fewer_rows) {
  net n;
  net_init(&n, MBRL_ACT_TANH, 100, MBRL_PRECISION_FP32);
  for (int B = 1; B <= 65; B += 16) {
    mbrl_ensemble_infer_forward(&n.q, n.y16, n.x, B);
    mbrl_ensemble_forward(&n.ens, &n.w, n.y32, n.x, B);
    cr_expect_lt(max_abs_diff(n.y16, n.y32, (size_t)n.E * B * 21), 1e-5f, "B %d", B);
  }
  net_free(&n);
}

Test(bf16, copy_changes_only_at_sync) {
  if (!mbrl_bf16_native()) cr_skip_test("the CPU has no native bf16");
  net n;
  net_init(&n, MBRL_ACT_TANH, 16, MBRL_PRECISION_BF16);
  size_t ny = (size_t)n.E * n.B * 21;
  mbrl_ensemble_infer_forward(&n.q, n.y16, n.x, n.B);
  for (size_t i = 0; i < n.ens.n_params; i++) n.ens.params[i] *= 0.5f;
  mbrl_ensemble_infer_forward(&n.q, n.yref, n.x, n.B);
  cr_expect_eq(memcmp(n.y16, n.yref, ny * sizeof(float)), 0, "the copy followed the source before sync");
  mbrl_ensemble_infer_sync(&n.q);
  mbrl_ensemble_infer_forward(&n.q, n.yref, n.x, n.B);
  mbrl_ensemble_forward(&n.ens, &n.w, n.y32, n.x, n.B);
  cr_expect_gt(max_abs_diff(n.y16, n.yref, ny), 0.05f);
  cr_expect_lt(max_abs_diff(n.yref, n.y32, ny), 0.1f);
  net_free(&n);
}

Test(bf16, dynamics_predicts_in_bf16_and_follows_training) {
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  const int O = 4, A = 2, n = 600, B = 100;
  mbrl_dynamics_config dc = mbrl_dynamics_defaults(O, A);
  dc.size = 64, dc.train_batch_size = 64;
  mbrl_dynamics dyn;
  cr_assert_eq(mbrl_dynamics_init(&dyn, &dc, &r, NULL, 0), 0);
  /* s' = s + 0.1 a (first two coordinates) */
  mbrl_paths p;
  mbrl_paths_init(&p, O, A, n);
  p.n = n;
  mbrl_rng_fill_normal(&r, p.obs, (size_t)n * O, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, p.act, (size_t)n * A, -1.0f, 1.0f);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < O; j++) p.next_obs[i * O + j] = p.obs[i * O + j] + (j < A ? 0.1f * p.act[i * A + j] : 0.0f);
  mbrl_buffer buf;
  mbrl_buffer_init(&buf, O, A, 0);
  mbrl_buffer_add(&buf, &p, NULL);
  cr_assert_eq(mbrl_dynamics_update_stats(&dyn, &buf, NULL, 0), 0);

  mbrl_dynamics_work w32, w16;
  mbrl_dynamics_work_init(&w32, &dyn, B);
  mbrl_dynamics_work_init(&w16, &dyn, B);
  mbrl_precision got = mbrl_dynamics_work_set_precision(&w16, MBRL_PRECISION_BF16);
  cr_expect_eq(got, mbrl_bf16_native() ? MBRL_PRECISION_BF16 : MBRL_PRECISION_FP32);
  size_t ns = (size_t)dc.E * B * O;
  float *s = mbrl_alloc(ns * sizeof(float)), *a = mbrl_alloc((size_t)dc.E * B * A * sizeof(float));
  float *n32 = mbrl_alloc(ns * sizeof(float)), *n16 = mbrl_alloc(ns * sizeof(float));
  float *before = mbrl_alloc(ns * sizeof(float));
  mbrl_rng_fill_normal(&r, s, ns, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, a, (size_t)dc.E * B * A, -1.0f, 1.0f);
  mbrl_dynamics_predict(&dyn, &w16, s, a, before, B);
  for (int k = 0; k < 50; k++) cr_assert_eq(mbrl_dynamics_train_step(&dyn, &buf, NULL, NULL, 0), 0);
  mbrl_dynamics_predict(&dyn, &w32, s, a, n32, B);
  mbrl_dynamics_predict(&dyn, &w16, s, a, n16, B);
  /* after training, bf16 predictions are those of the trained weights, not of the copy taken
   * before, and close to fp32's */
  float d_now = max_abs_diff(n16, n32, ns), d_before = max_abs_diff(before, n32, ns);
  cr_expect_lt(d_now, 0.05f, "bf16 vs fp32 after training: %g", (double)d_now);
  cr_expect_gt(d_before, 4.0f * d_now, "predictions did not follow training: %g vs %g", (double)d_before,
               (double)d_now);
  mbrl_free(s), mbrl_free(a), mbrl_free(n32), mbrl_free(n16), mbrl_free(before);
  mbrl_dynamics_work_free(&w32);
  mbrl_dynamics_work_free(&w16);
  mbrl_buffer_free(&buf);
  mbrl_paths_free(&p);
  mbrl_dynamics_free(&dyn);
}

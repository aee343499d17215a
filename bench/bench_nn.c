/* Neural-network core benchmarks: ensemble forwards at the planning shape (fp32 and bf16) and
 * one training step, each against the measured rate of a large square matmul of the same
 * precision on the same backend and threads. */
#include <stdio.h>

#include "bench.h"
#include "mbrl/core.h"
#include "mbrl/nn.h"
#include "nn/backend.h"

typedef struct {
  const float *a, *b;
  float *c;
  int n;
} matmul_args;

static void run_matmul(void *p) {
  matmul_args *m = p;
  mbrl_linear_forward(MBRL_BACKEND_DNNL, m->c, m->a, m->b, NULL, 1, m->n, m->n, m->n, MBRL_ACT_IDENTITY);
}

static void run_matmul_bf16(void *p) {
  matmul_args *m = p;
  mbrl_dnnl_linear_forward_dt(m->c, m->a, m->b, NULL, 1, m->n, m->n, m->n, MBRL_ACT_IDENTITY, 1, 1);
}

typedef struct {
  mbrl_ensemble *ens;
  mbrl_ensemble_work *w;
  mbrl_ensemble_infer *q;
  mbrl_adam *opt;
  const float *x, *t;
  float *y, *dy;
  int B;
} net_args;

static void run_forward_infer(void *p) {
  net_args *a = p;
  mbrl_ensemble_infer_forward(a->q, a->y, a->x, a->B);
}

static void run_train_step(void *p) {
  net_args *a = p;
  mbrl_ensemble_zero_grad(a->ens);
  const float *y = mbrl_ensemble_forward_train(a->ens, a->w, a->x, a->B);
  mbrl_mse_loss(a->dy, y, a->t, a->ens->cfg.E, a->B, a->ens->cfg.out, NULL);
  mbrl_ensemble_backward(a->ens, a->w, NULL, a->dy, a->x, a->B);
  mbrl_adam_step(a->opt, a->ens->params, a->ens->grads);
}

/* the best rate of a large square matmul over two sizes, so a noisy moment does not set the limit;
 * bf16: bfloat16 operands and output, fp32 accumulation */
static double matmul_peak(int bf16) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  double peak = 0.0;
  for (int n = bench_quick ? 256 : 2048; n <= (bench_quick ? 256 : 4096); n *= 2) {
    size_t nn = (size_t)n * n;
    float *a = mbrl_alloc(nn * sizeof(float)), *b = mbrl_alloc(nn * sizeof(float));
    float *c = mbrl_alloc(nn * sizeof(float));
    mbrl_rng_fill_uniform(&r, a, nn, -1.0f, 1.0f);
    mbrl_rng_fill_uniform(&r, b, nn, -1.0f, 1.0f);
    if (bf16) {
      mbrl_bf16_from_f32((uint16_t *)a, a, nn);
      mbrl_bf16_from_f32((uint16_t *)b, b, nn);
    }
    matmul_args m = {a, b, c, n};
    double t = bench_best_time(n == 2048 ? 20 : 5, bf16 ? run_matmul_bf16 : run_matmul, &m);
    double rate = 2.0 * (double)nn * n / t * 1e-9;
    if (rate > peak) peak = rate;
    mbrl_free(a), mbrl_free(b), mbrl_free(c);
  }
  return peak;
}

double bench_matmul_peak(void) {
  static double peak = 0.0;
  if (peak == 0.0) peak = matmul_peak(0);
  return peak;
}

double bench_matmul_peak_bf16(void) {
  static double peak = 0.0;
  if (peak == 0.0) peak = matmul_peak(1);
  return peak;
}

/* through an inference copy (packed weights), as the planner's predictions run */
static double forward_gflops(int E, int B, int in, int hidden, int out, mbrl_act act, mbrl_precision prec) {
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  mbrl_mlp_config cfg = {.E = E, .in = in, .out = out, .n_hidden = 2, .hidden = hidden, .act = act};
  mbrl_ensemble ens;
  mbrl_ensemble_init(&ens, &cfg, &r, NULL, 0);
  float *x = mbrl_alloc((size_t)E * B * in * sizeof(float)), *y = mbrl_alloc((size_t)E * B * out * sizeof(float));
  mbrl_rng_fill_normal(&r, x, (size_t)E * B * in, 0.0f, 1.0f);
  mbrl_ensemble_infer q;
  mbrl_ensemble_infer_init(&q, &ens, prec, B);
  net_args a = {.ens = &ens, .q = &q, .x = x, .y = y, .B = B};
  double t = bench_best_time(200, run_forward_infer, &a);
  double g = mbrl_ensemble_forward_flops(&ens, B) / t * 1e-9;
  bench_say("  ensemble forward E=%d B=%d %d->%d->%d->%d %s %s: %.3f ms\n", E, B, in, hidden, hidden, out,
            mbrl_act_name(act), mbrl_precision_name(prec), t * 1e3);
  mbrl_ensemble_infer_free(&q);
  mbrl_free(x), mbrl_free(y);
  mbrl_ensemble_free(&ens);
  return g;
}

/* training steps per second; *flops_out: the FLOPs of one */
static double train_steps(int E, int B, int in, int hidden, int out, double *flops_out) {
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  mbrl_mlp_config cfg = {.E = E, .in = in, .out = out, .n_hidden = 2, .hidden = hidden, .act = MBRL_ACT_TANH};
  mbrl_ensemble ens;
  mbrl_ensemble_init(&ens, &cfg, &r, NULL, 0);
  mbrl_ensemble_work w;
  mbrl_ensemble_work_init(&w, &ens, B);
  mbrl_adam opt;
  mbrl_adam_init(&opt, ens.n_params, 1e-3f);
  size_t nx = (size_t)E * B * in, ny = (size_t)E * B * out;
  float *x = mbrl_alloc(nx * sizeof(float)), *t = mbrl_alloc(ny * sizeof(float));
  float *dy = mbrl_alloc(ny * sizeof(float));
  mbrl_rng_fill_normal(&r, x, nx, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, t, ny, 0.0f, 1.0f);
  net_args a = {.ens = &ens, .w = &w, .opt = &opt, .x = x, .t = t, .dy = dy, .B = B};
  double sec = bench_best_time(100, run_train_step, &a);
  /* forward, weight gradients, and input gradients of every layer but the first */
  double fwd = mbrl_ensemble_forward_flops(&ens, B);
  double flops = 2.0 * fwd + (fwd - 2.0 * E * (double)B * in * hidden);
  bench_say("  training step E=%d B=%d %d->%d->%d->%d tanh (fwd+bwd+Adam): %.3f ms\n", E, B, in, hidden,
         hidden, out, sec * 1e3);
  mbrl_free(x), mbrl_free(t), mbrl_free(dy);
  mbrl_adam_free(&opt);
  mbrl_ensemble_work_free(&w);
  mbrl_ensemble_free(&ens);
  *flops_out = flops;
  return 1.0 / sec;
}

void bench_nn(int threads) {
  bench_say("nn (%s, %d threads)\n", mbrl_backend_info(), threads);
  double peak = bench_matmul_peak();
  bench_say("  large square fp32 matmul (best of 2048, 4096): %.1f GFLOP/s, the fp32 limit below\n", peak);
  bench_row("fp32 matmul, large square", peak, peak, "GFLOP/s");
  bench_row("ensemble forward, planning shape", forward_gflops(3, 1000, 27, 250, 21, MBRL_ACT_TANH, MBRL_PRECISION_FP32), peak,
            "GFLOP/s");
  bench_row("ensemble forward, planning shape, relu",
            forward_gflops(3, 1000, 27, 250, 21, MBRL_ACT_RELU, MBRL_PRECISION_FP32), peak, "GFLOP/s");
  double flops, steps = train_steps(3, 512, 27, 250, 21, &flops);
  bench_row("model training steps, Q3 (E=3 B=512 2 x 250)", steps, peak * 1e9 / flops, "steps/s");
  if (!mbrl_bf16_native()) {
    bench_say("  bf16: skipped, the CPU has no AVX-512 BF16 or AMX\n");
    return;
  }
  double peak16 = bench_matmul_peak_bf16();
  bench_say("  large square bf16 matmul: %.1f GFLOP/s, the bf16 limit below\n", peak16);
  bench_row("bf16 matmul, large square", peak16, peak16, "GFLOP/s");
  bench_row("ensemble forward, planning shape, bf16",
            forward_gflops(3, 1000, 27, 250, 21, MBRL_ACT_TANH, MBRL_PRECISION_BF16), peak16, "GFLOP/s");
}

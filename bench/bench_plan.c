/* Planner benchmarks at the CS285 cheetah Q3/Q5 setting (E 3, N 1000, H 15, 2 x 250 tanh, obs 21,
 * act 6): planning steps per second of random shooting, CEM-4, MPPI (one iteration, PDDM), iCEM
 * (its defaults: 3 iterations, decay 1.25), gradient planning (20 sequences, 15 Adam steps) and
 * CEM-GD (100 sequences, its defaults), in fp32 and bf16, against the matmul peak of the same
 * precision over the network FLOPs of the sequences a step scores; notes give the time of the
 * bare ensemble forwards a step contains, the rest being the planner's own work. */
#include <stdio.h>

#include "bench.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/planner.h"

enum { E = 3, N = 1000, H = 15, CEM_ITERS = 4 };

typedef struct {
  mbrl_planner *p;
  const float *obs;
  float act[32];
} plan_args;

static void run_plan(void *ctx) {
  plan_args *a = ctx;
  mbrl_planner_act(a->p, a->obs, a->act);
}

typedef struct {
  mbrl_ensemble_infer *q; /* the network copy the planner's predictions run through */
  const float *x;
  float *y;
} fwd_args;

/* the H forward calls over E x N rows that one planning step makes */
static void run_forwards(void *ctx) {
  fwd_args *a = ctx;
  for (int t = 0; t < H; t++) mbrl_ensemble_infer_forward(a->q, a->y, a->x, N);
}

/* a planning step's best time over rounds, and the sequences it scores */
static double plan_time(mbrl_planner *p, const float *obs, int rounds, double *sequences) {
  plan_args a = {.p = p, .obs = obs};
  int64_t before = mbrl_planner_evaluated(p);
  run_plan(&a);
  *sequences = (double)(mbrl_planner_evaluated(p) - before);
  double t = 1e30;
  for (int r = 0; r < rounds; r++) {
    double tp = bench_best_time(2, run_plan, &a);
    if (tp < t) t = tp;
  }
  return t;
}

/* best times of a planning step and of its bare forwards (iters of them), measured in alternating
 * rounds so that a change in the machine's load affects both alike */
static void best_of_rounds(plan_args *pa, fwd_args *fa, int iters, int rounds, double *t_plan, double *t_fwd) {
  *t_plan = *t_fwd = 1e30;
  for (int r = 0; r < rounds; r++) {
    double tp = bench_best_time(2, run_plan, pa), tf = 0.0;
    for (int i = 0; i < iters; i++) tf += bench_best_time(2, run_forwards, fa);
    if (tp < *t_plan) *t_plan = tp;
    if (tf < *t_fwd) *t_fwd = tf;
  }
}

void bench_plan(int threads) {
  char err[256] = "";
  mbrl_env *env;
  if (mbrl_env_make(&env, "cheetah-cs285-v0", err, sizeof err)) {
    bench_say("plan: skipped, %s\n", err);
    return;
  }
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  const int O = spec->obs_dim, A = spec->act_dim;
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);

  /* a model with statistics from random data: timing does not depend on the weights */
  mbrl_dynamics_config dc = mbrl_dynamics_defaults(O, A);
  dc.E = E;
  mbrl_dynamics dyn;
  mbrl_dynamics_init(&dyn, &dc, &r, NULL, 0);
  mbrl_paths paths;
  mbrl_paths_init(&paths, O, A, 2000);
  paths.n = 2000;
  mbrl_rng_fill_normal(&r, paths.obs, (size_t)2000 * O, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, paths.next_obs, (size_t)2000 * O, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, paths.act, (size_t)2000 * A, -1.0f, 1.0f);
  mbrl_buffer buf;
  mbrl_buffer_init(&buf, O, A, 0);
  mbrl_buffer_add(&buf, &paths, NULL);
  mbrl_dynamics_update_stats(&dyn, &buf, NULL, 0);
  float obs[64];
  mbrl_env_reset(env, 1, obs);
  bench_say("plan (%d threads): E=%d N=%d H=%d, %d -> 250 -> 250 -> %d tanh, %s reward\n", threads, E, N, H,
            O + A, O, spec->name);
  float *x = mbrl_alloc((size_t)E * N * (O + A) * sizeof(float)), *y = mbrl_alloc((size_t)E * N * O * sizeof(float));
  mbrl_rng_fill_normal(&r, x, (size_t)E * N * (O + A), 0.0f, 1.0f);
  const double step_flops = H * mbrl_ensemble_forward_flops(&dyn.net, N);

  for (int prec = MBRL_PRECISION_FP32; prec <= MBRL_PRECISION_BF16; prec++) {
    const char *pn = mbrl_precision_name((mbrl_precision)prec);
    if (prec == MBRL_PRECISION_BF16 && !mbrl_bf16_native()) {
      bench_say("  bf16: skipped, the CPU has no AVX-512 BF16 or AMX\n");
      break;
    }
    double peak = prec == MBRL_PRECISION_BF16 ? bench_matmul_peak_bf16() : bench_matmul_peak();
    mbrl_dynamics_work w;
    mbrl_dynamics_work_init(&w, &dyn, N);
    mbrl_dynamics_work_set_precision(&w, (mbrl_precision)prec);
    mbrl_model model = mbrl_dynamics_model(&w);
    fwd_args fa = {&w.net, x, y};

    mbrl_task task = mbrl_env_task(env);
    mbrl_planner_config pc;
    mbrl_planner_defaults(&pc, "random", NULL, 0);
    pc.H = H, pc.N = N;
    mbrl_planner *rs;
    MBRL_ASSERT(mbrl_planner_make(&rs, &pc, &task, &model, &r, NULL, 0) == MBRL_OK);
    plan_args ra = {.p = rs, .obs = obs};
    double t_rs, t_fwd;
    best_of_rounds(&ra, &fa, 1, 8, &t_rs, &t_fwd);
    char iters[16];
    snprintf(iters, sizeof iters, "%d", CEM_ITERS);
    mbrl_planner_set(&pc, "mpc_action_sampling_strategy", "cem", NULL, 0);
    mbrl_planner_set(&pc, "cem_iterations", iters, NULL, 0);
    mbrl_planner *cem;
    MBRL_ASSERT(mbrl_planner_make(&cem, &pc, &task, &model, &r, NULL, 0) == MBRL_OK);
    plan_args ca = {.p = cem, .obs = obs};
    double t_cem, t_fwd4;
    best_of_rounds(&ca, &fa, CEM_ITERS, 4, &t_cem, &t_fwd4);

    bench_say("  %s: random shooting step %.2f ms (bare forwards %.2f ms), CEM-4 step %.2f ms (%.2f ms); "
              "%.2f GFLOP a step, %s matmul peak %.1f GFLOP/s\n",
              pn, t_rs * 1e3, t_fwd * 1e3, t_cem * 1e3, t_fwd4 * 1e3, step_flops * 1e-9, pn, peak);
    char what[64];
    snprintf(what, sizeof what, "random shooting steps, %s", pn);
    bench_row(what, 1.0 / t_rs, peak * 1e9 / step_flops, "steps/s");
    snprintf(what, sizeof what, "CEM-4 steps, %s", pn);
    bench_row(what, 1.0 / t_cem, peak * 1e9 / (CEM_ITERS * step_flops), "steps/s");

    /* the planners that score a different number of sequences per step; gradient steps roll
     * their sequences forward and back, the backward pass counted as two forward ones */
    const char *others[] = {"mppi", "MPPI", "icem", "iCEM", "grad", "grad (N 20)", "cemgd", "CEM-GD (N 100)"};
    for (int k = 0; k < 8; k += 2) {
      const int gradient = k >= 4;
      mbrl_planner_set(&pc, "mpc_action_sampling_strategy", others[k], NULL, 0);
      pc.N = k == 4 ? 20 : k == 6 ? 100 : N;
      mbrl_planner *p;
      MBRL_ASSERT(mbrl_planner_make(&p, &pc, &task, &model, &r, NULL, 0) == MBRL_OK);
      double seqs, t = plan_time(p, obs, 4, &seqs);
      const double flops = (gradient ? 3.0 : 1.0) * seqs / N * step_flops;
      bench_say("  %s: %s step %.2f ms, %.0f sequences scored (%.2f GFLOP)\n", pn, others[k + 1], t * 1e3, seqs,
                flops * 1e-9);
      snprintf(what, sizeof what, "%s steps, %s", others[k + 1], pn);
      bench_row(what, 1.0 / t, peak * 1e9 / flops, "steps/s");
      mbrl_planner_free(p);
      pc.N = N;
    }

    mbrl_planner_free(rs);
    mbrl_planner_free(cem);
    mbrl_dynamics_work_free(&w);
  }
  mbrl_free(x), mbrl_free(y);
  mbrl_buffer_free(&buf);
  mbrl_paths_free(&paths);
  mbrl_dynamics_free(&dyn);
  mbrl_env_free(env);
}

/* SAC and model-rollout benchmarks at the CS285 HW4 Q6 setting (cheetah, obs 21, act 6): SAC
 * updates per second (batch 256, actor and twin critics 2 x 256) and model-rollout transitions
 * per second (E 3 dynamics 2 x 250, the 2 x 256 actor sampling, L 10), each against what the
 * measured matmul peak allows for the network FLOPs of the same work. */
#include <stdio.h>

#include "bench.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/rollout.h"
#include "mbrl/sac.h"

enum { O = 21, A = 6, BATCH = 256, E = 3, L = 10, DATA = 2000 };

/* FLOPs of a backward over B rows: weight gradients, and input gradients of every layer but the
 * first unless with_dx */
static double backward_flops(const mbrl_ensemble *ens, int B, int with_dx) {
  double f = mbrl_ensemble_forward_flops(ens, B);
  double first = 2.0 * ens->cfg.E * (double)B * ens->cfg.in * (ens->cfg.n_hidden > 0 ? ens->cfg.hidden : ens->cfg.out);
  return 2.0 * f - (with_dx ? 0.0 : first);
}

/* the network FLOPs of one mbrl_sac_update: the critic step (a' for s', the targets, the critics
 * forward and backward) and the actor step (the actor forward, the critics forward and backward
 * to the action, the actor backward) */
static double sac_update_flops(const mbrl_sac *s, int B) {
  double fa = mbrl_ensemble_forward_flops(&s->actor, B), fc = mbrl_ensemble_forward_flops(&s->critic, B);
  double critic = fa + fc + fc + backward_flops(&s->critic, B, 0);
  double actor = fa + fc + backward_flops(&s->critic, B, 1) + backward_flops(&s->actor, B, 0);
  return critic + actor;
}

typedef struct {
  mbrl_sac *sac;
  const float *obs, *act, *rew, *next, *term;
} update_args;

static void run_update(void *p) {
  update_args *u = p;
  mbrl_sac_update(u->sac, NULL, u->obs, u->act, u->rew, u->next, u->term, BATCH, NULL, 0);
}

typedef struct {
  mbrl_rollout *ro;
  mbrl_sac *sac;
  const mbrl_buffer *start;
  int B;
} rollout_args;

static void run_rollouts(void *p) {
  rollout_args *r = p;
  mbrl_rollout_run(r->ro, mbrl_sac_policy_sample_batch, r->sac, r->start, r->B, NULL, 0);
}

/* transitions per second of B rollouts at once, and what the peak allows */
static void rollout_row(mbrl_dynamics *dyn, mbrl_sac *sac, const mbrl_env *env, const mbrl_buffer *start,
                        int B, double peak, mbrl_rng *r) {
  mbrl_dynamics_work w;
  mbrl_dynamics_work_init(&w, dyn, B);
  mbrl_model model = mbrl_dynamics_model(&w);
  mbrl_rollout ro;
  mbrl_rollout_config rc = {.max_B = B, .length = L};
  mbrl_task task = mbrl_env_task(env);
  mbrl_rollout_init(&ro, &rc, &model, &task, r, NULL, 0);
  rollout_args a = {&ro, sac, start, B};
  double t = bench_best_time(B < 100 ? 200 : 10, run_rollouts, &a);
  double flops = L * (mbrl_ensemble_forward_flops(&sac->actor, B) + mbrl_ensemble_forward_flops(&dyn->net, B));
  char what[64];
  snprintf(what, sizeof what, "model rollouts, %d at once, L=%d", B, L);
  bench_row(what, B * L / t, B * L / (flops / (peak * 1e9)), "trans/s");
  mbrl_rollout_free(&ro);
  mbrl_dynamics_work_free(&w);
}

void bench_sac(int threads) {
  char err[256] = "";
  mbrl_env *env;
  if (mbrl_env_make(&env, "cheetah-cs285-v0", err, sizeof err)) {
    bench_say("sac: skipped, %s\n", err);
    return;
  }
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  double peak = bench_matmul_peak();
  bench_say("sac (%d threads): obs %d, act %d; actor and critics 2 x 256, dynamics E=%d 2 x 250 tanh\n", threads,
         O, A, E);
  bench_say("  large square fp32 matmul: %.1f GFLOP/s; limits below are network FLOPs at that rate\n", peak);

  /* the agent and a batch; timing does not depend on the values */
  mbrl_sac_config sc = mbrl_sac_defaults(O, A);
  sc.act_batch = 1000;
  mbrl_sac sac;
  mbrl_sac_init(&sac, &sc, &r, NULL, 0);
  float *obs = mbrl_alloc(sizeof(float) * BATCH * O), *next = mbrl_alloc(sizeof(float) * BATCH * O);
  float *act = mbrl_alloc(sizeof(float) * BATCH * A), *rew = mbrl_alloc(sizeof(float) * BATCH);
  float *term = mbrl_alloc(sizeof(float) * BATCH);
  mbrl_rng_fill_normal(&r, obs, (size_t)BATCH * O, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, next, (size_t)BATCH * O, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, act, (size_t)BATCH * A, -1.0f, 1.0f);
  mbrl_rng_fill_normal(&r, rew, BATCH, 0.0f, 1.0f);
  update_args u = {&sac, obs, act, rew, next, term};
  double t = bench_best_time(50, run_update, &u), flops = sac_update_flops(&sac, BATCH);
  bench_say("  one SAC update: %.3f ms, %.1f MFLOP of network work\n", t * 1e3, flops * 1e-6);
  bench_row("SAC updates, batch 256, 2 x 256", 1.0 / t, peak * 1e9 / flops, "updates/s");

  /* a model with statistics from random data, started from the same rows */
  mbrl_dynamics_config dc = mbrl_dynamics_defaults(O, A);
  dc.E = E;
  mbrl_dynamics dyn;
  mbrl_dynamics_init(&dyn, &dc, &r, NULL, 0);
  mbrl_paths paths;
  mbrl_paths_init(&paths, O, A, DATA);
  paths.n = DATA;
  mbrl_rng_fill_normal(&r, paths.obs, (size_t)DATA * O, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, paths.next_obs, (size_t)DATA * O, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, paths.act, (size_t)DATA * A, -1.0f, 1.0f);
  mbrl_buffer buf;
  mbrl_buffer_init(&buf, O, A, 0);
  mbrl_buffer_add(&buf, &paths, NULL);
  mbrl_dynamics_update_stats(&dyn, &buf, NULL, 0);
  rollout_row(&dyn, &sac, env, &buf, 10, peak, &r);
  rollout_row(&dyn, &sac, env, &buf, 1000, peak, &r);

  mbrl_buffer_free(&buf);
  mbrl_paths_free(&paths);
  mbrl_dynamics_free(&dyn);
  mbrl_free(obs), mbrl_free(next), mbrl_free(act), mbrl_free(rew), mbrl_free(term);
  mbrl_sac_free(&sac);
  mbrl_env_free(env);
}

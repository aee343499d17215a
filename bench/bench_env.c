/* Environment benchmarks: each MuJoCo environment's steps per second (times its frame skip)
 * against raw mj_step calls per second on the same model, state and actions; each pure C
 * environment against calling its class's step function directly. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "env/env_impl.h"
#include "mbrl/core.h"
#include "mbrl/env.h"

enum { STEPS = 20000, REPS = 2, ROUNDS = 4 };

typedef struct {
  mbrl_env *env;
  const float *acts;      /* (STEPS x act_dim) */
  const double *state;    /* the start, from mbrl_env_get_state */
  float *obs;
  int act_dim;
  mbrl_mj mj;             /* raw MuJoCo: the same model file */
  const mbrl_env_class *cls;  /* raw pure C: the class's step */
  void *self;
} env_args;

static void run_env(void *p) {
  env_args *a = p;
  float r;
  int term, trunc;
  mbrl_env_set_state(a->env, a->state, NULL);
  for (int t = 0; t < STEPS; t++)
    if (mbrl_env_step(a->env, a->acts + (size_t)t * (size_t)a->act_dim, a->obs, &r, &term,
                      &trunc) < 0)
      mbrl_env_set_state(a->env, a->state, NULL);
}

/* the same physics steps as run_env: ctrl from the same actions, frame_skip mj_step each */
static void run_raw_mujoco(void *p) {
  env_args *a = p;
  const mjModel *m = a->mj.m;
  mjData *d = a->mj.d;
  mbrl_mj_set_state(&a->mj, a->state + 1);
  for (int t = 0; t < STEPS; t++) {
    const float *act = a->acts + (size_t)t * (size_t)a->act_dim;
    for (int i = 0; i < m->nu; i++) d->ctrl[i] = act[i];
    for (int k = 0; k < a->mj.frame_skip; k++) mj_step(m, d);
  }
}

static void run_raw_class(void *p) {
  env_args *a = p;
  a->cls->set_state(a->self, a->state + 1, a->obs);
  for (int t = 0; t < STEPS; t++)
    a->cls->step(a->self, a->acts + (size_t)t * (size_t)a->act_dim, a->obs);
}

/* best times of the environment and of the raw loop, measured in alternating rounds so that a
 * change in the machine's load affects both alike */
static void best_of_rounds(env_args *a, void (*raw)(void *), double *t_env, double *t_raw) {
  *t_env = *t_raw = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    double te = bench_best_time(REPS, run_env, a), tr = bench_best_time(REPS, raw, a);
    if (te < *t_env) *t_env = te;
    if (tr < *t_raw) *t_raw = tr;
  }
}

static const struct {
  const char *name, *asset;  /* asset NULL: pure C */
  int frame_skip;
} envs[] = {
    {"cheetah-cs285-v0", "half_cheetah.xml", 1}, {"halfcheetah-v4", "half_cheetah.xml", 5},
    {"reacher-cs285-v0", "reacher_7dof.xml", 2}, {"obstacles-cs285-v0", NULL, 0},
    {"pendulum-swingup-v0", NULL, 0},            {"cartpole-swingup-v0", NULL, 0},
};

void bench_env(int threads) {
  (void)threads; /* an environment steps on one thread */
  char err[512];
  for (size_t k = 0; k < sizeof envs / sizeof *envs; k++) {
    env_args a;
    memset(&a, 0, sizeof a);
    if (mbrl_env_make(&a.env, envs[k].name, err, sizeof err)) {
      bench_say("env: %s\n", err);
      continue;
    }
    const mbrl_env_spec *s = mbrl_env_get_spec(a.env);
    a.act_dim = s->act_dim;
    float *acts = mbrl_alloc(sizeof(float) * (size_t)STEPS * (size_t)s->act_dim);
    double *state = mbrl_alloc(sizeof(double) * (size_t)s->state_dim);
    a.obs = mbrl_alloc(sizeof(float) * (size_t)s->obs_dim);
    mbrl_rng rng;
    mbrl_rng_init(&rng, 1, k);
    for (int t = 0; t < STEPS; t++)
      for (int i = 0; i < s->act_dim; i++)
        acts[(size_t)t * (size_t)s->act_dim + (size_t)i] =
            s->act_low[i] + (s->act_high[i] - s->act_low[i]) * (float)mbrl_rng_uniform(&rng);
    a.acts = acts;
    mbrl_env_reset(a.env, 1, a.obs);
    mbrl_env_get_state(a.env, state);
    a.state = state;
    char what[96];
    if (envs[k].asset) {
      if (mbrl_mj_load(&a.mj, envs[k].asset, 1, envs[k].frame_skip, err, sizeof err) < 0) {
        bench_say("env: %s\n", err);
      } else {
        double t_env, t_raw;
        best_of_rounds(&a, run_raw_mujoco, &t_env, &t_raw);
        double fs = envs[k].frame_skip;
        /* physics steps through the environment against raw mj_step calls, then env steps */
        snprintf(what, sizeof what, "%s env steps x %d vs mj_step", envs[k].name,
                 envs[k].frame_skip);
        bench_row(what, STEPS * fs / t_env, STEPS * fs / t_raw, "steps/s");
        snprintf(what, sizeof what, "%s env steps/s", envs[k].name);
        bench_row(what, STEPS / t_env, STEPS / t_raw, "steps/s");
        mbrl_mj_free(&a.mj);
      }
    } else {
      /* the class's own step with no checks, clipping or reward */
      a.cls = NULL;
      for (int i = 0; i < mbrl_env_registry_count(); i++)
        if (!strcmp(mbrl_env_registry_get(i)->name, envs[k].name)) a.cls = mbrl_env_registry_get(i);
      a.self = mbrl_alloc(a.cls->self_size);
      double t_env, t_raw;
      best_of_rounds(&a, run_raw_class, &t_env, &t_raw);
      snprintf(what, sizeof what, "%s env steps/s vs raw step", envs[k].name);
      bench_row(what, STEPS / t_env, STEPS / t_raw, "steps/s");
      mbrl_free(a.self);
    }
    mbrl_free(acts);
    mbrl_free(state);
    mbrl_free(a.obs);
    mbrl_env_free(a.env);
  }
}

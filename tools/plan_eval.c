/* plan_eval: runs MPC episodes on a CS285 environment with either a saved dynamics model or the
 * environment's true dynamics as the planner's model, and prints each episode's return, the
 * candidate sequences scored per step and the planning time per step. It separates what the
 * planner can do (true dynamics: the ceiling of MPC at these settings) from what the learned model
 * allows.
 *
 *   plan_eval ENV MODEL [iterations] [episodes] [seed] [horizon] [SETTING=VALUE ...]
 *     ENV         cheetah-cs285-v0 or obstacles-cs285-v0
 *     MODEL       a model.safetensors written by `mbrl mb`, or "true"
 *     iterations  0: random shooting; k >= 1: CEM with k iterations (default 0)
 *     episodes    default 1; seed default 1; horizon default 15 (cheetah) or 10 (obstacles)
 *     SETTING     any planner setting by its flag's name: planner=icem (or
 *                 mpc_action_sampling_strategy), mpc_num_action_sequences=400, mppi_gamma=1, ...
 * Planner settings otherwise as the course's defaults: 1000 sequences, 5 elites, alpha 1. The
 * true model restores each row into a copy of the environment and steps it (cheetah: qpos and
 * qvel are obs[0..17]; obstacles: the position is obs[0..1]), one row at a time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/mbrl.h"

enum { MAX_STATE = 64 };

typedef struct {
  mbrl_env *sim;
  int obs_dim, act_dim, state_dim;
  int cheetah; /* else obstacles */
} true_model;

static int true_predict(void *ctx, const float *s, const float *a, float *s2, float *var, int B, mbrl_rng *rng) {
  (void)var, (void)rng;
  true_model *m = ctx;
  double st[MAX_STATE];
  for (int i = 0; i < B; i++) {
    const float *o = s + (size_t)i * m->obs_dim;
    memset(st, 0, sizeof st);
    /* the step count, then the simulator's state (time, qpos, qvel, ... for MuJoCo) */
    if (m->cheetah)
      for (int k = 0; k < 18; k++) st[2 + k] = o[k];
    else
      st[1] = o[0], st[2] = o[1];
    if (mbrl_env_set_state(m->sim, st, NULL) ||
        mbrl_env_step(m->sim, a + (size_t)i * m->act_dim, s2 + (size_t)i * m->obs_dim, NULL, NULL, NULL) < 0)
      for (int k = 0; k < m->obs_dim; k++) s2[(size_t)i * m->obs_dim + k] = NAN;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: plan_eval ENV MODEL|true [iterations] [episodes] [seed] [horizon] [SETTING=VALUE ...]\n");
    return 2;
  }
  /* positional arguments, then planner settings */
  int npos = 1;
  while (npos < argc && !strchr(argv[npos], '=')) npos++;
  const char *name = argv[1], *model_path = argv[2];
  int iters = npos > 3 ? atoi(argv[3]) : 0, episodes = npos > 4 ? atoi(argv[4]) : 1;
  uint64_t seed = npos > 5 ? strtoull(argv[5], NULL, 10) : 1;
  int cheetah = !strcmp(name, "cheetah-cs285-v0");
  if (!cheetah && strcmp(name, "obstacles-cs285-v0")) {
    fprintf(stderr, "plan_eval: ENV must be cheetah-cs285-v0 or obstacles-cs285-v0\n");
    return 2;
  }
  int H = npos > 6 ? atoi(argv[6]) : cheetah ? 15 : 10;
  if (iters < 0 || episodes < 1 || H < 1) {
    fprintf(stderr, "plan_eval: iterations >= 0, episodes >= 1 and horizon >= 1\n");
    return 2;
  }
  char err[512];
  mbrl_ftz_enable();
  mbrl_env *env = NULL, *sim = NULL;
  if (mbrl_env_make(&env, name, err, sizeof err) || mbrl_env_make(&sim, name, err, sizeof err)) {
    fprintf(stderr, "plan_eval: %s\n", err);
    mbrl_env_free(env);
    return 1;
  }
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  MBRL_ASSERT(spec->state_dim <= MAX_STATE);
  mbrl_rng rng;
  mbrl_rng_init(&rng, seed, 0);

  mbrl_planner_config pc;
  mbrl_planner_defaults(&pc, iters ? "cem" : "random", NULL, 0);
  pc.H = H;
  char text[16];
  snprintf(text, sizeof text, "%d", iters);
  if (iters) mbrl_planner_set(&pc, "cem_iterations", text, NULL, 0);
  for (int i = npos; i < argc; i++) {
    char key[128];
    const char *eq = strchr(argv[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - argv[i]), argv[i]);
    if (!strcmp(key, "planner")) snprintf(key, sizeof key, "mpc_action_sampling_strategy");
    if (mbrl_planner_set(&pc, key, eq + 1, err, sizeof err)) {
      fprintf(stderr, "plan_eval: %s\n", err);
      return 2;
    }
  }
  true_model tm = {sim, spec->obs_dim, spec->act_dim, spec->state_dim, cheetah};
  mbrl_model model = {.E = 1, .obs_dim = spec->obs_dim, .act_dim = spec->act_dim, .max_B = pc.N,
                      .predict = true_predict, .ctx = &tm};
  mbrl_dynamics dyn = {0};
  mbrl_dynamics_work work = {0};
  int learned = strcmp(model_path, "true") != 0;
  if (learned) {
    if (mbrl_dynamics_load(&dyn, model_path, &rng, err, sizeof err)) {
      fprintf(stderr, "plan_eval: %s\n", err);
      return 1;
    }
    mbrl_dynamics_work_init(&work, &dyn, pc.N);
    model = mbrl_dynamics_model(&work);
  }
  mbrl_task task = mbrl_env_task(env);
  mbrl_planner *p;
  if (mbrl_planner_make(&p, &pc, &task, &model, &rng, err, sizeof err)) {
    fprintf(stderr, "plan_eval: %s\n", err);
    return 1;
  }

  const int O = spec->obs_dim, A = spec->act_dim;
  float *obs = mbrl_alloc(sizeof(float) * (size_t)(2 * O + A));
  float *next = obs + O, *act = next + O;
  double total = 0.0, plan_s = 0.0;
  int64_t steps = 0;
  for (int ep = 0; ep < episodes; ep++) {
    double ret = 0.0;
    int t = 0, done = 0, trunc = 0;
    if (mbrl_env_reset(env, mbrl_rng_u64(&rng), obs)) return 1;
    mbrl_planner_reset(p); /* a warm start does not carry over between episodes */
    while (!done && !trunc) {
      float r;
      double t0 = mbrl_time_now();
      if (mbrl_planner_act(p, obs, act)) {
        fprintf(stderr, "plan_eval: planning failed\n");
        return 1;
      }
      plan_s += mbrl_time_now() - t0, steps++;
      if (mbrl_env_step(env, act, next, &r, &done, &trunc) < 0) {
        fprintf(stderr, "plan_eval: %s\n", mbrl_env_last_error(env));
        return 1;
      }
      ret += r, t++;
      memcpy(obs, next, sizeof(float) * (size_t)O);
    }
    total += ret;
    printf("episode %d: return %.1f in %d steps\n", ep, ret, t);
    fflush(stdout);
  }
  printf("%s, %s model, %s, H %d, N %d: mean return %.2f over %d episodes (seed %llu); %.0f sequences "
         "scored and %.1f ms planning per step\n",
         name, learned ? "learned" : "true", pc.name, pc.H, pc.N, total / episodes, episodes,
         (unsigned long long)seed, (double)mbrl_planner_evaluated(p) / (double)steps, 1e3 * plan_s / (double)steps);
  mbrl_free(obs);
  mbrl_planner_free(p);
  if (learned) mbrl_dynamics_work_free(&work), mbrl_dynamics_free(&dyn);
  mbrl_env_free(env);
  mbrl_env_free(sim);
  return 0;
}

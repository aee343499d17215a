/* Planner front end: configuration, buffers, the random policy before the model is ready, and
 * the batched scoring of candidate sequences shared by every planner. */
#include <math.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/planner.h"
#include "plan/plan_impl.h"

mbrl_planner_config mbrl_planner_defaults(void) {
  return (mbrl_planner_config){
      .kind = MBRL_PLANNER_RANDOM, .H = 10, .N = 1000, .cem_iters = 4, .cem_elites = 5, .cem_alpha = 1.0f};
}

int mbrl_planner_kind_parse(const char *name, mbrl_planner_kind *kind) {
  if (!strcmp(name, "random")) *kind = MBRL_PLANNER_RANDOM;
  else if (!strcmp(name, "cem")) *kind = MBRL_PLANNER_CEM;
  else return MBRL_EINVAL;
  return MBRL_OK;
}

int mbrl_planner_init(mbrl_planner *p, const mbrl_planner_config *cfg, const mbrl_env *env,
                      const mbrl_model *model, mbrl_rng *rng, char *err, size_t err_sz) {
  memset(p, 0, sizeof *p);
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  if (cfg->kind != MBRL_PLANNER_RANDOM && cfg->kind != MBRL_PLANNER_CEM)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "unknown planner kind %d", (int)cfg->kind);
  if (cfg->H < 1 || cfg->N < 1)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "planner horizon %d and sequences %d must be >= 1", cfg->H,
                     cfg->N);
  if (cfg->kind == MBRL_PLANNER_CEM &&
      (cfg->cem_iters < 1 || cfg->cem_elites < 1 || cfg->cem_elites > cfg->N ||
       !(cfg->cem_alpha > 0.0f && cfg->cem_alpha <= 1.0f)))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "CEM needs iterations >= 1, 1 <= elites <= sequences and alpha in (0, 1]: got %d, "
                     "%d of %d, %g",
                     cfg->cem_iters, cfg->cem_elites, cfg->N, (double)cfg->cem_alpha);
  if (model->obs_dim != spec->obs_dim || model->act_dim != spec->act_dim || model->E < 1 || !model->predict)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "model (obs %d, act %d, E %d) does not fit environment %s (obs %d, act %d)",
                     model->obs_dim, model->act_dim, model->E, spec->name, spec->obs_dim, spec->act_dim);
  if (model->max_B < cfg->N)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "model takes %d rows per member, the planner needs %d",
                     model->max_B, cfg->N);
  p->cfg = *cfg;
  p->env = env;
  p->model = *model;
  p->E = model->E, p->obs_dim = spec->obs_dim, p->act_dim = spec->act_dim;
  p->low = spec->act_low, p->high = spec->act_high;
  const size_t E = (size_t)p->E, N = (size_t)cfg->N, H = (size_t)cfg->H;
  const size_t O = (size_t)p->obs_dim, A = (size_t)p->act_dim;
  p->cand = mbrl_alloc(N * H * A * sizeof(float));
  p->a_t = mbrl_alloc(E * N * A * sizeof(float));
  p->s = mbrl_alloc(E * N * O * sizeof(float));
  p->s2 = mbrl_alloc(E * N * O * sizeof(float));
  p->rew = mbrl_alloc(E * N * sizeof(float));
  p->score = mbrl_alloc(N * sizeof(float));
  p->elite = mbrl_alloc((size_t)(cfg->cem_elites > 0 ? cfg->cem_elites : 1) * sizeof(int));
  p->mu = mbrl_alloc(H * A * sizeof(float));
  p->sigma = mbrl_alloc(H * A * sizeof(float));
  p->plan = mbrl_alloc(H * A * sizeof(float));
  mbrl_rng_split(&p->rng, rng, 0x706c616e); /* "plan" */
  return MBRL_OK;
}

void mbrl_planner_free(mbrl_planner *p) {
  if (!p) return;
  mbrl_free(p->cand), mbrl_free(p->a_t), mbrl_free(p->s), mbrl_free(p->s2), mbrl_free(p->rew);
  mbrl_free(p->score), mbrl_free(p->elite), mbrl_free(p->mu), mbrl_free(p->sigma), mbrl_free(p->plan);
  memset(p, 0, sizeof *p);
}

void mbrl_plan_uniform(mbrl_planner *p, float *x, size_t rows) {
  const int A = p->act_dim;
  mbrl_rng_fill_uniform(&p->rng, x, rows * A, 0.0f, 1.0f); /* in one call: the draws stay in registers */
  for (size_t r = 0; r < rows; r++, x += A)
    for (int d = 0; d < A; d++) x[d] = p->low[d] + (p->high[d] - p->low[d]) * x[d];
}

void mbrl_plan_clip(const mbrl_planner *p, float *x, size_t rows) {
  const int A = p->act_dim;
  for (size_t r = 0; r < rows; r++, x += A)
    for (int d = 0; d < A; d++) x[d] = x[d] < p->low[d] ? p->low[d] : x[d] > p->high[d] ? p->high[d] : x[d];
}

void mbrl_plan_count_nan(mbrl_planner *p) {
  for (int n = 0; n < p->cfg.N; n++) p->nonfinite += isnan(p->score[n]) != 0;
}

void mbrl_planner_evaluate(mbrl_planner *p, const float *obs) {
  const int E = p->E, N = p->cfg.N, H = p->cfg.H;
  const size_t O = (size_t)p->obs_dim, A = (size_t)p->act_dim, EN = (size_t)E * N;
  /* every member starts all N rollouts from obs */
  for (size_t r = 0; r < EN; r++) memcpy(p->s + r * O, obs, O * sizeof(float));
  memset(p->score, 0, (size_t)N * sizeof(float));
  float *s = p->s, *s2 = p->s2;
  for (int t = 0; t < H; t++) {
    /* a_t for member 0, clipped to the bounds as the environment would, then the same block for
     * the others */
    for (int n = 0; n < N; n++)
      memcpy(p->a_t + (size_t)n * A, p->cand + ((size_t)n * H + t) * A, A * sizeof(float));
    mbrl_plan_clip(p, p->a_t, (size_t)N);
    for (int e = 1; e < E; e++) memcpy(p->a_t + (size_t)e * N * A, p->a_t, (size_t)N * A * sizeof(float));
    /* one model call and one reward call over all E x N rows */
    p->model.predict(p->model.ctx, s, p->a_t, s2, N);
    mbrl_env_reward(p->env, s, p->a_t, s2, (int)EN, p->rew, NULL);
    for (int e = 0; e < E; e++) {
      const float *r = p->rew + (size_t)e * N;
      for (int n = 0; n < N; n++) p->score[n] += r[n];
    }
    float *tmp = s;
    s = s2, s2 = tmp;
  }
  const float inv = 1.0f / (float)E;
  for (int n = 0; n < N; n++) p->score[n] *= inv;
}

int mbrl_planner_act(mbrl_planner *p, const float *obs, float *act) {
  if (p->model.ready && !p->model.ready(p->model.ctx)) {
    /* no data statistics yet: one uniform random action */
    mbrl_plan_uniform(p, act, 1);
    return MBRL_OK;
  }
  if (p->cfg.kind == MBRL_PLANNER_CEM)
    mbrl_plan_cem(p, obs, act);
  else
    mbrl_plan_random_shooting(p, obs, act);
  return MBRL_OK;
}

int mbrl_planner_policy(void *planner, const float *obs, float *act) {
  return mbrl_planner_act(planner, obs, act);
}

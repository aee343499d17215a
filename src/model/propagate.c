/* Propagation of particles through an ensemble model: scoring candidate sequences for planners and
 * single steps for model rollouts, members combined by mode. */
#include "mbrl/propagate.h"

#include <string.h>

#include "mbrl/core.h"

const char *const mbrl_propagation_names[] = {"members", "ts1", "tsinf", "expectation", NULL};

static const mbrl_field prop_fields[] = {
    MBRL_CFG_CHOICE(mbrl_propagate_config, mode, "propagation", NULL, mbrl_propagation_names, MBRL_PROP_MEMBERS,
                    "members (each rolls every particle; CS285), ts1, tsinf (PETS) or expectation"),
    MBRL_CFG_INT(mbrl_propagate_config, particles, "particles", NULL, 1, 1e6, 1, "particles per candidate sequence"),
    MBRL_CFG_BOOL(mbrl_propagate_config, use_done, "use_done", NULL, 0,
                  "predicted rewards stop after the task says done"),
};
const mbrl_config_table mbrl_propagate_table = {"propagation", prop_fields,
                                                (int)(sizeof prop_fields / sizeof *prop_fields)};

int mbrl_propagate_init(mbrl_propagator *pg, const mbrl_propagate_config *cfg, const mbrl_model *model,
                        const mbrl_task *task, int max_M, char *err, size_t err_sz) {
  memset(pg, 0, sizeof *pg);
  if (cfg->mode < MBRL_PROP_MEMBERS || cfg->mode > MBRL_PROP_EXPECTATION || cfg->particles < 1 || max_M < 1)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "propagation: mode %d, %d particles and %d rows are not valid",
                     cfg->mode, cfg->particles, max_M);
  if (model->E < 1 || !model->predict || model->obs_dim != task->obs_dim || model->act_dim != task->act_dim ||
      !task->reward)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "model (obs %d, act %d, E %d) does not fit the task (obs %d, act %d)", model->obs_dim,
                     model->act_dim, model->E, task->obs_dim, task->act_dim);
  if (model->max_B < max_M)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "model takes %d rows per member, propagation needs %d",
                     model->max_B, max_M);
  pg->cfg = *cfg;
  pg->model = *model;
  pg->task = *task;
  pg->max_M = max_M;
  pg->E = model->E, pg->obs_dim = model->obs_dim, pg->act_dim = model->act_dim;
  /* members mode steps E trajectories a particle; the others one, through E blocks for the model */
  const size_t model_rows = (size_t)pg->E * (size_t)max_M, O = (size_t)pg->obs_dim, A = (size_t)pg->act_dim;
  const size_t rows = cfg->mode == MBRL_PROP_MEMBERS ? model_rows : (size_t)max_M;
  pg->s = mbrl_alloc(rows * O * sizeof(float));
  pg->s2 = mbrl_alloc(rows * O * sizeof(float));
  pg->a = mbrl_alloc(rows * A * sizeof(float));
  if (cfg->mode != MBRL_PROP_MEMBERS) {
    pg->ms = mbrl_alloc(model_rows * O * sizeof(float));
    pg->ma = mbrl_alloc(model_rows * A * sizeof(float));
    pg->ms2 = mbrl_alloc(model_rows * O * sizeof(float));
  }
  pg->rew = mbrl_alloc(rows * sizeof(float));
  pg->done = mbrl_alloc(rows * sizeof(int));
  pg->alive = mbrl_alloc(rows * sizeof(float));
  pg->member = mbrl_alloc((size_t)max_M * sizeof(int));
  pg->slot = mbrl_alloc((size_t)max_M * sizeof(int));
  pg->count = mbrl_alloc((size_t)pg->E * sizeof(int));
  return MBRL_OK;
}

void mbrl_propagate_free(mbrl_propagator *pg) {
  if (!pg) return;
  mbrl_free(pg->s), mbrl_free(pg->s2), mbrl_free(pg->a);
  mbrl_free(pg->ms), mbrl_free(pg->ma), mbrl_free(pg->ms2);
  mbrl_free(pg->rew), mbrl_free(pg->done), mbrl_free(pg->alive);
  mbrl_free(pg->member), mbrl_free(pg->slot), mbrl_free(pg->count);
  memset(pg, 0, sizeof *pg);
}

void mbrl_propagate_begin(mbrl_propagator *pg, int M, mbrl_rng *rng) {
  MBRL_ASSERT(M >= 0 && M <= pg->max_M);
  if (pg->cfg.mode != MBRL_PROP_TSINF) return;
  for (int i = 0; i < M; i++) pg->member[i] = (int)mbrl_rng_below(rng, (uint64_t)pg->E);
}

/* the rows of each member's block for the current members of M particles; returns the block size */
static int assign_slots(mbrl_propagator *pg, int M) {
  int B = 0;
  memset(pg->count, 0, (size_t)pg->E * sizeof(int));
  for (int i = 0; i < M; i++) {
    pg->slot[i] = pg->count[pg->member[i]]++;
    if (pg->count[pg->member[i]] > B) B = pg->count[pg->member[i]];
  }
  return B;
}

/* next (M x O) of M particles (s, a) through the members as the mode combines them */
static int combine_step(mbrl_propagator *pg, const float *s, const float *a, float *next, int M, mbrl_rng *rng) {
  const size_t O = (size_t)pg->obs_dim, A = (size_t)pg->act_dim, E = (size_t)pg->E;
  mbrl_model *m = &pg->model;
  if (pg->cfg.mode == MBRL_PROP_EXPECTATION) {
    /* every member predicts every particle (means); the next state is their mean */
    const size_t rows = (size_t)M * O;
    for (size_t e = 0; e < E; e++) {
      memcpy(pg->ms + e * rows, s, rows * sizeof(float));
      memcpy(pg->ma + e * (size_t)M * A, a, (size_t)M * A * sizeof(float));
    }
    int rc = m->predict(m->ctx, pg->ms, pg->ma, pg->ms2, NULL, M, NULL);
    if (rc) return rc;
    memcpy(next, pg->ms2, rows * sizeof(float));
    for (size_t e = 1; e < E; e++)
      for (size_t k = 0; k < rows; k++) next[k] += pg->ms2[e * rows + k];
    for (size_t k = 0; k < rows; k++) next[k] /= (float)E;
    return MBRL_OK;
  }
  /* ts1 draws the members now, tsinf drew them at the start; each member gets its own particles */
  if (pg->cfg.mode == MBRL_PROP_TS1)
    for (int i = 0; i < M; i++) pg->member[i] = (int)mbrl_rng_below(rng, E);
  const int B = assign_slots(pg, M);
  for (int i = 0; i < M; i++) {
    size_t r = (size_t)pg->member[i] * B + pg->slot[i];
    memcpy(pg->ms + r * O, s + (size_t)i * O, O * sizeof(float));
    memcpy(pg->ma + r * A, a + (size_t)i * A, A * sizeof(float));
  }
  /* padding rows repeat a real row, so the model sees only states it could meet */
  for (size_t e = 0; e < E; e++)
    for (int k = pg->count[e]; k < B; k++) {
      size_t src = pg->count[e] ? e * B : (size_t)pg->member[0] * B, r = e * B + k;
      memcpy(pg->ms + r * O, pg->ms + src * O, O * sizeof(float));
      memcpy(pg->ma + r * A, pg->ma + src * A, A * sizeof(float));
    }
  int rc = m->predict(m->ctx, pg->ms, pg->ma, pg->ms2, NULL, B, rng);
  if (rc) return rc;
  for (int i = 0; i < M; i++)
    memcpy(next + (size_t)i * O, pg->ms2 + ((size_t)pg->member[i] * B + pg->slot[i]) * O, O * sizeof(float));
  return MBRL_OK;
}

int mbrl_propagate_step(mbrl_propagator *pg, const float *states, const float *acts, float *next, int M,
                        mbrl_rng *rng) {
  MBRL_ASSERT(M >= 1 && M <= pg->max_M);
  if (pg->cfg.mode == MBRL_PROP_MEMBERS)
    return MBRL_EINVAL; /* a rollout keeps one trajectory per particle */
  return combine_step(pg, states, acts, next, M, rng);
}

/* rewards of R rows into pg->rew, zeroed for particles already done (use_done) */
static void rewards(mbrl_propagator *pg, const float *s, const float *a, const float *s2, size_t R) {
  mbrl_task *t = &pg->task;
  if (!pg->cfg.use_done) {
    t->reward(t->ctx, s, a, s2, (int)R, pg->rew, NULL);
    return;
  }
  t->reward(t->ctx, s, a, s2, (int)R, pg->rew, pg->done);
  for (size_t r = 0; r < R; r++) {
    pg->rew[r] *= pg->alive[r];
    if (pg->done[r]) pg->alive[r] = 0.0f;
  }
}

int mbrl_propagate_returns(mbrl_propagator *pg, const float *obs, const float *cand, int N, int H, float *ret,
                           mbrl_rng *rng) {
  const int P = pg->cfg.particles, M = N * P;
  MBRL_ASSERT(N >= 1 && H >= 1 && M <= pg->max_M);
  const int members = pg->cfg.mode == MBRL_PROP_MEMBERS;
  const size_t O = (size_t)pg->obs_dim, A = (size_t)pg->act_dim, E = (size_t)pg->E;
  const size_t R = members ? E * (size_t)M : (size_t)M; /* rows a step */
  for (size_t r = 0; r < R; r++) memcpy(pg->s + r * O, obs, O * sizeof(float));
  if (pg->cfg.use_done)
    for (size_t r = 0; r < R; r++) pg->alive[r] = 1.0f;
  memset(ret, 0, (size_t)N * sizeof(float));
  mbrl_propagate_begin(pg, M, rng);
  float *s = pg->s, *s2 = pg->s2;
  for (int t = 0; t < H; t++) {
    /* a_t of each candidate for its particles, clipped, then the same block for every member */
    for (int n = 0; n < N; n++)
      for (int p = 0; p < P; p++)
        memcpy(pg->a + ((size_t)n * P + p) * A, cand + ((size_t)n * H + t) * A, A * sizeof(float));
    mbrl_task_clip(&pg->task, pg->a, (size_t)M);
    int rc;
    if (members) {
      for (size_t e = 1; e < E; e++) memcpy(pg->a + e * M * A, pg->a, (size_t)M * A * sizeof(float));
      rc = pg->model.predict(pg->model.ctx, s, pg->a, s2, NULL, M, rng);
    } else {
      rc = combine_step(pg, s, pg->a, s2, M, rng);
    }
    if (rc) return rc;
    rewards(pg, s, pg->a, s2, R);
    for (size_t e = 0; e < (members ? E : 1); e++) {
      const float *r = pg->rew + e * (size_t)M;
      for (int n = 0; n < N; n++)
        for (int p = 0; p < P; p++) ret[n] += r[(size_t)n * P + p];
    }
    float *tmp = s;
    s = s2, s2 = tmp;
  }
  const float inv = 1.0f / (float)((members ? (int)E : 1) * P);
  for (int n = 0; n < N; n++) ret[n] *= inv;
  return MBRL_OK;
}

/* cheetah-cs285-v0: the CS285 HW4 half cheetah on MuJoCo (frame skip 1, 21-dim observation with
 * the torso position, reward forward velocity minus front-leg penalties, 500 steps). */
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { NQ = 9, NU = 6, OBS = 21 };

typedef struct {
  mbrl_mj mj;
  double torso_pos[3];  /* torso body position in its parent (the world) */
} cheetah;

static int cheetah_init(void *self, const char *arg, mbrl_env_spec *spec, char *err,
                        size_t err_sz) {
  (void)arg;
  cheetah *c = self;
  int rc = mbrl_mj_load(&c->mj, "half_cheetah.xml", 1, 1, err, err_sz);
  if (rc < 0) return rc;
  const mjModel *m = c->mj.m;
  int torso = mj_name2id(m, mjOBJ_BODY, "torso");
  if (m->nq != NQ || m->nv != NQ || m->nu != NU || torso < 0) {
    mbrl_mj_free(&c->mj);
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "half_cheetah.xml: expected 9 joints, 6 actuators and a torso body");
  }
  for (int i = 0; i < 3; i++) c->torso_pos[i] = m->body_pos[3 * torso + i];
  spec->state_dim = mbrl_mj_state_dim(m);
  spec->dt = m->opt.timestep * c->mj.frame_skip;
  return 0;
}

static void cheetah_release(void *self) { mbrl_mj_free(&((cheetah *)self)->mj); }

/* qpos (9), qvel (9), torso position (3) of the current state: the root slides move the torso
 * frame and the root hinge turns about its origin, so it is (rootx, 0, 0.7 + rootz) exactly */
static void cheetah_obs(const cheetah *c, float *obs) {
  const mjData *d = c->mj.d;
  for (int i = 0; i < NQ; i++) obs[i] = (float)d->qpos[i];
  for (int i = 0; i < NQ; i++) obs[NQ + i] = (float)d->qvel[i];
  obs[18] = (float)(c->torso_pos[0] + d->qpos[0]);
  obs[19] = (float)c->torso_pos[1];
  obs[20] = (float)(c->torso_pos[2] + d->qpos[1]);
}

static void cheetah_reset(void *self, mbrl_rng *rng, float *obs) {
  cheetah *c = self;
  mbrl_mj_reset_noise(&c->mj, rng, 0.1, 0.1);
  cheetah_obs(c, obs);
}

static int cheetah_step(void *self, const float *act, float *next_obs) {
  cheetah *c = self;
  int rc = mbrl_mj_step(&c->mj, act);
  cheetah_obs(c, next_obs);
  return rc;
}

/* r = xvel - 10 [fthigh > 0.2] - 10 [fshin > 0] - 10 [ffoot > 0] on the next observation */
static void cheetah_reward(const void *self, const float *obs, const float *act,
                           const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs, (void)act;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    float r = o[9];
    if ((double)o[6] > 0.2) r -= 10.0f;
    if (o[7] > 0.0f) r -= 10.0f;
    if (o[8] > 0.0f) r -= 10.0f;
    reward[b] = r;
    if (done) done[b] = 0;
  }
}

/* the indicators are constant where they are differentiable: only xvel has a gradient */
static void cheetah_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                               const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs, (void)act, (void)next_obs;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, NU);
  for (int b = 0; d_next && b < B; b++) d_next[(size_t)b * OBS + 9] = d_reward[b];
}

static void cheetah_get_state(const void *self, double *state) {
  mbrl_mj_get_state(&((const cheetah *)self)->mj, state);
}

static void cheetah_set_state(void *self, const double *state, float *obs) {
  cheetah *c = self;
  mbrl_mj_set_state(&c->mj, state);
  cheetah_obs(c, obs);
}

static mbrl_mj *cheetah_mj(void *self) { return &((cheetah *)self)->mj; }

const mbrl_env_look mbrl_env_cheetah_look = {
    .mujoco = cheetah_mj, .track = "torso", .width = 640, .height = 360};

static const float cheetah_low[NU] = {-1, -1, -1, -1, -1, -1};
static const float cheetah_high[NU] = {1, 1, 1, 1, 1, 1};

const mbrl_env_class mbrl_env_cheetah_class = {
    .name = "cheetah-cs285-v0",
    .about = "CS285 HW4 half cheetah (MuJoCo, frame skip 1): run forward, front leg penalised",
    .obs_dim = OBS,
    .act_dim = NU,
    .ep_len = 500,
    .act_low = cheetah_low,
    .act_high = cheetah_high,
    .dt = 0.01,
    .self_size = sizeof(cheetah),
    .init = cheetah_init,
    .release = cheetah_release,
    .reset = cheetah_reset,
    .step = cheetah_step,
    .reward = cheetah_reward,
    .reward_vjp = cheetah_reward_vjp,
    .get_state = cheetah_get_state,
    .set_state = cheetah_set_state,
};

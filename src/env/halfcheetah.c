/* halfcheetah-v4: the standard half cheetah on MuJoCo (frame skip 5, observation without the x
 * position, reward forward velocity minus 0.1 |a|^2, 1000 steps). */
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { NQ = 9, NU = 6, OBS = 17 };

typedef struct {
  mbrl_mj mj;
} halfcheetah;

static int halfcheetah_init(void *self, const char *arg, mbrl_env_spec *spec, char *err,
                            size_t err_sz) {
  (void)arg;
  halfcheetah *h = self;
  int rc = mbrl_mj_load(&h->mj, "half_cheetah.xml", 1, 5, err, err_sz);
  if (rc < 0) return rc;
  const mjModel *m = h->mj.m;
  if (m->nq != NQ || m->nv != NQ || m->nu != NU) {
    mbrl_mj_free(&h->mj);
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "half_cheetah.xml: expected 9 joints and 6 actuators");
  }
  spec->state_dim = mbrl_mj_state_dim(m);
  spec->dt = m->opt.timestep * h->mj.frame_skip;
  return 0;
}

static void halfcheetah_release(void *self) { mbrl_mj_free(&((halfcheetah *)self)->mj); }

/* qpos without rootx (8), then qvel (9) */
static void halfcheetah_obs(const halfcheetah *h, float *obs) {
  const mjData *d = h->mj.d;
  for (int i = 1; i < NQ; i++) obs[i - 1] = (float)d->qpos[i];
  for (int i = 0; i < NQ; i++) obs[NQ - 1 + i] = (float)d->qvel[i];
}

static void halfcheetah_reset(void *self, mbrl_rng *rng, float *obs) {
  halfcheetah *h = self;
  mbrl_mj_reset_noise(&h->mj, rng, 0.1, 0.1);
  halfcheetah_obs(h, obs);
}

static int halfcheetah_step(void *self, const float *act, float *next_obs) {
  halfcheetah *h = self;
  int rc = mbrl_mj_step(&h->mj, act);
  halfcheetah_obs(h, next_obs);
  return rc;
}

/* r = rootx velocity after the step - 0.1 |a|^2 */
static void halfcheetah_reward(const void *self, const float *obs, const float *act,
                               const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs;
  for (int b = 0; b < B; b++) {
    const float *a = act + (size_t)b * NU;
    float ctrl = 0.0f;
    for (int i = 0; i < NU; i++) ctrl += a[i] * a[i];
    reward[b] = next_obs[(size_t)b * OBS + 8] - 0.1f * ctrl;
    if (done) done[b] = 0;
  }
}

static void halfcheetah_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs,
                                   int B, const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs, (void)next_obs;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, NU);
  for (int b = 0; b < B; b++) {
    if (d_next) d_next[(size_t)b * OBS + 8] = d_reward[b];
    for (int i = 0; d_act && i < NU; i++) d_act[(size_t)b * NU + i] = -0.2f * d_reward[b] * act[(size_t)b * NU + i];
  }
}

static void halfcheetah_get_state(const void *self, double *state) {
  mbrl_mj_get_state(&((const halfcheetah *)self)->mj, state);
}

static void halfcheetah_set_state(void *self, const double *state, float *obs) {
  halfcheetah *h = self;
  mbrl_mj_set_state(&h->mj, state);
  halfcheetah_obs(h, obs);
}

static mbrl_mj *halfcheetah_mj(void *self) { return &((halfcheetah *)self)->mj; }

const mbrl_env_look mbrl_env_halfcheetah_look = {
    .mujoco = halfcheetah_mj, .track = "torso", .width = 640, .height = 360};

static const float halfcheetah_low[NU] = {-1, -1, -1, -1, -1, -1};
static const float halfcheetah_high[NU] = {1, 1, 1, 1, 1, 1};

const mbrl_env_class mbrl_env_halfcheetah_class = {
    .name = "halfcheetah-v4",
    .about = "standard half cheetah (MuJoCo, frame skip 5): velocity - 0.1 |a|^2",
    .obs_dim = OBS,
    .act_dim = NU,
    .ep_len = 1000,
    .act_low = halfcheetah_low,
    .act_high = halfcheetah_high,
    .dt = 0.05,
    .self_size = sizeof(halfcheetah),
    .init = halfcheetah_init,
    .release = halfcheetah_release,
    .reset = halfcheetah_reset,
    .step = halfcheetah_step,
    .reward = halfcheetah_reward,
    .reward_vjp = halfcheetah_reward_vjp,
    .get_state = halfcheetah_get_state,
    .set_state = halfcheetah_set_state,
};

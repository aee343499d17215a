/* reacher-cs285-v0: the CS285 HW4 seven-joint arm on MuJoCo (frame skip 2, zero gravity), reward
 * -10 times the finger-to-target distance, 200 steps. */
#include <math.h>

#include "env/env_impl.h"
#include "mbrl/core.h"

enum { NQ = 7, NU = 7, OBS = 20 };

typedef struct {
  mbrl_mj mj;
  int finger, target;  /* site ids */
  double goal[3];      /* target site position */
} reacher;

static int reacher_init(void *self, const char *arg, mbrl_env_spec *spec, char *err,
                        size_t err_sz) {
  (void)arg;
  reacher *r = self;
  int rc = mbrl_mj_load(&r->mj, "reacher_7dof.xml", 1, 2, err, err_sz);
  if (rc < 0) return rc;
  const mjModel *m = r->mj.m;
  r->finger = mj_name2id(m, mjOBJ_SITE, "finger");
  r->target = mj_name2id(m, mjOBJ_SITE, "target");
  if (m->nq != NQ || m->nv != NQ || m->nu != NU || r->finger < 0 || r->target < 0) {
    mbrl_mj_free(&r->mj);
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "reacher_7dof.xml: expected 7 joints, 7 actuators, sites finger and target");
  }
  for (int i = 0; i < 3; i++) r->goal[i] = m->site_pos[3 * r->target + i];
  spec->state_dim = mbrl_mj_state_dim(m) + 3;
  spec->dt = m->opt.timestep * r->mj.frame_skip;
  return 0;
}

static void reacher_release(void *self) { mbrl_mj_free(&((reacher *)self)->mj); }

/* qpos (7), qvel / 10 (7), finger position (3), target position (3) */
static void reacher_obs(const reacher *r, float *obs) {
  const mjData *d = r->mj.d;
  for (int i = 0; i < NQ; i++) obs[i] = (float)d->qpos[i];
  for (int i = 0; i < NQ; i++) obs[NQ + i] = (float)(d->qvel[i] / 10.0);
  for (int i = 0; i < 3; i++) obs[14 + i] = (float)d->site_xpos[3 * r->finger + i];
  for (int i = 0; i < 3; i++) obs[17 + i] = (float)r->goal[i];
}

static void set_goal(reacher *r, const double *g) {
  for (int i = 0; i < 3; i++) r->goal[i] = r->mj.m->site_pos[3 * r->target + i] = g[i];
}

/* the finger position of the state after the step, not of the last physics substep's start */
static int reacher_advance(reacher *r, const float *act) {
  int rc = mbrl_mj_step(&r->mj, act);
  mj_kinematics(r->mj.m, r->mj.d);
  return rc;
}

/* rest pose, a random goal that the reference then overwrites with (0.1, 0.1, 0.1), and one
 * zero-action step; the start is therefore the same for every seed */
static void reacher_reset(void *self, mbrl_rng *rng, float *obs) {
  reacher *r = self;
  mbrl_mj_reset_noise(&r->mj, rng, 0.0, 0.0);
  double g[3];
  g[0] = -0.3 + 0.6 * mbrl_rng_uniform(rng);
  g[1] = -0.2 + 0.4 * mbrl_rng_uniform(rng);
  g[2] = -0.25 + 0.5 * mbrl_rng_uniform(rng);
  set_goal(r, g);
  g[0] = g[1] = g[2] = 0.1;
  set_goal(r, g);
  mj_forward(r->mj.m, r->mj.d);
  static const float zero[NU] = {0};
  reacher_advance(r, zero);
  reacher_obs(r, obs);
}

static int reacher_step(void *self, const float *act, float *next_obs) {
  reacher *r = self;
  int rc = reacher_advance(r, act);
  reacher_obs(r, next_obs);
  return rc;
}

/* r = -10 |finger - target| on the next observation */
static void reacher_reward(const void *self, const float *obs, const float *act,
                           const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs, (void)act;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double s = 0.0;
    for (int i = 0; i < 3; i++) {
      double e = (double)o[14 + i] - (double)o[17 + i];
      s += e * e;
    }
    reward[b] = (float)(-10.0 * sqrt(s));
    if (done) done[b] = 0;
  }
}

static void reacher_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                               const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs, (void)act;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, NU);
  for (int b = 0; d_next && b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double e[3], s = 0.0;
    for (int i = 0; i < 3; i++) e[i] = (double)o[14 + i] - (double)o[17 + i], s += e[i] * e[i];
    if (s == 0.0) continue;
    for (int i = 0; i < 3; i++) {
      double g = -10.0 * d_reward[b] * e[i] / sqrt(s);
      d_next[(size_t)b * OBS + 14 + i] = (float)g;
      d_next[(size_t)b * OBS + 17 + i] = (float)-g;
    }
  }
}

static void reacher_get_state(const void *self, double *state) {
  const reacher *r = self;
  mbrl_mj_get_state(&r->mj, state);
  int n = mbrl_mj_state_dim(r->mj.m);
  for (int i = 0; i < 3; i++) state[n + i] = r->goal[i];
}

static void reacher_set_state(void *self, const double *state, float *obs) {
  reacher *r = self;
  set_goal(r, state + mbrl_mj_state_dim(r->mj.m));
  mbrl_mj_set_state(&r->mj, state);
  reacher_obs(r, obs);
}

static mbrl_mj *reacher_mj(void *self) { return &((reacher *)self)->mj; }

const mbrl_env_look mbrl_env_reacher_look = {.mujoco = reacher_mj, .width = 480, .height = 480};

static const float reacher_low[NU] = {-1, -1, -1, -1, -1, -1, -1};
static const float reacher_high[NU] = {1, 1, 1, 1, 1, 1, 1};

const mbrl_env_class mbrl_env_reacher_class = {
    .name = "reacher-cs285-v0",
    .about = "CS285 HW4 7-dof arm (MuJoCo, frame skip 2): bring the finger to the target",
    .obs_dim = OBS,
    .act_dim = NU,
    .ep_len = 200,
    .act_low = reacher_low,
    .act_high = reacher_high,
    .dt = 0.02,
    .self_size = sizeof(reacher),
    .init = reacher_init,
    .release = reacher_release,
    .reset = reacher_reset,
    .step = reacher_step,
    .reward = reacher_reward,
    .reward_vjp = reacher_reward_vjp,
    .get_state = reacher_get_state,
    .set_state = reacher_set_state,
};

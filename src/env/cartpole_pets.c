/* cartpole-pets-v0: PETS's own cart-pole swing-up (MBRLCartpole-v0) on MuJoCo: a 10.5 kg cart
 * driven by 100 x the action in [-3, 3] newtons on a +-2.5 m slider, a 5 kg pole of 0.6 m that
 * starts hanging, damping on both joints, frame skip 2 of 0.02 s RK4 steps; the tip reward of
 * cartpole-swingup-v0, 200 steps. */
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { NQ = 2, NU = 1, OBS = 4 };

typedef struct {
  mbrl_mj mj;
} cartpole_pets;

static int cartpole_pets_init(void *self, const char *arg, mbrl_env_spec *spec, char *err, size_t err_sz) {
  (void)arg;
  cartpole_pets *c = self;
  int rc = mbrl_mj_load(&c->mj, "cartpole_pets.xml", 1, 2, err, err_sz);
  if (rc < 0) return rc;
  const mjModel *m = c->mj.m;
  if (m->nq != NQ || m->nv != NQ || m->nu != NU) {
    mbrl_mj_free(&c->mj);
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "cartpole_pets.xml: expected 2 joints and 1 actuator");
  }
  spec->state_dim = mbrl_mj_state_dim(m);
  spec->dt = m->opt.timestep * c->mj.frame_skip;
  return 0;
}

static void cartpole_pets_release(void *self) { mbrl_mj_free(&((cartpole_pets *)self)->mj); }

/* [x, th, xdot, thdot]: qpos then qvel, th from hanging down */
static void cartpole_pets_obs(const cartpole_pets *c, float *obs) {
  const mjData *d = c->mj.d;
  for (int i = 0; i < NQ; i++) obs[i] = (float)d->qpos[i], obs[NQ + i] = (float)d->qvel[i];
}

/* hanging at rest plus 0.1 N(0, 1) on each of x, th, xdot, thdot */
static void cartpole_pets_reset(void *self, mbrl_rng *rng, float *obs) {
  cartpole_pets *c = self;
  mbrl_mj_reset_normal(&c->mj, rng, 0.1, 0.1);
  cartpole_pets_obs(c, obs);
}

static int cartpole_pets_step(void *self, const float *act, float *next_obs) {
  cartpole_pets *c = self;
  int rc = mbrl_mj_step(&c->mj, act);
  cartpole_pets_obs(c, next_obs);
  return rc;
}

static void cartpole_pets_get_state(const void *self, double *state) {
  mbrl_mj_get_state(&((const cartpole_pets *)self)->mj, state);
}

static void cartpole_pets_set_state(void *self, const double *state, float *obs) {
  cartpole_pets *c = self;
  mbrl_mj_set_state(&c->mj, state);
  cartpole_pets_obs(c, obs);
}

static mbrl_mj *cartpole_pets_mj(void *self) { return &((cartpole_pets *)self)->mj; }

const mbrl_env_look mbrl_env_cartpole_pets_look = {
    .mujoco = cartpole_pets_mj, .track = "cart", .width = 640, .height = 360};

static const float cartpole_pets_low[NU] = {-3};
static const float cartpole_pets_high[NU] = {3};

const mbrl_env_class mbrl_env_cartpole_pets_class = {
    .name = "cartpole-pets-v0",
    .about = "PETS's cart-pole swing-up (MuJoCo, MBRLCartpole-v0): pole starts hanging, tip to (0, 0.6)",
    .obs_dim = OBS,
    .act_dim = NU,
    .ep_len = 200,
    .act_low = cartpole_pets_low,
    .act_high = cartpole_pets_high,
    .dt = 0.04,
    .self_size = sizeof(cartpole_pets),
    .init = cartpole_pets_init,
    .release = cartpole_pets_release,
    .reset = cartpole_pets_reset,
    .step = cartpole_pets_step,
    .reward = mbrl_cartpole_tip_reward,
    .reward_vjp = mbrl_cartpole_tip_reward_vjp,
    .get_state = cartpole_pets_get_state,
    .set_state = cartpole_pets_set_state,
};

/* cartpole-continuous-v0: the classic cart-pole balance task (Barto, Sutton and Anderson 1983, as
 * Gymnasium's CartPole-v1 steps it) with a continuous force, as mbrl-lib's cartpole_continuous
 * that PETS is measured on: action a in [-1, 1] pushes with 10 a newtons; reward 1 for every step
 * that ends with the cart within 2.4 m and the pole within 12 degrees of upright, and the episode
 * ends at the first step that does not; 200 steps. */
#include <math.h>

#include "env/canvas.h"
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { OBS = 4, ACT = 1 };

#define G 9.8
#define CART_MASS 1.0
#define POLE_MASS 0.1
#define HALF_LEN 0.5                     /* pivot to the pole's centre */
#define FORCE_MAG 10.0
#define TAU 0.02                         /* seconds per step, one Euler step */
#define X_LIMIT 2.4
#define THETA_LIMIT (12.0 * M_PI / 180.0)

typedef struct {
  double x, xdot, th, thdot; /* cart position, its rate, pole angle from upright, its rate */
} balance;

static void balance_obs(const balance *c, float *obs) {
  obs[0] = (float)c->x;
  obs[1] = (float)c->xdot;
  obs[2] = (float)c->th;
  obs[3] = (float)c->thdot;
}

/* every coordinate U(-0.05, 0.05) */
static void balance_reset(void *self, mbrl_rng *rng, float *obs) {
  balance *c = self;
  c->x = -0.05 + 0.1 * mbrl_rng_uniform(rng);
  c->xdot = -0.05 + 0.1 * mbrl_rng_uniform(rng);
  c->th = -0.05 + 0.1 * mbrl_rng_uniform(rng);
  c->thdot = -0.05 + 0.1 * mbrl_rng_uniform(rng);
  balance_obs(c, obs);
}

/* Gymnasium's equations (Florian 2007, massless-rod pendulum on a cart), explicit Euler */
static int balance_step(void *self, const float *act, float *next_obs) {
  balance *c = self;
  const double total = CART_MASS + POLE_MASS, pml = POLE_MASS * HALF_LEN;
  double force = FORCE_MAG * act[0], s = sin(c->th), co = cos(c->th);
  double temp = (force + pml * c->thdot * c->thdot * s) / total;
  double thacc = (G * s - co * temp) / (HALF_LEN * (4.0 / 3.0 - POLE_MASS * co * co / total));
  double xacc = temp - pml * thacc * co / total;
  c->x += TAU * c->xdot;
  c->xdot += TAU * xacc;
  c->th += TAU * c->thdot;
  c->thdot += TAU * thacc;
  balance_obs(c, next_obs);
  return 0;
}

/* 1 while the next state is inside the limits, else 0 and done */
static void balance_reward(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                           float *reward, int *done) {
  (void)self, (void)obs, (void)act;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    int out = !(fabsf(o[0]) <= X_LIMIT && fabsf(o[2]) <= THETA_LIMIT); /* NaN is out */
    reward[b] = out ? 0.0f : 1.0f;
    if (done) done[b] = out;
  }
}

/* the reward is constant where it is differentiable */
static void balance_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                               const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs, (void)act, (void)next_obs, (void)d_reward;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, ACT);
}

static void balance_get_state(const void *self, double *state) {
  const balance *c = self;
  state[0] = c->x, state[1] = c->xdot, state[2] = c->th, state[3] = c->thdot;
}

static void balance_set_state(void *self, const double *state, float *obs) {
  balance *c = self;
  c->x = state[0], c->xdot = state[1], c->th = state[2], c->thdot = state[3];
  balance_obs(c, obs);
}

/* the whole track (its ends at +-2.4 m marked) with the cart and the upright pole */
static void balance_draw(const void *self, mbrl_canvas *cv) {
  const balance *c = self;
  mbrl_canvas_view(cv, -3.0, 3.0, -0.6, 1.6);
  mbrl_canvas_clear(cv, 0xffffff);
  mbrl_canvas_segment(cv, -3.0, 0, 3.0, 0, 0.01, 0x606060);
  for (int side = -1; side <= 1; side += 2)
    mbrl_canvas_segment(cv, side * X_LIMIT, -0.1, side * X_LIMIT, 0.1, 0.02, 0xd62728);
  mbrl_canvas_rect(cv, c->x - 0.25, -0.12, c->x + 0.25, 0.12, 0x303030);
  mbrl_canvas_segment(cv, c->x, 0, c->x + 2 * HALF_LEN * sin(c->th), 2 * HALF_LEN * cos(c->th), 0.05, 0xcc9966);
  mbrl_canvas_disc(cv, c->x, 0, 0.04, 0x7f7fcc);
}

const mbrl_env_look mbrl_env_cartpole_balance_look = {.draw = balance_draw, .width = 640, .height = 240};

const mbrl_env_class mbrl_env_cartpole_balance_class = {
    .name = "cartpole-continuous-v0",
    .about = "cart-pole balance with a continuous force (mbrl-lib's cartpole_continuous, PETS)",
    .obs_dim = OBS,
    .act_dim = ACT,
    .ep_len = 200,
    .state_dim = 4,
    .dt = TAU,
    .self_size = sizeof(balance),
    .reset = balance_reset,
    .step = balance_step,
    .reward = balance_reward,
    .reward_vjp = balance_reward_vjp,
    .get_state = balance_get_state,
    .set_state = balance_set_state,
};

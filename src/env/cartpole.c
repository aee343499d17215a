/* cartpole-swingup-v0: a light cart-pole swing-up in pure C with PETS's start and tip reward: a
 * 1 kg cart on an unbounded rail, a uniform 0.1 kg, 0.6 m pole that starts hanging; reward from
 * the pole tip's distance to the upright target (0, 0.6), 200 steps. PETS's own task, on heavier
 * MuJoCo physics, is cartpole-pets-v0. */
#include <math.h>

#include "env/canvas.h"
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { OBS = 4, ACT = 1 };

#define G 9.81
#define CART_MASS 1.0
#define POLE_MASS 0.1
#define POLE_LEN 0.6    /* pivot to tip */
#define SUBSTEP 0.01    /* physics step (s) */
#define FRAME_SKIP 2    /* physics steps per environment step */
#define MAX_FORCE 3.0   /* newtons; the action is the force */

typedef struct {
  double x, th, xdot, thdot;  /* cart position, pole angle from hanging down, their rates */
} cartpole;

static void cartpole_obs(const cartpole *c, float *obs) {
  obs[0] = (float)c->x;
  obs[1] = (float)c->th;
  obs[2] = (float)c->xdot;
  obs[3] = (float)c->thdot;
}

/* hanging at rest plus 0.1 N(0, 1) on each of x, th, xdot, thdot */
static void cartpole_reset(void *self, mbrl_rng *rng, float *obs) {
  cartpole *c = self;
  c->x = 0.1 * mbrl_rng_normal(rng);
  c->th = 0.1 * mbrl_rng_normal(rng);
  c->xdot = 0.1 * mbrl_rng_normal(rng);
  c->thdot = 0.1 * mbrl_rng_normal(rng);
  cartpole_obs(c, obs);
}

/* Lagrange equations of a cart (mass M) and a uniform rod (mass m, half length l, inertia
 * I = m L^2 / 12 about its centre), tip at (x - L sin th, -L cos th):
 *   (M + m) xdd - m l cos th thdd = F - m l sin th thd^2
 *   -m l cos th xdd + (m l^2 + I) thdd = -m g l sin th
 * solved per substep and integrated with semi-implicit Euler */
static int cartpole_step(void *self, const float *act, float *next_obs) {
  cartpole *c = self;
  const double M = CART_MASS, m = POLE_MASS, l = POLE_LEN / 2.0;
  const double I = m * POLE_LEN * POLE_LEN / 12.0, F = act[0];
  for (int k = 0; k < FRAME_SKIP; k++) {
    double s = sin(c->th), co = cos(c->th);
    double a11 = M + m, a12 = -m * l * co, a22 = m * l * l + I;
    double r1 = F - m * l * s * c->thdot * c->thdot, r2 = -m * G * l * s;
    double det = a11 * a22 - a12 * a12;
    double xdd = (r1 * a22 - a12 * r2) / det, thdd = (a11 * r2 - a12 * r1) / det;
    c->xdot += SUBSTEP * xdd;
    c->thdot += SUBSTEP * thdd;
    c->x += SUBSTEP * c->xdot;
    c->th += SUBSTEP * c->thdot;
  }
  cartpole_obs(c, next_obs);
  return 0;
}

/* r = exp(-|tip' - (0, L)|^2 / L^2) - 0.01 |a|^2, also the reward of cartpole-pets-v0 */
void mbrl_cartpole_tip_reward(const void *self, const float *obs, const float *act,
                              const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double th = o[1], ex = (double)o[0] - POLE_LEN * sin(th), ey = -POLE_LEN * cos(th) - POLE_LEN;
    double a = act[b];
    reward[b] = (float)(exp(-(ex * ex + ey * ey) / (POLE_LEN * POLE_LEN)) - 0.01 * a * a);
    if (done) done[b] = 0;
  }
}

void mbrl_cartpole_tip_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs, int B,
                                  const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, ACT);
  const double L2 = POLE_LEN * POLE_LEN;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double th = o[1], ex = (double)o[0] - POLE_LEN * sin(th), ey = -POLE_LEN * cos(th) - POLE_LEN;
    double f = exp(-(ex * ex + ey * ey) / L2), dex = -2.0 * f * ex / L2, dey = -2.0 * f * ey / L2;
    if (d_next) {
      d_next[(size_t)b * OBS] = (float)(d_reward[b] * dex);
      d_next[(size_t)b * OBS + 1] = (float)(d_reward[b] * (dex * -POLE_LEN * cos(th) + dey * POLE_LEN * sin(th)));
    }
    if (d_act) d_act[b] = (float)(d_reward[b] * -0.02 * act[b]);
  }
}

static void cartpole_get_state(const void *self, double *state) {
  const cartpole *c = self;
  state[0] = c->x;
  state[1] = c->th;
  state[2] = c->xdot;
  state[3] = c->thdot;
}

static void cartpole_set_state(void *self, const double *state, float *obs) {
  cartpole *c = self;
  c->x = state[0];
  c->th = state[1];
  c->xdot = state[2];
  c->thdot = state[3];
  cartpole_obs(c, obs);
}

/* the view follows the cart along the rail, whose ticks every 0.5 m show the motion; the
 * target of the tip is the green dot at (0, 0.6) */
static void cartpole_draw(const void *self, mbrl_canvas *cv) {
  const cartpole *c = self;
  const double half_w = 1.6, half_h = 0.9;
  mbrl_canvas_view(cv, c->x - half_w, c->x + half_w, -half_h, half_h);
  mbrl_canvas_clear(cv, 0xffffff);
  mbrl_canvas_segment(cv, c->x - 2 * half_w, 0, c->x + 2 * half_w, 0, 0.01, 0x606060);
  for (double t = 0.5 * floor((c->x - half_w) / 0.5); t <= c->x + half_w; t += 0.5)
    mbrl_canvas_segment(cv, t, -0.03, t, 0.03, 0.01, 0x606060);
  mbrl_canvas_disc(cv, 0, POLE_LEN, 0.03, 0x2ca02c);
  mbrl_canvas_rect(cv, c->x - 0.15, -0.075, c->x + 0.15, 0.075, 0x303030);
  mbrl_canvas_segment(cv, c->x, 0, c->x - POLE_LEN * sin(c->th), -POLE_LEN * cos(c->th), 0.04,
                      0xcc9966);
  mbrl_canvas_disc(cv, c->x, 0, 0.025, 0x7f7fcc);
}

const mbrl_env_look mbrl_env_cartpole_look = {.draw = cartpole_draw, .width = 640, .height = 360};

static const float cartpole_low[ACT] = {-(float)MAX_FORCE};
static const float cartpole_high[ACT] = {(float)MAX_FORCE};

const mbrl_env_class mbrl_env_cartpole_class = {
    .name = "cartpole-swingup-v0",
    .about = "light cart-pole swing-up (pure C) with PETS's tip reward: pole starts hanging",
    .obs_dim = OBS,
    .act_dim = ACT,
    .ep_len = 200,
    .state_dim = 4,
    .act_low = cartpole_low,
    .act_high = cartpole_high,
    .dt = SUBSTEP * FRAME_SKIP,
    .self_size = sizeof(cartpole),
    .reset = cartpole_reset,
    .step = cartpole_step,
    .reward = mbrl_cartpole_tip_reward,
    .reward_vjp = mbrl_cartpole_tip_reward_vjp,
    .get_state = cartpole_get_state,
    .set_state = cartpole_set_state,
};

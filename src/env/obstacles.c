/* obstacles-cs285-v0: the CS285 HW4 point that moves among five rectangles to a goal, pure C
 * (moves into an obstacle or out of bounds leave it in place; 100 steps). */
#include <math.h>

#include "env/canvas.h"
#include "env/env_impl.h"
#include "mbrl/core.h"

enum { OBS = 4, ACT = 2 };

#define BOUND 0.99
#define GOAL_X 0.7
#define GOAL_Y (-0.8)
#define EPS 0.1

/* rectangles as [top-left x, top-left y, width, height]; the open interior is occupied */
static const double rects[5][4] = {
    {-0.4, 0.8, 0.4, 0.3},  {-0.9, 0.3, 0.2, 0.6},   {0.6, -0.1, 0.12, 0.4},
    {-0.1, 0.2, 0.15, 0.4}, {0.1, -0.7, 0.3, 0.15},
};

typedef struct {
  double x, y;
} obstacles;

/* not strictly inside any rectangle, and strictly inside (-0.99, 0.99) on both axes */
static int valid(double x, double y) {
  for (int i = 0; i < 5; i++) {
    double tlx = rects[i][0], tly = rects[i][1];
    double trx = tlx + rects[i][2], bly = tly - rects[i][3];
    if (x > tlx && x < trx && y > bly && y < tly) return 0;
  }
  return x > -BOUND && x < BOUND && y > -BOUND && y < BOUND;
}

static void obstacles_obs(const obstacles *o, float *obs) {
  obs[0] = (float)o->x;
  obs[1] = (float)o->y;
  obs[2] = (float)GOAL_X;
  obs[3] = (float)GOAL_Y;
}

/* start x ~ U(-0.99, 0.59), y ~ U(0.26, 0.99), drawn again while invalid */
static void obstacles_reset(void *self, mbrl_rng *rng, float *obs) {
  obstacles *o = self;
  const double lx = -BOUND, ly = -BOUND + 1.25, hx = BOUND - 0.4, hy = BOUND;
  do {
    o->x = lx + (hx - lx) * mbrl_rng_uniform(rng);
    o->y = ly + (hy - ly) * mbrl_rng_uniform(rng);
  } while (!valid(o->x, o->y));
  obstacles_obs(o, obs);
}

/* move by clip(a, -1, 1) / 10 when the new point is valid, else stay */
static int obstacles_step(void *self, const float *act, float *next_obs) {
  obstacles *o = self;
  double d[2];
  for (int i = 0; i < 2; i++) d[i] = fmin(fmax((double)act[i], -1.0), 1.0) / 10.0;
  double x = o->x + d[0], y = o->y + d[1];
  if (valid(x, y)) o->x = x, o->y = y;
  obstacles_obs(o, next_obs);
  return 0;
}

/* r = -|p' - g|; done when |p' - g| < 0.1 or p' is outside [-0.99, 0.99]^2 */
static void obstacles_reward(const void *self, const float *obs, const float *act,
                             const float *next_obs, int B, float *reward, int *done) {
  (void)self, (void)obs, (void)act;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    double x = o[0], y = o[1], ex = x - (double)o[2], ey = y - (double)o[3];
    double dist = sqrt(ex * ex + ey * ey);
    reward[b] = (float)-dist;
    if (done)
      done[b] = dist < EPS || x < -BOUND || y < -BOUND || x > BOUND || y > BOUND;
  }
}

static void obstacles_reward_vjp(const void *self, const float *obs, const float *act, const float *next_obs,
                                 int B, const float *d_reward, float *d_obs, float *d_act, float *d_next) {
  (void)self, (void)obs, (void)act;
  mbrl_env_vjp_zero(d_obs, d_act, d_next, B, OBS, ACT);
  for (int b = 0; d_next && b < B; b++) {
    const float *o = next_obs + (size_t)b * OBS;
    float *g = d_next + (size_t)b * OBS;
    double ex = (double)o[0] - o[2], ey = (double)o[1] - o[3], dist = sqrt(ex * ex + ey * ey);
    if (dist == 0.0) continue;
    double gx = -d_reward[b] * ex / dist, gy = -d_reward[b] * ey / dist;
    g[0] = (float)gx, g[1] = (float)gy, g[2] = (float)-gx, g[3] = (float)-gy;
  }
}

static void obstacles_get_state(const void *self, double *state) {
  const obstacles *o = self;
  state[0] = o->x;
  state[1] = o->y;
}

static void obstacles_set_state(void *self, const double *state, float *obs) {
  obstacles *o = self;
  o->x = state[0];
  o->y = state[1];
  obstacles_obs(o, obs);
}

/* the walls, the five rectangles, the goal's radius and the point */
static void obstacles_draw(const void *self, mbrl_canvas *cv) {
  const obstacles *o = self;
  mbrl_canvas_view(cv, -1.05, 1.05, -1.05, 1.05);
  mbrl_canvas_clear(cv, 0xffffff);
  const double b = BOUND, w = 0.01;
  mbrl_canvas_segment(cv, -b, -b, b, -b, w, 0x404040);
  mbrl_canvas_segment(cv, b, -b, b, b, w, 0x404040);
  mbrl_canvas_segment(cv, b, b, -b, b, w, 0x404040);
  mbrl_canvas_segment(cv, -b, b, -b, -b, w, 0x404040);
  for (int i = 0; i < 5; i++)
    mbrl_canvas_rect(cv, rects[i][0], rects[i][1] - rects[i][3], rects[i][0] + rects[i][2],
                     rects[i][1], 0x8c8c8c);
  mbrl_canvas_disc(cv, GOAL_X, GOAL_Y, EPS, 0xb8e0b0);
  mbrl_canvas_disc(cv, GOAL_X, GOAL_Y, 0.015, 0x2ca02c);
  mbrl_canvas_disc(cv, o->x, o->y, 0.03, 0x1f77b4);
}

const mbrl_env_look mbrl_env_obstacles_look = {.draw = obstacles_draw, .width = 480, .height = 480};

static const float obstacles_low[ACT] = {-0.99f, -0.99f};
static const float obstacles_high[ACT] = {0.99f, 0.99f};

const mbrl_env_class mbrl_env_obstacles_class = {
    .name = "obstacles-cs285-v0",
    .about = "CS285 HW4 2-D point among five rectangles (pure C): reach (0.7, -0.8)",
    .obs_dim = OBS,
    .act_dim = ACT,
    .ep_len = 100,
    .state_dim = 2,
    .act_low = obstacles_low,
    .act_high = obstacles_high,
    .dt = 0,
    .self_size = sizeof(obstacles),
    .reset = obstacles_reset,
    .step = obstacles_step,
    .reward = obstacles_reward,
    .reward_vjp = obstacles_reward_vjp,
    .get_state = obstacles_get_state,
    .set_state = obstacles_set_state,
};

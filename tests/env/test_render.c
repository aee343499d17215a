/* Renderers: MuJoCo frames through EGL (a moving cheetah changes the picture), the 2-D drawings of
 * the pure-C environments, refusals with a message (bad size, undrawable environment, no EGL
 * display), and no EGL in a process that never draws a MuJoCo environment. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

/* glvnd reads the EGL vendor list from here: a missing file leaves no EGL driver, as on a machine
 * without Mesa's EGL */
static void no_egl_driver(void) { setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl.json", 1); }

static int egl_loaded(void) {
  void *h = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (h) dlclose(h);
  return h != NULL;
}

/* pixels whose colour differs by more than 24 in some channel */
static int changed(const unsigned char *a, const unsigned char *b, int w, int h) {
  int n = 0;
  for (int i = 0; i < w * h; i++)
    for (int k = 0; k < 3; k++)
      if (abs(a[3 * i + k] - b[3 * i + k]) > 24) {
        n++;
        break;
      }
  return n;
}

/* distinct values of the red channel: a drawing, not a blank frame */
static int red_levels(const unsigned char *rgb, int w, int h) {
  int seen[256] = {0}, n = 0;
  for (int i = 0; i < w * h; i++) n += !seen[rgb[3 * i]]++;
  return n;
}

Test(video_render, a_moving_cheetah_changes_the_frame) {
  enum { W = 160, H = 96 };
  char err[512] = "";
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  float obs[21], act[6];
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  mbrl_renderer *r;
  mbrl_renderer_make(&r, env, W, H, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  int w, h;
  mbrl_renderer_size(r, &w, &h);
  cr_assert(w == W && h == H);
  cr_assert(strlen(mbrl_renderer_info(r)) > 0);
  unsigned char *a = malloc(W * H * 3), *b = malloc(W * H * 3), *c = malloc(W * H * 3);
  cr_assert_eq(mbrl_renderer_draw(r, a, err, sizeof err), 0, "%s", err);
  cr_assert_gt(red_levels(a, W, H), 20, "the first frame is blank");
  cr_assert_eq(mbrl_renderer_draw(r, c, err, sizeof err), 0, "%s", err);
  cr_assert_eq(memcmp(a, c, W * H * 3), 0, "the same state draws the same frame");
  for (int t = 0; t < 40; t++) {
    for (int j = 0; j < 6; j++) act[j] = (float)sin(0.3 * t + j);
    cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  }
  cr_assert_eq(mbrl_renderer_draw(r, b, err, sizeof err), 0, "%s", err);
  int n = changed(a, b, W, H);
  cr_assert_gt(n, W * H / 100, "only %d of %d pixels changed", n, W * H);
  free(a), free(b), free(c);
  mbrl_renderer_free(r);
  mbrl_renderer_free(NULL);
  mbrl_env_free(env);
}

Test(video_render, every_builtin_environment_draws_at_its_own_size) {
  const char *names[] = {"obstacles-cs285-v0", "pendulum-swingup-v0", "cartpole-swingup-v0", "cartpole-continuous-v0",
                         "reacher-cs285-v0", "halfcheetah-v4", "cartpole-pets-v0"};
  char err[512] = "";
  for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
    mbrl_env *env;
    mbrl_env_make(&env, names[k], err, sizeof err);
    float obs[32];
    cr_assert_eq(mbrl_env_reset(env, 2, obs), 0);
    mbrl_renderer *r;
    mbrl_renderer_make(&r, env, 0, 0, err, sizeof err);
    cr_assert_not_null(r, "%s: %s", names[k], err);
    int w, h;
    mbrl_renderer_size(r, &w, &h);
    cr_assert(mbrl_video_size_ok(w, h), "%s: %d x %d", names[k], w, h);
    unsigned char *rgb = malloc((size_t)w * h * 3);
    cr_assert_eq(mbrl_renderer_draw(r, rgb, err, sizeof err), 0, "%s: %s", names[k], err);
    cr_assert_geq(red_levels(rgb, w, h), 3, "%s: a blank frame", names[k]);
    free(rgb);
    mbrl_renderer_free(r);
    mbrl_env_free(env);
  }
}

Test(video_render, a_2d_frame_follows_the_state) {
  enum { W = 64, H = 64 };
  char err[512] = "";
  mbrl_env *env;
  mbrl_env_make(&env, "pendulum-swingup-v0", err, sizeof err);
  mbrl_renderer *r;
  mbrl_renderer_make(&r, env, W, H, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  cr_assert_str_eq(mbrl_renderer_info(r), "2-D");
  unsigned char a[W * H * 3], b[W * H * 3];
  double down[3] = {0, M_PI, 0}, side[3] = {0, M_PI / 2, 0};
  cr_assert_eq(mbrl_env_set_state(env, down, NULL), 0);
  cr_assert_eq(mbrl_renderer_draw(r, a, err, sizeof err), 0);
  cr_assert_eq(mbrl_env_set_state(env, side, NULL), 0);
  cr_assert_eq(mbrl_renderer_draw(r, b, err, sizeof err), 0);
  cr_assert_gt(changed(a, b, W, H), 50);
  /* hanging down: the rod is below the pivot at the centre */
  int below = 0, above = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (a[3 * (y * W + x) + 1] < 128 && (y > H / 2 + 2 || y < H / 2 - 2)) y > H / 2 ? below++ : above++;
  cr_assert(below > 20 && above == 0, "below %d, above %d", below, above);
  mbrl_renderer_free(r);
  mbrl_env_free(env);
}

/* an environment the renderer does not know */
static void one_reset(void *self, mbrl_rng *rng, float *obs) { (void)self, (void)rng, obs[0] = 0; }
static int one_step(void *self, const float *act, float *next) { (void)self, (void)act, next[0] = 0; return 0; }
static void one_reward(const void *self, const float *o, const float *a, const float *n, int B,
                       float *r, int *d) {
  (void)self, (void)o, (void)a, (void)n;
  for (int b = 0; b < B; b++) {
    r[b] = 0;
    if (d) d[b] = 0;
  }
}
static void one_get(const void *self, double *s) { (void)self, (void)s; }
static void one_set(void *self, const double *s, float *obs) { (void)self, (void)s, obs[0] = 0; }
static const mbrl_env_class one_class = {.name = "video-test-one-v0", .obs_dim = 1, .act_dim = 1,
                                         .ep_len = 5, .reset = one_reset, .step = one_step,
                                         .reward = one_reward, .get_state = one_get,
                                         .set_state = one_set};

Test(video_render, bad_sizes_and_unknown_environments_are_refused) {
  char err[512] = "";
  mbrl_env *env;
  mbrl_env_make(&env, "obstacles-cs285-v0", err, sizeof err);
  cr_assert_neq(mbrl_renderer_make(&(mbrl_renderer *){NULL}, env, 101, 100, err, sizeof err), 0);
  cr_assert(strstr(err, "even"), "%s", err);
  cr_assert_neq(mbrl_renderer_make(&(mbrl_renderer *){NULL}, env, 640, 0, err, sizeof err), 0);
  mbrl_env_free(env);
  cr_assert_eq(mbrl_env_register(&one_class, err, sizeof err), 0, "%s", err);
  mbrl_env_make(&env, "video-test-one-v0", err, sizeof err);
  cr_assert_neq(mbrl_renderer_make(&(mbrl_renderer *){NULL}, env, 0, 0, err, sizeof err), 0);
  cr_assert(strstr(err, "'video-test-one-v0' cannot be drawn"), "%s", err);
  mbrl_env_free(env);
}

Test(video_render, without_an_egl_display_mujoco_fails_with_a_message) {
  no_egl_driver();
  char err[512] = "";
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", err, sizeof err);
  float obs[21];
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  cr_assert_neq(mbrl_renderer_make(&(mbrl_renderer *){NULL}, env, 0, 0, err, sizeof err), 0);
  cr_assert(strstr(err, "EGL") && strstr(err, "libegl-mesa0") && strstr(err, "cheetah-cs285-v0"),
            "%s", err);
  /* the 2-D environments draw without EGL */
  mbrl_env *flat;
  mbrl_env_make(&flat, "cartpole-swingup-v0", err, sizeof err);
  mbrl_renderer *r;
  mbrl_renderer_make(&r, flat, 0, 0, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  mbrl_renderer_free(r);
  mbrl_env_free(flat);
  mbrl_env_free(env);
}

Test(video_render, egl_is_loaded_only_when_a_mujoco_frame_is_drawn) {
  char err[512] = "";
  mbrl_env *env;
  mbrl_env_make(&env, "cheetah-cs285-v0", err, sizeof err);
  mbrl_env *flat;
  mbrl_env_make(&flat, "obstacles-cs285-v0", err, sizeof err);
  float obs[21], act[6] = {0};
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  cr_assert_eq(mbrl_env_step(env, act, obs, NULL, NULL, NULL), 0);
  mbrl_renderer *r;
  mbrl_renderer_make(&r, flat, 0, 0, err, sizeof err);
  mbrl_renderer_free(r);
  cr_assert(!egl_loaded(), "stepping and 2-D frames load no EGL");
  mbrl_renderer_make(&r, env, 0, 0, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  cr_assert(egl_loaded());
  mbrl_renderer_free(r);
  mbrl_env_free(flat);
  mbrl_env_free(env);
}

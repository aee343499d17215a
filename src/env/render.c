/* Renderers: which look each built-in environment has, and frames drawn either by MuJoCo's
 * renderer (render_gl.c) or on the 2-D canvas. */
#include <stdio.h>

#include "env/canvas.h"
#include "env/env_impl.h"
#include "env/render_gl.h"
#include "mbrl/core.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

struct mbrl_renderer {
  mbrl_env *env;
  const mbrl_env_look *look;
  mbrl_gl *gl;  /* MuJoCo environments */
  int width, height;
};

static const struct {
  const mbrl_env_class *cls;
  const mbrl_env_look *look;
} looks[] = {
    {&mbrl_env_cheetah_class, &mbrl_env_cheetah_look},
    {&mbrl_env_obstacles_class, &mbrl_env_obstacles_look},
    {&mbrl_env_reacher_class, &mbrl_env_reacher_look},
    {&mbrl_env_halfcheetah_class, &mbrl_env_halfcheetah_look},
    {&mbrl_env_pendulum_class, &mbrl_env_pendulum_look},
    {&mbrl_env_cartpole_class, &mbrl_env_cartpole_look},
    {&mbrl_env_cartpole_balance_class, &mbrl_env_cartpole_balance_look},
    {&mbrl_env_cartpole_pets_class, &mbrl_env_cartpole_pets_look},
    {&mbrl_env_mujoco_class, &mbrl_env_mujoco_look},
};

static const mbrl_env_look *look_of(const mbrl_env *env) {
  const mbrl_env_class *c = mbrl_env_class_of(env);
  for (size_t i = 0; i < sizeof looks / sizeof *looks; i++)
    if (looks[i].cls == c) return looks[i].look;
  return NULL;
}

int mbrl_video_size_ok(int width, int height) {
  return width >= 16 && width <= 4096 && height >= 16 && height <= 4096 && width % 2 == 0 &&
         height % 2 == 0;
}

double mbrl_renderer_fps(const mbrl_env *env) {
  double dt = mbrl_env_get_spec(env)->dt;
  return dt > 0 ? 1.0 / dt : 10.0;
}

int mbrl_renderer_make(mbrl_renderer **out, mbrl_env *env, int width, int height, char *err, size_t err_sz) {
  MBRL_ASSERT(out && env);
  *out = NULL;
  const mbrl_env_look *look = look_of(env);
  const char *name = mbrl_env_get_spec(env)->name;
  if (!look) return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED, "video: environment '%s' cannot be drawn", name);
  if (width <= 0 && height <= 0) width = look->width, height = look->height;
  if (!mbrl_video_size_ok(width, height))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "video: frames of %d x %d pixels; width and height must be even, 16 to 4096", width, height);
  mbrl_gl *gl = NULL;
  if (look->mujoco) {
    char why[512];
    gl = mbrl_gl_init(look->mujoco(mbrl_env_self(env)), look->track, width, height, why, sizeof why);
    if (!gl) return mbrl_errf(err, err_sz, MBRL_EUNSUPPORTED, "%s (drawing %s)", why, name);
  }
  mbrl_renderer *r = mbrl_alloc(sizeof *r);
  r->env = env, r->look = look, r->gl = gl;
  r->width = width, r->height = height;
  *out = r;
  return MBRL_OK;
}

void mbrl_renderer_free(mbrl_renderer *r) {
  if (!r) return;
  mbrl_gl_free(r->gl);
  mbrl_free(r);
}

void mbrl_renderer_size(const mbrl_renderer *r, int *width, int *height) {
  *width = r->width;
  *height = r->height;
}

const char *mbrl_renderer_info(const mbrl_renderer *r) { return r->gl ? mbrl_gl_info(r->gl) : "2-D"; }

int mbrl_renderer_draw(mbrl_renderer *r, unsigned char *rgb, char *err, size_t err_sz) {
  MBRL_ASSERT(r && rgb);
  void *self = mbrl_env_self(r->env);
  if (r->gl) return mbrl_gl_draw(r->gl, r->look->mujoco(self), rgb, err, err_sz);
  mbrl_canvas cv = {.rgb = rgb, .w = r->width, .h = r->height};
  r->look->draw(self, &cv);
  return 0;
}

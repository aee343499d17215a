/* The episode recorder: a policy wrapper that films the environment before each action of the
 * first episode after start, telling a new episode by the step count going back to 0. */
#include <stdio.h>

#include "mbrl/core.h"
#include "mbrl/record.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

struct mbrl_recorder {
  mbrl_env *env;
  int width, height;        /* asked for; the renderer's once made */
  mbrl_renderer *renderer;  /* made at the first start */
  mbrl_video *video;        /* the video being filmed, NULL when none */
  unsigned char *rgb;       /* (height x width x 3) */
  double *state;            /* (state_dim) for the step count */
  mbrl_policy_fn policy;
  mbrl_policy_reset_fn reset; /* may be NULL */
  void *ctx;
  int filming;              /* still in the first episode since start */
  int last_step;            /* the step count of the last frame */
  int failed;               /* a frame could not be drawn or encoded; error says why */
  char error[512];
};

mbrl_recorder *mbrl_recorder_make(mbrl_env *env, int width, int height) {
  MBRL_ASSERT(env);
  mbrl_recorder *r = mbrl_alloc(sizeof *r);
  r->env = env;
  r->width = width, r->height = height;
  r->state = mbrl_alloc(sizeof(double) * (size_t)mbrl_env_get_spec(env)->state_dim);
  return r;
}

void mbrl_recorder_free(mbrl_recorder *r) {
  if (!r) return;
  mbrl_video_free(r->video);
  mbrl_renderer_free(r->renderer);
  mbrl_free(r->rgb);
  mbrl_free(r->state);
  mbrl_free(r);
}

int mbrl_recorder_start(mbrl_recorder *r, const char *path, mbrl_policy_fn policy, mbrl_policy_reset_fn reset,
                        void *ctx, char *err, size_t err_sz) {
  MBRL_ASSERT(r && path && policy);
  mbrl_video_free(r->video);
  r->video = NULL;
  r->policy = policy, r->reset = reset, r->ctx = ctx;
  r->filming = 0, r->failed = 0, r->error[0] = 0;
  if (!r->renderer) {
    if ((r->width > 0 || r->height > 0) && !mbrl_video_size_ok(r->width, r->height))
      return mbrl_errf(err, err_sz, MBRL_EINVAL,
                       "video: frames of %d x %d pixels; width and height must be even, 16 to 4096",
                       r->width, r->height);
    int rc = mbrl_renderer_make(&r->renderer, r->env, r->width, r->height, err, err_sz);
    if (rc) return rc;
    mbrl_renderer_size(r->renderer, &r->width, &r->height);
    r->rgb = mbrl_alloc((size_t)r->width * (size_t)r->height * 3);
  }
  int rc = mbrl_video_open(&r->video, path, r->width, r->height, mbrl_renderer_fps(r->env), err, err_sz);
  if (rc) return rc;
  r->filming = 1;
  r->last_step = -1;
  return 0;
}

/* draws the environment's state into the video; a failure ends the filming */
static void film(mbrl_recorder *r) {
  int rc = mbrl_renderer_draw(r->renderer, r->rgb, r->error, sizeof r->error);
  if (!rc) rc = mbrl_video_write(r->video, r->rgb, r->error, sizeof r->error);
  if (rc) r->failed = 1, r->filming = 0;
}

int mbrl_recorder_policy(void *recorder, const float *obs, float *act) {
  mbrl_recorder *r = recorder;
  if (r->filming) {
    mbrl_env_get_state(r->env, r->state);
    int step = (int)r->state[0];
    if (step <= r->last_step) {
      r->filming = 0; /* a new episode began */
    } else {
      film(r);
      r->last_step = step;
    }
  }
  return r->policy(r->ctx, obs, act);
}

void mbrl_recorder_reset(void *recorder) {
  mbrl_recorder *r = recorder;
  if (r->reset) r->reset(r->ctx);
}

int mbrl_recorder_finish(mbrl_recorder *r, int *frames, char *err, size_t err_sz) {
  MBRL_ASSERT(r);
  if (frames) *frames = 0;
  if (!r->video) return mbrl_errf(err, err_sz, MBRL_EINVAL, "video: no video was started");
  /* the final state, when the environment still holds the filmed episode */
  if (r->filming) {
    mbrl_env_get_state(r->env, r->state);
    if ((int)r->state[0] == r->last_step + 1) film(r);
  }
  r->filming = 0;
  mbrl_video *v = r->video;
  r->video = NULL;
  if (r->failed) {
    mbrl_video_free(v);
    return mbrl_errf(err, err_sz, MBRL_EIO, "%s", r->error);
  }
  int n = mbrl_video_frames(v);
  int rc = mbrl_video_close(v, err, err_sz);
  if (!rc && frames) *frames = n;
  return rc;
}

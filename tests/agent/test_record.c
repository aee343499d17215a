/* The episode recorder: a short rendered cheetah episode becomes an MP4 whose frame count and size
 * libavformat reads back; only the first episode of a collection is filmed; without EGL the start
 * fails with a message and the policy still plays. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../io/io_test.h"
#include "../io/video_probe.h"
#include "mbrl/buffer.h"
#include "mbrl/core.h"
#include "mbrl/record.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

/* an environment with episodes of ep_len steps, a recorder of w x h frames into dir/file.mp4 */
typedef struct {
  char dir[64], path[128], err[512];
  mbrl_env *env;
  mbrl_recorder *rec;
  mbrl_paths paths;  /* room for 4 episodes */
  mbrl_rng rng;
} film;

static void film_init(film *f, const char *env_name, int ep_len, int w, int h) {
  io_test_mkdtemp(f->dir);
  snprintf(f->path, sizeof f->path, "%s/film.mp4", f->dir);
  mbrl_env_make(&f->env, env_name, f->err, sizeof f->err);
  cr_assert_not_null(f->env, "%s", f->err);
  mbrl_env_set_ep_len(f->env, ep_len);
  const mbrl_env_spec *s = mbrl_env_get_spec(f->env);
  f->rec = mbrl_recorder_make(f->env, w, h);
  mbrl_paths_init(&f->paths, s->obs_dim, s->act_dim, 4 * ep_len);
  mbrl_rng_init(&f->rng, 1, 0);
}

static void film_free(film *f) {
  mbrl_paths_free(&f->paths);
  mbrl_recorder_free(f->rec);
  mbrl_env_free(f->env);
  io_test_rmtree(f->dir);
}

/* collects n_steps through the recorder */
static int film_collect(film *f, int n_steps) {
  return mbrl_collect(&f->paths, f->env, mbrl_recorder_policy, mbrl_recorder_reset, f->rec, n_steps,
                      mbrl_env_get_spec(f->env)->ep_len, &f->rng, f->err, sizeof f->err);
}

/* a policy that swings every joint */
static int swing(void *ctx, const float *obs, float *act) {
  int *t = ctx;
  (void)obs;
  for (int j = 0; j < 6; j++) act[j] = (float)sin(0.4 * *t + j);
  ++*t;
  return 0;
}

static int zero(void *ctx, const float *obs, float *act) {
  (void)ctx, (void)obs;
  act[0] = act[1] = 0.0f;
  return 0;
}

Test(video_record, a_short_cheetah_episode_reads_back_from_the_mp4) {
  film f;
  film_init(&f, "cheetah-cs285-v0", 12, 128, 72);
  int t = 0, frames = 0;
  cr_assert_eq(mbrl_recorder_start(f.rec, f.path, swing, NULL, &t, f.err, sizeof f.err), 0, "%s", f.err);
  cr_assert_eq(film_collect(&f, 1), 0, "%s", f.err);
  cr_assert_eq(t, 12, "the wrapped policy chose every action");
  cr_assert_eq(mbrl_recorder_finish(f.rec, &frames, f.err, sizeof f.err), 0, "%s", f.err);
  cr_assert_eq(frames, 13, "a frame before each of the 12 actions and one of the end");
  video_probe p = probe_video(f.path);
  cr_assert_eq(p.frames, 13);
  cr_assert_eq(p.width, 128);
  cr_assert_eq(p.height, 72);
  cr_assert(p.h264);
  cr_assert_float_eq(p.fps, 100.0, 1e-9, "real time: dt is 0.01 s");
  film_free(&f);
}

Test(video_record, only_the_first_episode_is_filmed) {
  film f;
  film_init(&f, "obstacles-cs285-v0", 5, 64, 64);
  int frames = 0;
  for (int round = 0; round < 2; round++) {
    cr_assert_eq(mbrl_recorder_start(f.rec, f.path, zero, NULL, NULL, f.err, sizeof f.err), 0, "%s", f.err);
    cr_assert_eq(film_collect(&f, 12), 0);
    cr_assert_eq(f.paths.n_eps, 3);
    cr_assert_eq(mbrl_recorder_finish(f.rec, &frames, f.err, sizeof f.err), 0, "%s", f.err);
    cr_assert_eq(frames, 5, "round %d: the 5 steps of the first episode, the next episode began", round);
    video_probe p = probe_video(f.path);
    cr_assert(p.frames == 5 && p.width == 64 && p.height == 64);
    cr_assert_float_eq(p.fps, 10.0, 1e-9, "no dt: 10 frames per second");
  }
  cr_assert_eq(mbrl_recorder_finish(f.rec, &frames, f.err, sizeof f.err), MBRL_EINVAL, "nothing started");
  mbrl_recorder *odd = mbrl_recorder_make(f.env, 63, 64);
  cr_assert_eq(mbrl_recorder_start(odd, f.path, zero, NULL, NULL, f.err, sizeof f.err), MBRL_EINVAL);
  cr_assert(strstr(f.err, "even"), "%s", f.err);
  mbrl_recorder_free(odd);
  mbrl_recorder_free(NULL);
  film_free(&f);
}

Test(video_record, without_egl_the_start_fails_and_the_policy_still_plays) {
  setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl.json", 1);
  film f;
  film_init(&f, "cheetah-cs285-v0", 5, 0, 0);
  int t = 0;
  cr_assert_eq(mbrl_recorder_start(f.rec, f.path, swing, NULL, &t, f.err, sizeof f.err), MBRL_EUNSUPPORTED);
  cr_assert(strstr(f.err, "EGL"), "%s", f.err);
  cr_assert_eq(film_collect(&f, 1), 0);
  cr_assert_eq(t, 5);
  cr_assert_eq(access(f.path, F_OK), -1);
  cr_assert_eq(mbrl_recorder_start(f.rec, f.path, swing, NULL, &t, f.err, sizeof f.err), MBRL_EUNSUPPORTED);
  film_free(&f);
}

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
#include "mbrl/video.h"

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
  char dir[64], path[128], err[512] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/cheetah.mp4", dir);
  mbrl_env *env = mbrl_env_make("cheetah-cs285-v0", err, sizeof err);
  mbrl_env_set_ep_len(env, 12);
  mbrl_recorder *rec = mbrl_recorder_init(env, 128, 72);
  mbrl_paths paths;
  mbrl_paths_init(&paths, 21, 6, 12);
  mbrl_rng rng;
  mbrl_rng_init(&rng, 1, 0);
  int t = 0, frames = 0;
  cr_assert_eq(mbrl_recorder_start(rec, path, swing, &t, err, sizeof err), 0, "%s", err);
  cr_assert_eq(mbrl_collect(&paths, env, mbrl_recorder_policy, rec, 1, 12, &rng, err, sizeof err), 0, "%s", err);
  cr_assert_eq(t, 12, "the wrapped policy chose every action");
  cr_assert_eq(mbrl_recorder_finish(rec, &frames, err, sizeof err), 0, "%s", err);
  cr_assert_eq(frames, 13, "a frame before each of the 12 actions and one of the end");
  video_probe p = probe_video(path);
  cr_assert_eq(p.frames, 13);
  cr_assert_eq(p.width, 128);
  cr_assert_eq(p.height, 72);
  cr_assert(p.h264);
  cr_assert_float_eq(p.fps, 100.0, 1e-9, "real time: dt is 0.01 s");
  mbrl_paths_free(&paths);
  mbrl_recorder_free(rec);
  mbrl_env_free(env);
  io_test_rmtree(dir);
}

Test(video_record, only_the_first_episode_is_filmed) {
  char dir[64], path[128], err[512] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/obstacles.mp4", dir);
  mbrl_env *env = mbrl_env_make("obstacles-cs285-v0", err, sizeof err);
  mbrl_env_set_ep_len(env, 5);
  mbrl_recorder *rec = mbrl_recorder_init(env, 64, 64);
  mbrl_paths paths;
  mbrl_paths_init(&paths, 4, 2, 20);
  mbrl_rng rng;
  mbrl_rng_init(&rng, 1, 0);
  int frames = 0;
  for (int round = 0; round < 2; round++) {
    cr_assert_eq(mbrl_recorder_start(rec, path, zero, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(mbrl_collect(&paths, env, mbrl_recorder_policy, rec, 12, 5, &rng, err, sizeof err), 0);
    cr_assert_eq(paths.n_eps, 3);
    cr_assert_eq(mbrl_recorder_finish(rec, &frames, err, sizeof err), 0, "%s", err);
    cr_assert_eq(frames, 5, "round %d: the 5 steps of the first episode, the next episode began", round);
    video_probe p = probe_video(path);
    cr_assert(p.frames == 5 && p.width == 64 && p.height == 64);
    cr_assert_float_eq(p.fps, 10.0, 1e-9, "no dt: 10 frames per second");
  }
  cr_assert_eq(mbrl_recorder_finish(rec, &frames, err, sizeof err), MBRL_EINVAL, "nothing started");
  mbrl_recorder *odd = mbrl_recorder_init(env, 63, 64);
  cr_assert_eq(mbrl_recorder_start(odd, path, zero, NULL, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "even"), "%s", err);
  mbrl_recorder_free(odd);
  mbrl_recorder_free(NULL);
  mbrl_paths_free(&paths);
  mbrl_recorder_free(rec);
  mbrl_env_free(env);
  io_test_rmtree(dir);
}

Test(video_record, without_egl_the_start_fails_and_the_policy_still_plays) {
  setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl.json", 1);
  char dir[64], path[128], err[512] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/none.mp4", dir);
  mbrl_env *env = mbrl_env_make("cheetah-cs285-v0", err, sizeof err);
  mbrl_env_set_ep_len(env, 5);
  mbrl_recorder *rec = mbrl_recorder_init(env, 0, 0);
  int t = 0;
  cr_assert_eq(mbrl_recorder_start(rec, path, swing, &t, err, sizeof err), MBRL_EUNSUPPORTED);
  cr_assert(strstr(err, "EGL"), "%s", err);
  mbrl_paths paths;
  mbrl_paths_init(&paths, 21, 6, 5);
  mbrl_rng rng;
  mbrl_rng_init(&rng, 1, 0);
  cr_assert_eq(mbrl_collect(&paths, env, mbrl_recorder_policy, rec, 1, 5, &rng, err, sizeof err), 0);
  cr_assert_eq(t, 5);
  cr_assert_eq(access(path, F_OK), -1);
  cr_assert_eq(mbrl_recorder_start(rec, path, swing, &t, err, sizeof err), MBRL_EUNSUPPORTED);
  mbrl_paths_free(&paths);
  mbrl_recorder_free(rec);
  mbrl_env_free(env);
  io_test_rmtree(dir);
}

/* Video benchmarks: frames per second of drawing (MuJoCo's renderer in EGL for the cheetah, the
 * 2-D canvas for cartpole) and of H.264 encoding, each against the real-time rate of the
 * environment's video (1 / dt): a ratio above 1 films faster than the episode plays. The 200
 * frames (5 with --quick) come from an episode of random actions. */
#include <stdio.h>
#include <unistd.h>

#include "bench.h"
#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/record.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

enum { MAX_DIM = 64 };

static void bench_one(const char *name, int frames) {
  char err[512], what[96];
  mbrl_env *env;
  mbrl_renderer *r = NULL;
  if (mbrl_env_make(&env, name, err, sizeof err) || mbrl_renderer_make(&r, env, 0, 0, err, sizeof err)) {
    bench_say("%s: no frames: %s\n", name, err);
    mbrl_env_free(env);
    return;
  }
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  int w, h;
  mbrl_renderer_size(r, &w, &h);
  double fps = mbrl_renderer_fps(env);
  char path[64];
  snprintf(path, sizeof path, "/tmp/mbrl-bench-video-%d.mp4", (int)getpid());
  mbrl_video *v;
  mbrl_video_open(&v, path, w, h, fps, err, sizeof err);
  unsigned char *rgb = mbrl_alloc((size_t)w * (size_t)h * 3);
  float obs[MAX_DIM], act[MAX_DIM];
  mbrl_rng rng;
  mbrl_rng_init(&rng, 1, 0);
  mbrl_env_reset(env, 1, obs);
  mbrl_renderer_draw(r, rgb, err, sizeof err); /* warm-up: shaders are compiled at the first */
  double t_draw = 0, t_encode = 0;
  int n = 0;
  for (; v && n < frames; n++) {
    for (int j = 0; j < s->act_dim; j++)
      act[j] = s->act_low[j] + (s->act_high[j] - s->act_low[j]) * (float)mbrl_rng_uniform(&rng);
    int done = 0, trunc = 0;
    if (mbrl_env_step(env, act, obs, NULL, &done, &trunc) < 0 || done || trunc) mbrl_env_reset(env, 1, obs);
    double t0 = mbrl_time_now();
    if (mbrl_renderer_draw(r, rgb, err, sizeof err)) break;
    double t1 = mbrl_time_now();
    if (mbrl_video_write(v, rgb, err, sizeof err)) break;
    t_draw += t1 - t0, t_encode += mbrl_time_now() - t1;
  }
  /* the encoder holds frames back; flushing them is part of encoding */
  double t0 = mbrl_time_now();
  int rc = v ? mbrl_video_close(v, err, sizeof err) : MBRL_EIO;
  t_encode += mbrl_time_now() - t0;
  remove(path);
  if (rc || n < frames) {
    bench_say("%s: video failed: %s\n", name, err);
  } else {
    bench_say("%s: %d frames of %d x %d drawn by %s\n", name, n, w, h, mbrl_renderer_info(r));
    snprintf(what, sizeof what, "video draw %s", name);
    bench_row(what, n / t_draw, fps, "frames/s");
    snprintf(what, sizeof what, "video encode H.264 %d x %d", w, h);
    bench_row(what, n / t_encode, fps, "frames/s");
  }
  mbrl_free(rgb);
  mbrl_renderer_free(r);
  mbrl_env_free(env);
}

void bench_video(int threads) {
  (void)threads; /* one renderer and one encoder; Mesa and x264 pick their own threads */
  int frames = bench_quick ? 5 : 200;
  bench_one("cheetah-cs285-v0", frames);
  bench_one("cartpole-swingup-v0", frames);
}

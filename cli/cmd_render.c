/* mbrl render: films one episode of a run's MPC policy (its config and saved model) as an MP4. */
#include <stdio.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"
#include "mbrl/record.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

int mbrl_cmd_render(int argc, char **argv) {
  const char *run = NULL, *out = NULL;
  int iter = -1, seed = 1, width = 0, height = 0, threads = 0;
  const flag flags[] = {
      {"--run", NULL, FLAG_STRING, &run, 0, 0, "run directory written by mbrl mb"},
      {"--iter", NULL, FLAG_INT, &iter, -1, 1e9,
       "replay itr_<N>_model.safetensors (kept with --save_params); -1: model.safetensors"},
      {"--out", "-o", FLAG_STRING, &out, 0, 0,
       "MP4 file written (default: RUN/render.mp4, or RUN/render_itr_<N>.mp4)"},
      {"--seed", NULL, FLAG_INT, &seed, 0, 2147483647, "seed of the episode and the planner"},
      {"--width", NULL, FLAG_INT, &width, 0, 4096, "frame width, even (0: the environment's)"},
      {"--height", NULL, FLAG_INT, &height, 0, 4096, "frame height, even (0: the environment's)"},
      {"--threads", NULL, FLAG_INT, &threads, 0, 1024, "threads for float work (0: all cores)"},
  };
  int rc = flags_parse("render",
                       "Replays a run's MPC policy for one episode (the planner settings of its\n"
                       "config.json, its saved model) and writes it as an H.264 MP4 video.",
                       flags, sizeof flags / sizeof *flags, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  if (!run) {
    fprintf(stderr, "mbrl render: --run is required (a run directory written by mbrl mb)\n");
    return 2;
  }
  if ((width || height) && !mbrl_video_size_ok(width, height)) {
    fprintf(stderr, "mbrl render: --width and --height go together, even, 16 to 4096; got %d x %d\n",
            width, height);
    return 2;
  }
  mbrl_threads_set(threads);
  char err[1024];
  mbrl_mb_replay_result res;
  rc = mbrl_mb_replay(run, iter, out, (uint64_t)seed, width, height, &res, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mbrl render: %s\n", err);
    return cli_status(rc);
  }
  printf("%s: %d frames, an episode of %d steps with return %.2f\n", res.path, res.frames, res.steps,
         res.ret);
  return 0;
}

/* MP4 files: frames written are read back through libavformat with their count, size and rate;
 * bad sizes and paths fail with a message and leave no file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/video.h"
#include "video_probe.h"

enum { W = 64, H = 48 };

/* a grey frame with a white square at column x */
static void square_frame(unsigned char *rgb, int x) {
  memset(rgb, 64, (size_t)W * H * 3);
  for (int j = 16; j < 32; j++)
    for (int i = x; i < x + 16 && i < W; i++) memset(rgb + ((size_t)j * W + (size_t)i) * 3, 255, 3);
}

Test(video_encode, frames_read_back_with_their_count_size_and_rate) {
  char dir[64], path[128], err[512] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/square.mp4", dir);
  unsigned char rgb[W * H * 3];
  mbrl_video *v;
  mbrl_video_open(&v, path, W, H, 25.0, err, sizeof err);
  cr_assert_not_null(v, "%s", err);
  for (int k = 0; k < 12; k++) {
    square_frame(rgb, 4 * k);
    cr_assert_eq(mbrl_video_write(v, rgb, err, sizeof err), 0, "%s", err);
  }
  cr_assert_eq(mbrl_video_frames(v), 12);
  cr_assert_eq(access(path, F_OK), -1, "the file appears only when closed");
  cr_assert_eq(mbrl_video_close(v, err, sizeof err), 0, "%s", err);
  video_probe p = probe_video(path);
  cr_assert_eq(p.frames, 12);
  cr_assert_eq(p.width, W);
  cr_assert_eq(p.height, H);
  cr_assert(p.h264);
  cr_assert_float_eq(p.fps, 25.0, 1e-9);
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  cr_assert_eq(access(tmp, F_OK), -1);
  io_test_rmtree(dir);
}

Test(video_encode, bad_sizes_rates_and_paths_fail_with_a_message) {
  char err[512] = "";
  cr_assert_neq(mbrl_video_open(&(mbrl_video *){NULL}, "/tmp/x.mp4", 63, 48, 25, err, sizeof err), 0);
  cr_assert(strstr(err, "even"), "%s", err);
  cr_assert_neq(mbrl_video_open(&(mbrl_video *){NULL}, "/tmp/x.mp4", 8, 8, 25, err, sizeof err), 0);
  cr_assert_neq(mbrl_video_open(&(mbrl_video *){NULL}, "/tmp/x.mp4", W, H, 0, err, sizeof err), 0);
  cr_assert(strstr(err, "fps"), "%s", err);
  cr_assert_neq(mbrl_video_open(&(mbrl_video *){NULL}, "/nonexistent-dir/x.mp4", W, H, 25, err, sizeof err), 0);
  cr_assert(strstr(err, "/nonexistent-dir/x.mp4") && strstr(err, "cannot write"), "%s", err);
  cr_assert(!mbrl_video_size_ok(W, 4098) && mbrl_video_size_ok(16, 4096));
}

Test(video_encode, an_unfinished_video_leaves_no_file) {
  char dir[64], path[128], tmp[160], err[512] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/gone.mp4", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  unsigned char rgb[W * H * 3];
  square_frame(rgb, 0);
  mbrl_video *v;
  mbrl_video_open(&v, path, W, H, 10, err, sizeof err);
  cr_assert_not_null(v, "%s", err);
  cr_assert_eq(mbrl_video_write(v, rgb, err, sizeof err), 0, "%s", err);
  cr_assert_eq(access(tmp, F_OK), 0, "written under <path>.tmp");
  mbrl_video_free(v);
  mbrl_video_free(NULL);
  cr_assert_eq(mbrl_video_close(NULL, err, sizeof err), 0);
  cr_assert_eq(access(tmp, F_OK), -1);
  cr_assert_eq(access(path, F_OK), -1);
  io_test_rmtree(dir);
}

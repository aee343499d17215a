/* Tests of the PNG plots: file signature and size, failures on bad paths and sizes, NaN data,
 * log axes, and repeated plots in one process. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mbrl/core.h"
#include "mbrl/plot.h"

/* a fresh temporary path per call, so tests running side by side never share a file */
static void tmp_path(char *buf, size_t n, const char *tag) {
  static int counter;
  snprintf(buf, n, "/tmp/mbrl_test_plot_%ld_%d_%s.png", (long)getpid(), counter++, tag);
}

/* reads the PNG signature and the IHDR width and height; returns 0 when the file is a PNG */
static int read_png_size(const char *path, uint32_t *w, uint32_t *h) {
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  unsigned char b[24];
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t got = fread(b, 1, sizeof b, f);
  fclose(f);
  if (got != sizeof b || memcmp(b, sig, 8) || memcmp(b + 12, "IHDR", 4)) return -1;
  *w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
  *h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
  return 0;
}

/* 1 when both files exist and hold the same bytes */
static int same_bytes(const char *a, const char *b) {
  FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
  int same = fa && fb;
  while (same) {
    int ca = fgetc(fa), cb = fgetc(fb);
    if (ca != cb) same = 0;
    if (ca == EOF || cb == EOF) break;
  }
  if (fa) fclose(fa);
  if (fb) fclose(fb);
  return same;
}

static mbrl_plot *sample_figure(void) {
  double x[100], y[100], z[100];
  for (int i = 0; i < 100; i++) {
    x[i] = i;
    y[i] = exp(-i / 30.0);
    z[i] = 0.5 * exp(-i / 20.0);
  }
  mbrl_plot *p = mbrl_plot_make(1, 2);
  mbrl_plot_title(p, "sample");
  mbrl_plot_labels(p, 0, "loss", "epoch", "mse");
  mbrl_plot_line(p, 0, x, y, 100, "train", MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
  mbrl_plot_line(p, 0, x, z, 100, "val", MBRL_PLOT_AUTO, MBRL_PLOT_DASHED);
  mbrl_plot_logy(p, 1, 1);
  mbrl_plot_line(p, 1, NULL, y, 100, "log", 0x336699, MBRL_PLOT_LINE_POINTS);
  return p;
}

Test(plot, writes_png_of_requested_size) {
  char path[256], err[256] = "";
  tmp_path(path, sizeof path, "size");
  mbrl_plot *p = sample_figure();
  int rc = mbrl_plot_save(p, path, 643, 411, err, sizeof err);
  cr_assert_eq(rc, 0, "save failed: %s", err);
  uint32_t w = 0, h = 0;
  cr_assert_eq(read_png_size(path, &w, &h), 0, "not a PNG");
  cr_assert_eq(w, 643);
  cr_assert_eq(h, 411);
  mbrl_plot_free(p);
  remove(path);
}

Test(plot, unwritable_path_fails_cleanly) {
  char err[256] = "";
  mbrl_plot *p = sample_figure();
  int rc = mbrl_plot_save(p, "/nonexistent-dir/sub/plot.png", 320, 240, err, sizeof err);
  cr_assert_eq(rc, MBRL_EIO);
  cr_assert(strstr(err, "/nonexistent-dir/sub/plot.png") != NULL, "message: %s", err);
  /* the figure still saves afterwards, so PLplot was left in a usable state */
  char path[256];
  tmp_path(path, sizeof path, "after_fail");
  cr_assert_eq(mbrl_plot_save(p, path, 320, 240, err, sizeof err), 0, "%s", err);
  mbrl_plot_free(p);
  remove(path);
}

Test(plot, bad_size_is_rejected) {
  char path[256], err[256] = "";
  tmp_path(path, sizeof path, "badsize");
  mbrl_plot *p = sample_figure();
  cr_assert_eq(mbrl_plot_save(p, path, 0, 240, err, sizeof err), MBRL_EINVAL);
  cr_assert(strlen(err) > 0);
  cr_assert_eq(mbrl_plot_save(p, path, 320, 100000, NULL, 0), MBRL_EINVAL);
  cr_assert_eq(mbrl_plot_save(p, "-", 320, 240, err, sizeof err), MBRL_EINVAL);
  mbrl_plot_free(p);
}

Test(plot, nan_inf_and_nonpositive_values_are_skipped) {
  char path[256], err[256] = "";
  tmp_path(path, sizeof path, "nan");
  double x[6] = {0, 1, NAN, 3, 4, 5}, y[6] = {1, NAN, 2, INFINITY, -1, 0.5};
  double allnan[3] = {NAN, NAN, NAN};
  float xf[4] = {0, 1, 2, 3}, yf[4] = {1, NAN, 3, 4};
  mbrl_plot *p = mbrl_plot_make(2, 2);
  mbrl_plot_line(p, 0, x, y, 6, "gaps", MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
  mbrl_plot_logy(p, 1, 1);
  mbrl_plot_line(p, 1, x, y, 6, "log with -1 and 0.5", MBRL_PLOT_AUTO, MBRL_PLOT_POINTS);
  mbrl_plot_line(p, 2, NULL, allnan, 3, "all NaN", MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
  mbrl_plot_band(p, 2, NULL, allnan, allnan, 3, MBRL_PLOT_AUTO);
  mbrl_plot_line_f(p, 3, xf, yf, 4, "float # sign", MBRL_PLOT_AUTO, MBRL_PLOT_DOTTED);
  mbrl_plot_band(p, 3, x, y, y, 6, 0xff0000);
  mbrl_plot_line(p, 3, NULL, NULL, 0, "empty", MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
  cr_assert_eq(mbrl_plot_save(p, path, 400, 300, err, sizeof err), 0, "%s", err);
  uint32_t w, h;
  cr_assert_eq(read_png_size(path, &w, &h), 0);
  cr_assert_eq(w, 400);
  mbrl_plot_free(p);
  remove(path);
}

Test(plot, repeated_plots_in_one_process) {
  /* each save opens and closes its own PLplot stream; sizes must not leak from one to the next */
  for (int k = 0; k < 6; k++) {
    char path[256], err[256] = "";
    tmp_path(path, sizeof path, "repeat");
    mbrl_plot *p = sample_figure();
    int w = 200 + 37 * k, h = 150 + 23 * k;
    cr_assert_eq(mbrl_plot_save(p, path, w, h, err, sizeof err), 0, "%s", err);
    uint32_t gw, gh;
    cr_assert_eq(read_png_size(path, &gw, &gh), 0);
    cr_assert_eq(gw, (uint32_t)w);
    cr_assert_eq(gh, (uint32_t)h);
    mbrl_plot_free(p);
    remove(path);
  }
}

Test(plot, data_changes_the_image) {
  /* a figure with a line differs from the same figure without it */
  char a[256], b[256], err[256] = "";
  tmp_path(a, sizeof a, "empty");
  tmp_path(b, sizeof b, "line");
  double y[3] = {0, 1, 0};
  mbrl_plot *p = mbrl_plot_make(1, 1);
  mbrl_plot_limits(p, 0, 0, 2, 0, 1);
  cr_assert_eq(mbrl_plot_save(p, a, 300, 200, err, sizeof err), 0, "%s", err);
  mbrl_plot_line(p, 0, NULL, y, 3, NULL, 0x000000, MBRL_PLOT_SOLID);
  cr_assert_eq(mbrl_plot_save(p, b, 300, 200, err, sizeof err), 0, "%s", err);
  uint32_t w, h;
  cr_assert_eq(read_png_size(a, &w, &h), 0);
  cr_assert_eq(read_png_size(b, &w, &h), 0);
  cr_assert(!same_bytes(a, b), "drawing a line left the PNG unchanged");
  mbrl_plot_free(p);
  remove(a);
  remove(b);
}

Test(plot, free_null_is_noop) {
  mbrl_plot_free(NULL);
  mbrl_plot *p = mbrl_plot_make(3, 4);
  mbrl_plot_labels(p, 11, "last panel", "x", "y");
  mbrl_plot_labels(p, 11, NULL, NULL, NULL);
  mbrl_plot_legend(p, 11, MBRL_PLOT_LEGEND_NONE);
  cr_assert_not_null(p);
  mbrl_plot_free(p);
}

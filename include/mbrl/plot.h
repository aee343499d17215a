/* Line plots written to PNG: a figure of rows x cols panels, each with a title, axis labels,
 * line series with a legend, shaded bands and an optional log y axis (PLplot, cairo driver).
 *
 * Usage: p = mbrl_plot_make(1, 2); mbrl_plot_labels(p, 0, "loss", "epoch", "mse");
 * mbrl_plot_line(p, 0, x, y, n, "train", MBRL_PLOT_AUTO, MBRL_PLOT_SOLID); ...;
 * mbrl_plot_save(p, "loss.png", 800, 400, err, sizeof err); mbrl_plot_free(p).
 * Panels are numbered row-major from 0. Series data is copied, so callers may free their arrays
 * at once. NaN and Inf values (and values <= 0 on a log axis) are skipped: a line breaks there.
 * Text is UTF-8; PLplot's escape character '#' is escaped, so it prints as itself.
 * A figure may be built on one thread at a time; saving is serialised inside the library.
 */
#ifndef MBRL_PLOT_H
#define MBRL_PLOT_H

#include <stddef.h>

#pragma GCC visibility push(default)

typedef struct mbrl_plot mbrl_plot;

/* colour argument: 0xRRGGBB, or this to take the next colour of the default palette */
#define MBRL_PLOT_AUTO (-1)

/* line styles */
enum {
  MBRL_PLOT_SOLID = 0,
  MBRL_PLOT_DASHED = 1,
  MBRL_PLOT_DOTTED = 2,
  MBRL_PLOT_POINTS = 3, /* markers only, no line */
  MBRL_PLOT_LINE_POINTS = 4 /* a solid line with markers */
};

/* legend positions within a panel */
enum {
  MBRL_PLOT_LEGEND_TOP_RIGHT = 0,
  MBRL_PLOT_LEGEND_TOP_LEFT = 1,
  MBRL_PLOT_LEGEND_BOTTOM_RIGHT = 2,
  MBRL_PLOT_LEGEND_BOTTOM_LEFT = 3,
  MBRL_PLOT_LEGEND_NONE = 4
};

/* Creates an empty figure of rows x cols panels (each 1..16); free it with mbrl_plot_free. */
mbrl_plot *mbrl_plot_make(int rows, int cols);

/* Frees a figure and its copied data; NULL is a no-op. */
void mbrl_plot_free(mbrl_plot *p);

/* Sets the figure title drawn above all panels; title may be NULL for none. */
void mbrl_plot_title(mbrl_plot *p, const char *title);

/* Sets a panel's title and axis labels; any of the three strings may be NULL for none. */
void mbrl_plot_labels(mbrl_plot *p, int panel, const char *title, const char *xlabel,
                      const char *ylabel);

/* Turns a logarithmic y axis on (on != 0) or off for a panel. */
void mbrl_plot_logy(mbrl_plot *p, int panel, int on);

/* Fixes a panel's axis limits; a NaN limit stays automatic (fit to the finite data). */
void mbrl_plot_limits(mbrl_plot *p, int panel, double xmin, double xmax, double ymin, double ymax);

/* Places a panel's legend (MBRL_PLOT_LEGEND_*); the default is top right. */
void mbrl_plot_legend(mbrl_plot *p, int panel, int position);

/* Adds a series of n points to a panel: x (n) may be NULL for 0..n-1, y (n); label may be NULL
 * to leave it out of the legend; color is 0xRRGGBB or MBRL_PLOT_AUTO; style is MBRL_PLOT_*. */
void mbrl_plot_line(mbrl_plot *p, int panel, const double *x, const double *y, int n,
                    const char *label, int color, int style);

/* mbrl_plot_line for float arrays: x (n) may be NULL for 0..n-1, y (n). */
void mbrl_plot_line_f(mbrl_plot *p, int panel, const float *x, const float *y, int n,
                      const char *label, int color, int style);

/* Adds a translucent band between lo (n) and hi (n) over x (n, may be NULL for 0..n-1), such as
 * mean +- std over seeds; color is 0xRRGGBB or MBRL_PLOT_AUTO (the colour of the next line). */
void mbrl_plot_band(mbrl_plot *p, int panel, const double *x, const double *lo, const double *hi,
                    int n, int color);

/* Draws the figure into a PNG file of width x height pixels (each 16..16384); returns 0, or
 * MBRL_EINVAL for a bad size or the path "-", or MBRL_EIO when the file cannot be written or
 * PLplot fails, with a message in err (may be NULL, err_sz bytes). */
int mbrl_plot_save(const mbrl_plot *p, const char *path, int width, int height, char *err,
                   size_t err_sz);

#pragma GCC visibility pop

#endif

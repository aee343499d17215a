/* Run comparison plots: reads the metrics.csv of run directories back and draws chosen columns
 * against an x column into one PNG, one line per run and one panel per column.
 *
 * Usage: const char *tags[] = {"Eval_AverageReturn"}, *runs[] = {"data/run-a", "data/run-b"};
 * mbrl_runplot_config c = {.tags = tags, .n_tags = 1, .x = "Train_EnvstepsSoFar"};
 * rc = mbrl_runplot_save("compare.png", runs, 2, &c, err, sizeof err);
 * Cells that are empty, NaN or infinite are skipped, so a run that logged a column on some rows
 * only draws a line through the rows it has.
 */
#ifndef MBRL_RUNPLOT_H
#define MBRL_RUNPLOT_H

#include <stddef.h>

#pragma GCC visibility push(default)

/* A metrics.csv read back: the header's column names and every cell as a number. */
typedef struct mbrl_runplot_table {
  int n_rows, n_cols;
  char **names;  /* (n_cols) column names, unquoted; they point into text */
  double *cells; /* (n_rows x n_cols) values; NaN where a cell is empty */
  char *text;    /* the file's bytes, split in place */
} mbrl_runplot_table;

/* What mbrl_runplot_save draws. */
typedef struct mbrl_runplot_config {
  const char *const *tags;   /* (n_tags) columns drawn on y, one panel each, stacked vertically */
  int n_tags;                /* 1..16 */
  const char *x;             /* column drawn on x */
  const char *title;         /* figure title, or NULL for none */
  const char *const *labels; /* (n_runs) legend labels, or NULL for mbrl_runplot_label's */
  int width, height;         /* PNG size in pixels; 0 picks 900 wide and 380 per panel */
} mbrl_runplot_config;

/* Reads run_dir/metrics.csv into t; returns 0, MBRL_ENOTFOUND when run_dir or the file does not
 * exist, MBRL_EIO when it cannot be read, or MBRL_EFORMAT for a malformed file (no header, a row whose cell count differs from the
 * header's, a cell that is not a number), with a message in err (may be NULL, err_sz bytes). */
int mbrl_runplot_read(mbrl_runplot_table *t, const char *run_dir, char *err, size_t err_sz);

/* Frees a table's arrays and zeroes it; NULL is a no-op. */
void mbrl_runplot_table_free(mbrl_runplot_table *t);

/* Index of the first column named name, or -1. */
int mbrl_runplot_column(const mbrl_runplot_table *t, const char *name);

/* Copies the rows whose cells in columns xcol and ycol are both finite to x (n_rows) and
 * y (n_rows), in file order; returns how many were copied. */
int mbrl_runplot_points(const mbrl_runplot_table *t, int xcol, int ycol, double *x, double *y);

/* Writes a run's legend label into label (label_sz bytes): the "exp_name" string of
 * run_dir/config.json, or else the last component of run_dir. */
void mbrl_runplot_label(const char *run_dir, char *label, size_t label_sz);

/* Draws the runs (n_runs directories, each with a metrics.csv) as c says into a PNG at path;
 * returns 0, or MBRL_ENOTFOUND when a run lacks one of the columns, MBRL_EINVAL for a bad
 * configuration, and the codes of mbrl_runplot_read and mbrl_plot_save, with a message in err.
 * Nothing is written unless every run has every column. */
int mbrl_runplot_save(const char *path, const char *const *run_dirs, int n_runs,
                      const mbrl_runplot_config *c, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif

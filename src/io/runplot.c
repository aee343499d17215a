/* Run comparison plots: metrics.csv files read back into tables of numbers, and chosen columns of
 * several runs drawn into one PNG through the plot module. */
#include "mbrl/runplot.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/file.h"
#include "mbrl/config.h"
#include "mbrl/core.h"
#include "mbrl/plot.h"

/* "dir/name" in a fresh allocation */
static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = mbrl_alloc(n);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* splits the next field off the zero-terminated line at *p in place: unquotes it, terminates it
 * and moves *p past its comma (NULL after the last field); returns NULL for a broken quote */
static char *csv_next(char **p) {
  char *s = *p, *r = s, *end;
  if (*r == '"') {
    char *o = s;
    for (r++;; r++) {
      if (!*r) return NULL;
      if (*r == '"' && r[1] != '"') break;
      if (*r == '"') r++;
      *o++ = *r;
    }
    r++;
    if (*r && *r != ',') return NULL;
    end = o;
  } else {
    while (*r && *r != ',') r++;
    end = r;
  }
  *p = *r == ',' ? r + 1 : NULL;
  *end = '\0';
  return s;
}

/* the next line of the text at *p, terminated in place without its "\n" or "\r\n"; NULL at the end */
static char *next_line(char **p) {
  char *s = *p;
  if (!s || !*s) return NULL;
  char *nl = strchr(s, '\n');
  *p = nl ? nl + 1 : NULL;
  if (nl) *nl = '\0';
  size_t n = strlen(s);
  if (n > 0 && s[n - 1] == '\r') s[n - 1] = '\0';
  return s;
}

/* a cell's value: NaN when empty; returns 0 when it is not a number */
static int parse_cell(const char *s, double *v) {
  if (!*s) {
    *v = NAN;
    return 1;
  }
  char *end;
  *v = strtod(s, &end); /* out of range reads as inf or 0, which is what the cell says */
  return end != s && *end == '\0';
}

void mbrl_runplot_table_free(mbrl_runplot_table *t) {
  if (!t) return;
  mbrl_free(t->names);
  mbrl_free(t->cells);
  mbrl_free(t->text);
  memset(t, 0, sizeof *t);
}

/* parses the text of a metrics.csv (already in t->text) into names and cells */
static int parse_table(mbrl_runplot_table *t, const char *path, char *err, size_t err_sz) {
  /* the header and upper bounds on columns and rows */
  char *p = t->text, *header = next_line(&p);
  if (!header || !*header)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: no header row", path);
  int max_cols = 1, max_rows = 0;
  for (const char *c = header; *c; c++) max_cols += *c == ',';
  for (const char *c = p ? p : ""; *c; c++) max_rows += *c == '\n';
  max_rows++;
  t->names = mbrl_alloc(sizeof(char *) * (size_t)max_cols);
  for (char *f = header; f;) {
    char *name = csv_next(&f);
    if (!name) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: line 1: broken quotes", path);
    t->names[t->n_cols++] = name;
  }
  t->cells = mbrl_alloc(sizeof(double) * (size_t)max_rows * (size_t)t->n_cols);

  /* one row of numbers per non-blank line */
  int line_no = 1;
  for (char *line; (line = next_line(&p));) {
    line_no++;
    if (!*line) continue;
    double *row = t->cells + (size_t)t->n_rows * (size_t)t->n_cols;
    int k = 0;
    for (char *f = line; f; k++) {
      char *cell = csv_next(&f);
      if (!cell) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: line %d: broken quotes", path, line_no);
      if (k < t->n_cols && !parse_cell(cell, &row[k]))
        return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: line %d: column '%s' holds '%s', not a number",
                         path, line_no, t->names[k], cell);
    }
    if (k != t->n_cols)
      return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: line %d has %s cells than the header's %d",
                       path, line_no, k < t->n_cols ? "fewer" : "more", t->n_cols);
    t->n_rows++;
  }
  return MBRL_OK;
}

int mbrl_runplot_read(mbrl_runplot_table *t, const char *run_dir, char *err, size_t err_sz) {
  MBRL_ASSERT(t && run_dir);
  memset(t, 0, sizeof *t);
  struct stat sb;
  if (stat(run_dir, &sb) != 0)
    return mbrl_errf(err, err_sz, errno == ENOENT ? MBRL_ENOTFOUND : MBRL_EIO, "run directory '%s': %s", run_dir,
                     strerror(errno));
  if (!S_ISDIR(sb.st_mode))
    return mbrl_errf(err, err_sz, MBRL_EIO, "'%s' is not a run directory", run_dir);
  char *path = join_path(run_dir, "metrics.csv");
  uint8_t *text;
  size_t size;
  int rc = mbrl_io_read_all(path, &text, &size, err, err_sz);
  if (rc == MBRL_OK) {
    t->text = (char *)text;
    if (memchr(text, '\0', size)) rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s: not a text file", path);
    else rc = parse_table(t, path, err, err_sz);
  }
  if (rc != MBRL_OK) mbrl_runplot_table_free(t);
  mbrl_free(path);
  return rc;
}

int mbrl_runplot_column(const mbrl_runplot_table *t, const char *name) {
  MBRL_ASSERT(t && name);
  for (int k = 0; k < t->n_cols; k++)
    if (!strcmp(t->names[k], name)) return k;
  return -1;
}

int mbrl_runplot_points(const mbrl_runplot_table *t, int xcol, int ycol, double *x, double *y) {
  MBRL_ASSERT(t && xcol >= 0 && xcol < t->n_cols && ycol >= 0 && ycol < t->n_cols);
  MBRL_ASSERT((x && y) || t->n_rows == 0);
  int n = 0;
  for (int i = 0; i < t->n_rows; i++) {
    const double *row = t->cells + (size_t)i * (size_t)t->n_cols;
    if (!isfinite(row[xcol]) || !isfinite(row[ycol])) continue;
    x[n] = row[xcol];
    y[n] = row[ycol];
    n++;
  }
  return n;
}

void mbrl_runplot_label(const char *run_dir, char *label, size_t label_sz) {
  MBRL_ASSERT(run_dir && label && label_sz > 0);
  /* config.json's exp_name, when there is one */
  typedef struct {
    char exp_name[MBRL_CONFIG_STR];
  } run_name;
  static const mbrl_field fields[] = {MBRL_CFG_STRING(run_name, exp_name, "exp_name", NULL, "", NULL)};
  static const mbrl_config_table table = {"run name", fields, 1};
  run_name rn = {""};
  char *path = join_path(run_dir, "config.json");
  int found = mbrl_config_read_file(&table, &rn, path, NULL, 0) == MBRL_OK && rn.exp_name[0];
  if (found) snprintf(label, label_sz, "%s", rn.exp_name);
  mbrl_free(path);
  if (found) return;
  /* else the directory's base name, trailing slashes aside */
  size_t end = strlen(run_dir);
  while (end > 1 && run_dir[end - 1] == '/') end--;
  size_t start = end;
  while (start > 0 && run_dir[start - 1] != '/') start--;
  if (start == end && end > 0) start = end - 1; /* "/" names itself */
  snprintf(label, label_sz, "%.*s", (int)(end - start), run_dir + start);
}

/* the names of a table's columns, comma separated, cut to fit buf (n bytes) */
static void column_list(const mbrl_runplot_table *t, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < t->n_cols && used < n; k++)
    used += (size_t)snprintf(buf + used, n - used, "%s%s", k ? ", " : "", t->names[k]);
}

/* looks up a column a run must have; -1 with a message in err when it lacks it */
static int need_column(const mbrl_runplot_table *t, const char *run_dir, const char *name, char *err,
                       size_t err_sz) {
  int k = mbrl_runplot_column(t, name);
  if (k < 0) {
    char cols[512];
    column_list(t, cols, sizeof cols);
    mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "run '%s' has no column '%s' in metrics.csv (it has: %s)",
              run_dir, name, cols);
  }
  return k;
}

/* adds one run's lines to every panel of p; the legend entry goes to the first panel only */
static int add_run(mbrl_plot *p, const char *run_dir, int run, const char *label,
                   const mbrl_runplot_config *c, char *err, size_t err_sz) {
  mbrl_runplot_table t;
  int rc = mbrl_runplot_read(&t, run_dir, err, err_sz);
  if (rc != MBRL_OK) return rc;
  double *x = mbrl_alloc(sizeof(double) * (size_t)t.n_rows);
  double *y = mbrl_alloc(sizeof(double) * (size_t)t.n_rows);
  int xcol = need_column(&t, run_dir, c->x, err, err_sz);
  rc = xcol < 0 ? MBRL_ENOTFOUND : MBRL_OK;
  for (int j = 0; j < c->n_tags && rc == MBRL_OK; j++) {
    int ycol = need_column(&t, run_dir, c->tags[j], err, err_sz);
    if (ycol < 0) {
      rc = MBRL_ENOTFOUND;
      break;
    }
    int n = mbrl_runplot_points(&t, xcol, ycol, x, y);
    /* the palette has 10 colours; later runs repeat them dashed, then dotted */
    int style = run < 10 ? (n <= 40 ? MBRL_PLOT_LINE_POINTS : MBRL_PLOT_SOLID)
                         : run < 20 ? MBRL_PLOT_DASHED : MBRL_PLOT_DOTTED;
    mbrl_plot_line(p, j, x, y, n, j == 0 ? label : NULL, MBRL_PLOT_AUTO, style);
  }
  mbrl_free(x);
  mbrl_free(y);
  mbrl_runplot_table_free(&t);
  return rc;
}

int mbrl_runplot_save(const char *path, const char *const *run_dirs, int n_runs,
                      const mbrl_runplot_config *c, char *err, size_t err_sz) {
  MBRL_ASSERT(path && c && c->x && (run_dirs || n_runs == 0) && (c->tags || c->n_tags == 0));
  if (n_runs < 1) return mbrl_errf(err, err_sz, MBRL_EINVAL, "no run directories to plot");
  if (c->n_tags < 1 || c->n_tags > 16)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%d columns to plot; one panel each, 1..16 allowed",
                     c->n_tags);
  mbrl_plot *p = mbrl_plot_make(c->n_tags, 1);
  mbrl_plot_title(p, c->title);
  for (int j = 0; j < c->n_tags; j++) mbrl_plot_labels(p, j, c->tags[j], c->x, NULL);
  mbrl_plot_legend(p, 0, MBRL_PLOT_LEGEND_BOTTOM_RIGHT);
  int rc = MBRL_OK;
  for (int i = 0; i < n_runs && rc == MBRL_OK; i++) {
    char label[256];
    if (c->labels) snprintf(label, sizeof label, "%s", c->labels[i]);
    else mbrl_runplot_label(run_dirs[i], label, sizeof label);
    rc = add_run(p, run_dirs[i], i, label, c, err, err_sz);
  }
  int width = c->width > 0 ? c->width : 900;
  int height = c->height > 0 ? c->height : 380 * c->n_tags + (c->title ? 40 : 0);
  if (rc == MBRL_OK) rc = mbrl_plot_save(p, path, width, height, err, err_sz);
  mbrl_plot_free(p);
  return rc;
}

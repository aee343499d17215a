/* Line plots to PNG through PLplot's pngcairo driver: figures of panels built in memory, drawn on
 * a fresh PLplot stream per save so repeated plots in one process do not share state. */
#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mbrl/core.h"
#include "mbrl/plot.h"

typedef struct {
  double *x, *y, *hi; /* (n) each; hi is set for bands only */
  int n;
  char *label; /* escaped for PLplot, NULL for no legend entry */
  int rgb;     /* 0xRRGGBB */
  int style;   /* MBRL_PLOT_*; -1 for a band */
} series;

typedef struct {
  char *title, *xlabel, *ylabel;
  int logy, legend;
  double lim[4]; /* xmin, xmax, ymin, ymax; NaN = automatic */
  series *s;
  int ns, cap;
  int next_auto; /* index of the next palette colour */
} panel;

struct mbrl_plot {
  int rows, cols;
  char *title;
  panel *panels; /* (rows * cols), row-major */
};

/* tab10-like palette, distinct and readable on white */
static const int palette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                              0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
#define NPALETTE ((int)(sizeof palette / sizeof *palette))

/* cmap0 slots: 0 background, 1 axes and text, 2 grid, 3 legend background, 4.. series */
enum { COL_BG = 0, COL_FG = 1, COL_GRID = 2, COL_LEGEND_BG = 3, COL_FIRST_SERIES = 4 };

/* PLplot keeps global state: one save at a time in the whole process */
static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;

/* copies a string, doubling PLplot's escape character '#' so it prints as itself */
static char *escape_dup(const char *s) {
  if (!s) return NULL;
  size_t n = 0;
  for (const char *c = s; *c; c++) n += *c == '#' ? 2 : 1;
  char *d = mbrl_alloc(n + 1), *o = d;
  for (const char *c = s; *c; c++) {
    *o++ = *c;
    if (*c == '#') *o++ = '#';
  }
  *o = 0;
  return d;
}

static panel *get_panel(mbrl_plot *p, int i) {
  MBRL_ASSERT(p && i >= 0 && i < p->rows * p->cols);
  return &p->panels[i];
}

mbrl_plot *mbrl_plot_make(int rows, int cols) {
  MBRL_ASSERT(rows >= 1 && rows <= 16 && cols >= 1 && cols <= 16);
  mbrl_plot *p = mbrl_alloc(sizeof *p);
  p->rows = rows;
  p->cols = cols;
  p->panels = mbrl_alloc(sizeof(panel) * (size_t)(rows * cols));
  for (int i = 0; i < rows * cols; i++)
    for (int k = 0; k < 4; k++) p->panels[i].lim[k] = NAN;
  return p;
}

void mbrl_plot_free(mbrl_plot *p) {
  if (!p) return;
  for (int i = 0; i < p->rows * p->cols; i++) {
    panel *q = &p->panels[i];
    for (int k = 0; k < q->ns; k++) {
      mbrl_free(q->s[k].x);
      mbrl_free(q->s[k].y);
      mbrl_free(q->s[k].hi);
      mbrl_free(q->s[k].label);
    }
    mbrl_free(q->s);
    mbrl_free(q->title);
    mbrl_free(q->xlabel);
    mbrl_free(q->ylabel);
  }
  mbrl_free(p->panels);
  mbrl_free(p->title);
  mbrl_free(p);
}

void mbrl_plot_title(mbrl_plot *p, const char *title) {
  MBRL_ASSERT(p);
  mbrl_free(p->title);
  p->title = escape_dup(title);
}

void mbrl_plot_labels(mbrl_plot *p, int i, const char *title, const char *xlabel,
                      const char *ylabel) {
  panel *q = get_panel(p, i);
  mbrl_free(q->title);
  mbrl_free(q->xlabel);
  mbrl_free(q->ylabel);
  q->title = escape_dup(title);
  q->xlabel = escape_dup(xlabel);
  q->ylabel = escape_dup(ylabel);
}

void mbrl_plot_logy(mbrl_plot *p, int i, int on) { get_panel(p, i)->logy = on != 0; }

void mbrl_plot_limits(mbrl_plot *p, int i, double xmin, double xmax, double ymin, double ymax) {
  panel *q = get_panel(p, i);
  q->lim[0] = xmin;
  q->lim[1] = xmax;
  q->lim[2] = ymin;
  q->lim[3] = ymax;
}

void mbrl_plot_legend(mbrl_plot *p, int i, int position) {
  MBRL_ASSERT(position >= MBRL_PLOT_LEGEND_TOP_RIGHT && position <= MBRL_PLOT_LEGEND_NONE);
  get_panel(p, i)->legend = position;
}

/* appends an empty series with its arrays allocated */
static series *add_series(panel *q, int n, int with_hi) {
  if (q->ns == q->cap) {
    int cap = q->cap ? 2 * q->cap : 8;
    series *s = mbrl_alloc(sizeof(series) * (size_t)cap);
    if (q->ns) memcpy(s, q->s, sizeof(series) * (size_t)q->ns);
    mbrl_free(q->s);
    q->s = s;
    q->cap = cap;
  }
  series *s = &q->s[q->ns++];
  memset(s, 0, sizeof *s);
  s->n = n;
  s->x = mbrl_alloc(sizeof(double) * (size_t)n);
  s->y = mbrl_alloc(sizeof(double) * (size_t)n);
  if (with_hi) s->hi = mbrl_alloc(sizeof(double) * (size_t)n);
  return s;
}

static int pick_color(panel *q, int color, int advance) {
  MBRL_ASSERT(color == MBRL_PLOT_AUTO || (color >= 0 && color <= 0xffffff));
  if (color != MBRL_PLOT_AUTO) return color;
  int c = palette[q->next_auto % NPALETTE];
  if (advance) q->next_auto++;
  return c;
}

void mbrl_plot_line(mbrl_plot *p, int i, const double *x, const double *y, int n,
                    const char *label, int color, int style) {
  panel *q = get_panel(p, i);
  MBRL_ASSERT(n >= 0 && (y || n == 0));
  MBRL_ASSERT(style >= MBRL_PLOT_SOLID && style <= MBRL_PLOT_LINE_POINTS);
  series *s = add_series(q, n, 0);
  for (int k = 0; k < n; k++) {
    s->x[k] = x ? x[k] : k;
    s->y[k] = y[k];
  }
  s->label = escape_dup(label);
  s->rgb = pick_color(q, color, 1);
  s->style = style;
}

void mbrl_plot_line_f(mbrl_plot *p, int i, const float *x, const float *y, int n,
                      const char *label, int color, int style) {
  panel *q = get_panel(p, i);
  MBRL_ASSERT(n >= 0 && (y || n == 0));
  MBRL_ASSERT(style >= MBRL_PLOT_SOLID && style <= MBRL_PLOT_LINE_POINTS);
  series *s = add_series(q, n, 0);
  for (int k = 0; k < n; k++) {
    s->x[k] = x ? (double)x[k] : k;
    s->y[k] = y[k];
  }
  s->label = escape_dup(label);
  s->rgb = pick_color(q, color, 1);
  s->style = style;
}

void mbrl_plot_band(mbrl_plot *p, int i, const double *x, const double *lo, const double *hi,
                    int n, int color) {
  panel *q = get_panel(p, i);
  MBRL_ASSERT(n >= 0 && ((lo && hi) || n == 0));
  series *s = add_series(q, n, 1);
  for (int k = 0; k < n; k++) {
    s->x[k] = x ? x[k] : k;
    s->y[k] = lo[k];
    s->hi[k] = hi[k];
  }
  s->rgb = pick_color(q, color, 0);
  s->style = -1;
}

/* a y value as drawn: log10 on a log axis, NaN when it cannot be drawn */
static double ymap(double y, int logy) {
  if (!isfinite(y)) return NAN;
  if (logy) return y > 0 ? log10(y) : NAN;
  return y;
}

/* fits the axis range to the finite data, then applies fixed limits and padding */
static void panel_range(const panel *q, double r[4]) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int k = 0; k < q->ns; k++) {
    const series *s = &q->s[k];
    for (int j = 0; j < s->n; j++) {
      double ya = ymap(s->y[j], q->logy), yb = s->hi ? ymap(s->hi[j], q->logy) : ya;
      if (!isfinite(s->x[j]) || (isnan(ya) && isnan(yb))) continue;
      x0 = fmin(x0, s->x[j]);
      x1 = fmax(x1, s->x[j]);
      if (!isnan(ya)) y0 = fmin(y0, ya), y1 = fmax(y1, ya);
      if (!isnan(yb)) y0 = fmin(y0, yb), y1 = fmax(y1, yb);
    }
  }
  if (!(x0 <= x1)) x0 = 0, x1 = 1;
  if (!(y0 <= y1)) y0 = 0, y1 = 1;
  /* a little air around the data, none on an axis the caller fixed */
  double px = (x1 - x0) * 0.02, py = (y1 - y0) * 0.05;
  if (px == 0) px = fabs(x0) > 0 ? fabs(x0) * 0.05 : 0.5;
  if (py == 0) py = fabs(y0) > 0 ? fabs(y0) * 0.05 : 0.5;
  r[0] = x0 - px, r[1] = x1 + px, r[2] = y0 - py, r[3] = y1 + py;
  if (!isnan(q->lim[0])) r[0] = q->lim[0];
  if (!isnan(q->lim[1])) r[1] = q->lim[1];
  if (!isnan(q->lim[2]) && !isnan(ymap(q->lim[2], q->logy))) r[2] = ymap(q->lim[2], q->logy);
  if (!isnan(q->lim[3]) && !isnan(ymap(q->lim[3], q->logy))) r[3] = ymap(q->lim[3], q->logy);
  if (!(r[0] < r[1])) r[1] = r[0] + 1;
  if (!(r[2] < r[3])) r[3] = r[2] + 1;
}

static void set_style(int style) {
  static const PLINT dash_mark[] = {3000}, dash_space[] = {1500};
  static const PLINT dot_mark[] = {500}, dot_space[] = {1000};
  if (style == MBRL_PLOT_DASHED)
    plstyl(1, dash_mark, dash_space);
  else if (style == MBRL_PLOT_DOTTED)
    plstyl(1, dot_mark, dot_space);
  else
    plstyl(0, NULL, NULL);
}

/* draws one line series as runs of drawable points, breaking at NaN, Inf and log-invalid values */
static void draw_series(const series *s, int logy, double *bx, double *by) {
  int start = -1;
  for (int j = 0; j <= s->n; j++) {
    int ok = j < s->n && isfinite(s->x[j]) && !isnan(ymap(s->y[j], logy));
    if (ok) {
      if (start < 0) start = j;
      bx[j - start] = s->x[j];
      by[j - start] = ymap(s->y[j], logy);
      continue;
    }
    if (start >= 0) {
      int m = j - start;
      if (s->style != MBRL_PLOT_POINTS && m >= 2) plline(m, bx, by);
      if (s->style == MBRL_PLOT_POINTS || s->style == MBRL_PLOT_LINE_POINTS || m == 1)
        plstring(m, bx, by, "•");
      start = -1;
    }
  }
}

/* fills a band as one polygon per run of drawable points */
static void draw_band(const series *s, int logy, double *bx, double *by) {
  int start = -1;
  for (int j = 0; j <= s->n; j++) {
    int ok = j < s->n && isfinite(s->x[j]) && !isnan(ymap(s->y[j], logy)) &&
             !isnan(ymap(s->hi[j], logy));
    if (ok && start < 0) start = j;
    if (ok) continue;
    if (start >= 0 && j - start >= 2) {
      int m = j - start;
      for (int k = 0; k < m; k++) {
        bx[k] = s->x[start + k];
        by[k] = ymap(s->y[start + k], logy);
        bx[2 * m - 1 - k] = s->x[start + k];
        by[2 * m - 1 - k] = ymap(s->hi[start + k], logy);
      }
      plfill(2 * m, bx, by);
    }
    start = -1;
  }
}

/* text_scale: PLplot's character scale of the figure's text; pllegend sets it, not multiplies */
static void draw_legend(const panel *q, int first_col, double text_scale) {
  int n = 0;
  for (int k = 0; k < q->ns; k++) n += q->s[k].label != NULL;
  if (n == 0 || q->legend == MBRL_PLOT_LEGEND_NONE) return;
  PLINT *opt = mbrl_alloc(sizeof(PLINT) * (size_t)n * 4);
  PLINT *col = opt + n, *lsty = opt + 2 * n, *nsym = opt + 3 * n;
  PLFLT *lw = mbrl_alloc(sizeof(PLFLT) * (size_t)n * 2), *ssc = lw + n;
  const char **text = mbrl_alloc(sizeof(char *) * (size_t)n * 2), **sym = text + n;
  int e = 0;
  for (int k = 0; k < q->ns; k++) {
    const series *s = &q->s[k];
    if (!s->label) continue;
    int pts = s->style == MBRL_PLOT_POINTS || s->style == MBRL_PLOT_LINE_POINTS;
    opt[e] = (s->style == MBRL_PLOT_POINTS ? 0 : PL_LEGEND_LINE) | (pts ? PL_LEGEND_SYMBOL : 0);
    if (s->style == -1) opt[e] = PL_LEGEND_COLOR_BOX;
    col[e] = first_col + k;
    lsty[e] = s->style == MBRL_PLOT_DASHED ? 3 : s->style == MBRL_PLOT_DOTTED ? 2 : 1;
    nsym[e] = 1;
    lw[e] = 2.0;
    ssc[e] = 1.0;
    text[e] = s->label;
    sym[e] = "•";
    e++;
  }
  static const PLINT pos[] = {
      PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_LEFT,
      PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
  PLINT *patterns = mbrl_alloc(sizeof(PLINT) * (size_t)n);
  PLINT *tcol = mbrl_alloc(sizeof(PLINT) * (size_t)n);
  PLFLT *box_scale = mbrl_alloc(sizeof(PLFLT) * (size_t)n);
  for (int k = 0; k < n; k++) box_scale[k] = 0.8, tcol[k] = COL_FG;
  PLFLT w, h;
  plstyl(0, NULL, NULL);
  pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           pos[q->legend] | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 0.02, 0.03, 0.08,
           COL_LEGEND_BG, COL_GRID, 1, 0, 0, n, opt, 0.8, 0.9 * text_scale, 1.8, 0.0, tcol, text, col,
           patterns, box_scale, lw, col, lsty, lw, col, ssc, nsym, sym);
  mbrl_free(opt);
  mbrl_free(lw);
  mbrl_free(text);
  mbrl_free(patterns);
  mbrl_free(tcol);
  mbrl_free(box_scale);
}

static void draw_panel(const panel *q, int first_col, double vp[4], double text_scale, double *bx,
                       double *by) {
  double r[4];
  panel_range(q, r);
  plvpor(vp[0], vp[1], vp[2], vp[3]);
  plwind(r[0], r[1], r[2], r[3]);
  const char *yopt = q->logy ? "bcnstlv" : "bcnstv";
  /* light grid under the data */
  plcol0(COL_GRID);
  plwidth(0.6);
  plstyl(0, NULL, NULL);
  plbox("g", 0, 0, q->logy ? "gl" : "g", 0, 0);
  /* bands, then lines, in the order they were added */
  for (int k = 0; k < q->ns; k++)
    if (q->s[k].style == -1) {
      plcol0(first_col + k);
      draw_band(&q->s[k], q->logy, bx, by);
    }
  plwidth(1.8);
  for (int k = 0; k < q->ns; k++)
    if (q->s[k].style != -1) {
      plcol0(first_col + k);
      set_style(q->s[k].style);
      draw_series(&q->s[k], q->logy, bx, by);
    }
  /* frame, ticks and numbers on top */
  plstyl(0, NULL, NULL);
  plcol0(COL_FG);
  plwidth(1.0);
  plbox("bcnst", 0, 0, yopt, 0, 0);
  if (q->title) plmtex("t", 0.9, 0.5, 0.5, q->title);
  if (q->xlabel) plmtex("b", 3.1, 0.5, 0.5, q->xlabel);
  if (q->ylabel) plmtex("l", 5.3, 0.5, 0.5, q->ylabel);
  draw_legend(q, first_col, text_scale);
  plschr(0, text_scale);
}

/* checks the file can be created before PLplot opens it: PLplot exits the process on failure */
static int check_writable(const char *path, char *err, size_t err_sz) {
  FILE *f = fopen(path, "wb");
  if (!f) return mbrl_errf(err, err_sz, MBRL_EIO, "cannot write plot '%s': %s", path, strerror(errno));
  fclose(f);
  return 0;
}

/* checks that a PNG signature landed in the file */
static int check_png(const char *path, char *err, size_t err_sz) {
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  unsigned char b[8];
  FILE *f = fopen(path, "rb");
  size_t got = f ? fread(b, 1, 8, f) : 0;
  if (f) fclose(f);
  if (got != 8 || memcmp(b, sig, 8))
    return mbrl_errf(err, err_sz, MBRL_EIO, "plot '%s' was not written (PLplot cairo driver)", path);
  return 0;
}

int mbrl_plot_save(const mbrl_plot *p, const char *path, int width, int height, char *err,
                   size_t err_sz) {
  MBRL_ASSERT(p && path);
  if (width < 16 || width > 16384 || height < 16 || height > 16384)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "plot size %dx%d is outside 16..16384 pixels",
                     width, height);
  /* PLplot reads "-" as standard output, which the library never writes */
  if (!strcmp(path, "-"))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "plot path '-' (standard output) is not allowed");
  int rc = check_writable(path, err, err_sz);
  if (rc) return rc;

  /* one colour slot per series, plus scratch for the longest series (bands need 2n) */
  int npanels = p->rows * p->cols, nseries = 0, maxn = 1;
  for (int i = 0; i < npanels; i++) {
    nseries += p->panels[i].ns;
    for (int k = 0; k < p->panels[i].ns; k++)
      if (p->panels[i].s[k].n > maxn) maxn = p->panels[i].s[k].n;
  }
  double *bx = mbrl_alloc(sizeof(double) * 2 * (size_t)maxn);
  double *by = mbrl_alloc(sizeof(double) * 2 * (size_t)maxn);

  pthread_mutex_lock(&plot_lock);
  PLINT old, strm;
  plgstrm(&old);
  plmkstrm(&strm);
  if (strm < 0) {
    pthread_mutex_unlock(&plot_lock);
    mbrl_free(bx);
    mbrl_free(by);
    return mbrl_errf(err, err_sz, MBRL_EIO, "PLplot has no free stream for '%s'", path);
  }
  /* PLplot reports recoverable errors here instead of printing them */
  PLINT pl_code = 0;
  char pl_msg[320] = "";
  plsError(&pl_code, pl_msg);
  plsdev("pngcairo");
  plsfnam(path);
  plspage(0, 0, width, height, 0, 0);
  plscmap0n(COL_FIRST_SERIES + nseries);
  plscol0a(COL_BG, 255, 255, 255, 1.0);
  plscol0a(COL_FG, 0, 0, 0, 1.0);
  plscol0a(COL_GRID, 0xd0, 0xd0, 0xd0, 1.0);
  plscol0a(COL_LEGEND_BG, 255, 255, 255, 0.85);
  int c = COL_FIRST_SERIES;
  for (int i = 0; i < npanels; i++)
    for (int k = 0; k < p->panels[i].ns; k++, c++) {
      const series *s = &p->panels[i].s[k];
      double alpha = s->style == -1 ? 0.22 : 1.0;
      plscol0a(c, (s->rgb >> 16) & 0xff, (s->rgb >> 8) & 0xff, s->rgb & 0xff, alpha);
    }
  plinit();
  pladv(0);

  /* text height from the panel size: about 1/36 of the smaller side, 10..15 pixels */
  double pw = (double)width / p->cols, ph = (double)height / p->rows;
  double px = fmin(pw, ph) / 36;
  px = fmax(10, fmin(15, px));
  PLFLT def_mm, ht_mm, sx0, sx1, sy0, sy1;
  plgchr(&def_mm, &ht_mm);
  plgspa(&sx0, &sx1, &sy0, &sy1);
  double px_per_mm = height / (sy1 - sy0);
  double text_scale = px / px_per_mm / def_mm;
  plschr(0, text_scale);
  /* margins in page fractions: char height in x and y units */
  double chx = px / width, chy = px / height;
  double top = p->title ? 2.6 * chy : 0;
  if (p->title) {
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(COL_FG);
    plschr(0, 1.2 * text_scale);
    plmtex("t", -1.6, 0.5, 0.5, p->title);
    plschr(0, text_scale);
  }
  c = COL_FIRST_SERIES;
  for (int i = 0; i < npanels; i++) {
    int row = i / p->cols, col = i % p->cols;
    double cw = 1.0 / p->cols, chh = (1.0 - top) / p->rows;
    double x0 = col * cw, y1 = 1.0 - top - row * chh;
    double vp[4] = {x0 + 7.2 * chx, x0 + cw - 4.2 * chx, y1 - chh + 4.4 * chy, y1 - 2.4 * chy};
    if (vp[1] <= vp[0]) vp[1] = vp[0] + 0.01;
    if (vp[3] <= vp[2]) vp[3] = vp[2] + 0.01;
    draw_panel(&p->panels[i], c, vp, text_scale, bx, by);
    c += p->panels[i].ns;
  }
  plend1();
  plsstrm(old);
  pthread_mutex_unlock(&plot_lock);
  mbrl_free(bx);
  mbrl_free(by);
  size_t ml = strlen(pl_msg);
  while (ml > 0 && (pl_msg[ml - 1] == '\n' || pl_msg[ml - 1] == ' ')) pl_msg[--ml] = 0;
  if (pl_code)
    return mbrl_errf(err, err_sz, MBRL_EIO, "PLplot failed on '%s': %s", path, pl_msg);
  return check_png(path, err, err_sz);
}

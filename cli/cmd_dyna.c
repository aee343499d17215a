/* mbrl dyna: tabular Dyna-Q / Dyna-Q+ on a maze file, averaged over runs, written as CSV and PNG
 * (steps per episode for a fixed maze, cumulative reward for a maze whose walls change). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mbrl/core.h"
#include "mbrl/dyna.h"
#include "mbrl/env.h"
#include "mbrl/maze.h"
#include "mbrl/plot.h"

#define MAX_N 16

typedef struct {
  const char *maze, *out;
  int n[MAX_N], n_count;
  int runs, episodes, steps, max_steps, threads, width, height;
  int algo; /* bit 0: Dyna-Q, bit 1: Dyna-Q+; 0 = by maze */
  double alpha, gamma, epsilon, kappa;
  unsigned long long seed;
} options;

static void usage(FILE *f) {
  fprintf(f,
          "usage: mbrl dyna [flags]\n"
          "Runs tabular Dyna-Q (and Dyna-Q+) on a maze, averaged over runs, and writes\n"
          "PREFIX.csv and PREFIX.png: steps per episode against episode for a fixed maze,\n"
          "cumulative reward against time step for a maze whose walls change.\n\n"
          "  --maze M          a shipped maze (dyna, blocking, shortcut) or a maze file path\n"
          "                    (default dyna; the file format is in include/mbrl/maze.h)\n"
          "  --n LIST          planning steps per real step, comma separated (default 0,5,50)\n"
          "  --runs R          independent runs averaged (default 30)\n"
          "  --episodes E      episodes per run, fixed mazes (default 50)\n"
          "  --steps T         time steps per run, changing mazes (default: the maze's 'steps')\n"
          "  --algo A          q, plus or both (default: q for a fixed maze, both for a changing one)\n"
          "  --alpha X         step size (default 0.1)\n"
          "  --gamma X         discount (default 0.95)\n"
          "  --epsilon X       exploration rate (default 0.1)\n"
          "  --kappa X         Dyna-Q+ bonus weight (default 0.001)\n"
          "  --max-steps M     cap on the steps of one episode (default 100000)\n"
          "  --seed S          seed; run i uses stream (S, i) (default 1)\n"
          "  --threads K       threads over runs (default: all cores; results do not depend on it)\n"
          "  --size WxH        PNG size in pixels (default 800x500)\n"
          "  --out PREFIX      output prefix (default dyna)\n"
          "  --help            this text\n");
}

static int bad(const char *flag, const char *val, const char *want) {
  fprintf(stderr, "mbrl dyna: %s needs %s, got '%s'\n", flag, want, val);
  return 2;
}

static int parse_long(const char *s, long lo, long hi, long *v) {
  char *end;
  errno = 0;
  long x = strtol(s, &end, 10);
  if (end == s || *end || errno || x < lo || x > hi) return 0;
  *v = x;
  return 1;
}

static int parse_double(const char *s, double lo, double hi, double *v) {
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  if (end == s || *end || errno || !(x >= lo && x <= hi)) return 0;
  *v = x;
  return 1;
}

/* reads the flags into o; returns 0, 1 after --help, or 2 after printing a usage error */
static int parse_flags(options *o, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *f = argv[i];
    if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
      usage(stdout);
      return 1;
    }
    if (strncmp(f, "--", 2)) {
      fprintf(stderr, "mbrl dyna: unexpected argument '%s' (see mbrl dyna --help)\n", f);
      return 2;
    }
    /* --flag=value or --flag value */
    char name[32];
    const char *val, *eq = strchr(f, '=');
    if (eq) {
      snprintf(name, sizeof name, "%.*s", (int)(eq - f), f);
      val = eq + 1;
    } else {
      snprintf(name, sizeof name, "%s", f);
      if (i + 1 >= argc) {
        fprintf(stderr, "mbrl dyna: %s needs a value (see mbrl dyna --help)\n", f);
        return 2;
      }
      val = argv[++i];
    }
    long l;
    if (!strcmp(name, "--maze")) {
      o->maze = val;
    } else if (!strcmp(name, "--out")) {
      if (!*val) return bad(name, val, "a file prefix");
      o->out = val;
    } else if (!strcmp(name, "--n")) {
      o->n_count = 0;
      const char *p = val;
      for (;;) {
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p || errno || x < 0 || x > 100000 || o->n_count == MAX_N || (*end && *end != ','))
          return bad(name, val, "up to 16 comma-separated integers in 0..100000");
        o->n[o->n_count++] = (int)x;
        if (!*end) break;
        p = end + 1;
      }
    } else if (!strcmp(name, "--runs")) {
      if (!parse_long(val, 1, 100000, &l)) return bad(name, val, "an integer in 1..100000");
      o->runs = (int)l;
    } else if (!strcmp(name, "--episodes")) {
      if (!parse_long(val, 1, 1000000, &l)) return bad(name, val, "an integer in 1..1000000");
      o->episodes = (int)l;
    } else if (!strcmp(name, "--steps")) {
      if (!parse_long(val, 1, 100000000, &l)) return bad(name, val, "an integer in 1..100000000");
      o->steps = (int)l;
    } else if (!strcmp(name, "--max-steps")) {
      if (!parse_long(val, 1, 1000000000, &l)) return bad(name, val, "an integer in 1..1000000000");
      o->max_steps = (int)l;
    } else if (!strcmp(name, "--threads")) {
      if (!parse_long(val, 1, 1024, &l)) return bad(name, val, "an integer in 1..1024");
      o->threads = (int)l;
    } else if (!strcmp(name, "--seed")) {
      char *end;
      errno = 0;
      unsigned long long s = strtoull(val, &end, 10);
      if (end == val || *end || errno || val[0] == '-') return bad(name, val, "a non-negative integer");
      o->seed = s;
    } else if (!strcmp(name, "--algo")) {
      if (!strcmp(val, "q")) o->algo = 1;
      else if (!strcmp(val, "plus")) o->algo = 2;
      else if (!strcmp(val, "both")) o->algo = 3;
      else return bad(name, val, "q, plus or both");
    } else if (!strcmp(name, "--alpha")) {
      if (!parse_double(val, 1e-9, 1, &o->alpha)) return bad(name, val, "a number in (0, 1]");
    } else if (!strcmp(name, "--gamma")) {
      if (!parse_double(val, 0, 1, &o->gamma)) return bad(name, val, "a number in [0, 1]");
    } else if (!strcmp(name, "--epsilon")) {
      if (!parse_double(val, 0, 1, &o->epsilon)) return bad(name, val, "a number in [0, 1]");
    } else if (!strcmp(name, "--kappa")) {
      if (!parse_double(val, 0, 1e6, &o->kappa)) return bad(name, val, "a number >= 0");
    } else if (!strcmp(name, "--size")) {
      int w, h, used = 0;
      if (sscanf(val, "%dx%d%n", &w, &h, &used) != 2 || val[used] || w < 16 || h < 16 ||
          w > 16384 || h > 16384)
        return bad(name, val, "WIDTHxHEIGHT, each 16..16384");
      o->width = w;
      o->height = h;
    } else {
      fprintf(stderr, "mbrl dyna: unknown flag '%s' (see mbrl dyna --help)\n", name);
      return 2;
    }
  }
  return 0;
}

/* one learning curve: which algorithm, which n, and its mean values */
typedef struct {
  int plus, n;
  char label[64], column[32];
  double *y;
} curve;

static int write_csv(const char *path, const char *xname, const curve *c, int nc, int len,
                     int x0) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "mbrl dyna: cannot write '%s': %s\n", path, strerror(errno));
    return 1;
  }
  fprintf(f, "%s", xname);
  for (int k = 0; k < nc; k++) fprintf(f, ",%s", c[k].column);
  fprintf(f, "\n");
  for (int t = 0; t < len; t++) {
    fprintf(f, "%d", t + x0);
    for (int k = 0; k < nc; k++) fprintf(f, ",%.6g", c[k].y[t]);
    fprintf(f, "\n");
  }
  if (fclose(f)) {
    fprintf(stderr, "mbrl dyna: cannot write '%s'\n", path);
    return 1;
  }
  return 0;
}

int mbrl_cmd_dyna(int argc, char **argv) {
  mbrl_dyna_config def = mbrl_dyna_defaults();
  options o = {.maze = "dyna", .out = "dyna", .n = {0, 5, 50}, .n_count = 3,
               .runs = 30, .episodes = 50, .max_steps = 100000, .width = 800, .height = 500,
               .alpha = def.alpha, .gamma = def.gamma, .epsilon = def.epsilon,
               .kappa = def.kappa, .seed = 1};
  int rc = parse_flags(&o, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  if (o.threads) mbrl_threads_set(o.threads);

  /* a bare name is a shipped maze under the assets' mazes/ */
  char err[512], path[1024];
  snprintf(path, sizeof path, "%s", o.maze);
  if (!strchr(o.maze, '/') && !strchr(o.maze, '.')) {
    char file[256];
    snprintf(file, sizeof file, "mazes/%.200s.txt", o.maze);
    if (mbrl_env_asset_path(file, path, sizeof path, err, sizeof err)) {
      fprintf(stderr, "mbrl dyna: no maze named '%s': %s\n", o.maze, err);
      return 2;
    }
  }
  mbrl_maze m;
  if (mbrl_maze_load(&m, path, err, sizeof err)) {
    fprintf(stderr, "mbrl dyna: %s\n", err);
    return 1;
  }
  int changing = m.walls_after != NULL;
  int T = o.steps ? o.steps : m.steps;
  if (changing && T == 0) {
    fprintf(stderr, "mbrl dyna: %s changes its walls but gives no 'steps'; pass --steps\n", path);
    mbrl_maze_free(&m);
    return 2;
  }
  int algo = o.algo ? o.algo : changing ? 3 : 1;
  int len = changing ? T : o.episodes;
  int shortest = mbrl_maze_shortest_path(&m, m.walls);
  printf("%s: %dx%d, %d open cells, shortest path %d steps", m.name, m.rows, m.cols,
         mbrl_maze_open_cells(&m, m.walls), shortest);
  if (changing)
    printf(", walls change at step %d (shortest path then %d)", m.change_step,
           mbrl_maze_shortest_path(&m, m.walls_after));
  printf("\nruns %d, seed %llu, alpha %g, gamma %g, epsilon %g, kappa %g\n", o.runs, o.seed,
         o.alpha, o.gamma, o.epsilon, o.kappa);

  /* run every (algorithm, n) pair */
  curve c[2 * MAX_N];
  int nc = 0;
  double t_start = mbrl_time_now();
  for (int plus = 0; plus < 2; plus++) {
    if (!(algo & (1 << plus))) continue;
    for (int k = 0; k < o.n_count; k++, nc++) {
      curve *cv = &c[nc];
      cv->plus = plus;
      cv->n = o.n[k];
      if (plus)
        snprintf(cv->label, sizeof cv->label, "Dyna-Q+, n = %d, κ = %g", o.n[k], o.kappa);
      else
        snprintf(cv->label, sizeof cv->label, "Dyna-Q, n = %d%s", o.n[k],
                 o.n[k] == 0 ? " (direct RL only)" : "");
      snprintf(cv->column, sizeof cv->column, "%s_n%d", plus ? "dyna_q_plus" : "dyna_q", o.n[k]);
      cv->y = mbrl_alloc(sizeof(double) * (size_t)len);
      mbrl_dyna_config cfg = {.alpha = o.alpha, .gamma = o.gamma, .epsilon = o.epsilon,
                              .n = o.n[k], .plus = plus, .kappa = o.kappa};
      double t0 = mbrl_time_now();
      if (changing) {
        mbrl_dyna_experiment_steps(&m, &cfg, o.seed, o.runs, T, cv->y);
        int cs = m.change_step < T ? m.change_step : T;
        printf("%-32s cumulative reward %7.1f at the change (step %d), %7.1f at step %d  (%.2f s)\n",
               cv->label, cs > 0 ? cv->y[cs - 1] : 0.0, cs, cv->y[T - 1], T, mbrl_time_now() - t0);
      } else {
        int stopped = mbrl_dyna_experiment_episodes(&m, &cfg, o.seed, o.runs, o.episodes,
                                                     o.max_steps, cv->y);
        /* first episode from which every later mean stays within 1.5x the shortest path */
        int near = -1;
        for (int e = len - 1; e >= 0 && cv->y[e] <= 1.5 * shortest; e--) near = e + 1;
        printf("%-32s mean steps: episode 1 %6.1f, 2 %6.1f, %d %6.1f; within 1.5x shortest from "
               "episode %d  (%.2f s)\n",
               cv->label, cv->y[0], len > 1 ? cv->y[1] : cv->y[0], len, cv->y[len - 1], near,
               mbrl_time_now() - t0);
        if (stopped)
          fprintf(stderr, "mbrl dyna: %s: %d episodes stopped at --max-steps %d\n", cv->label,
                  stopped, o.max_steps);
      }
    }
  }
  double wall = mbrl_time_now() - t_start;

  /* CSV and PNG */
  char csv[1024], png[1024];
  snprintf(csv, sizeof csv, "%s.csv", o.out);
  snprintf(png, sizeof png, "%s.png", o.out);
  rc = write_csv(csv, changing ? "step" : "episode", c, nc, len, 1);
  if (!rc) {
    mbrl_plot *p = mbrl_plot_init(1, 1);
    double *x = mbrl_alloc(sizeof(double) * (size_t)len);
    for (int t = 0; t < len; t++) x[t] = t + 1;
    char title[160];
    double ymax = 0;
    if (changing) {
      snprintf(title, sizeof title, "%s: cumulative reward, mean of %d runs", m.name, o.runs);
      mbrl_plot_labels(p, 0, title, "time step", "cumulative reward");
      for (int k = 0; k < nc; k++) {
        mbrl_plot_line(p, 0, x, c[k].y, len, c[k].label, MBRL_PLOT_AUTO, MBRL_PLOT_SOLID);
        ymax = fmax(ymax, c[k].y[len - 1]);
      }
      if (m.change_step < T) {
        double vx[2] = {m.change_step, m.change_step}, vy[2] = {0, ymax};
        mbrl_plot_line(p, 0, vx, vy, 2, "walls change", 0x555555, MBRL_PLOT_DASHED);
      }
      mbrl_plot_limits(p, 0, 0, T, 0, NAN);
      mbrl_plot_legend(p, 0, MBRL_PLOT_LEGEND_TOP_LEFT);
    } else {
      /* like the book's Figure 8.2: from episode 2, the first being alike for every n */
      int from = len > 1 ? 1 : 0;
      snprintf(title, sizeof title, "%s: steps per episode, mean of %d runs", m.name, o.runs);
      mbrl_plot_labels(p, 0, title, "episode", "steps per episode");
      for (int k = 0; k < nc; k++) {
        mbrl_plot_line(p, 0, x + from, c[k].y + from, len - from, c[k].label, MBRL_PLOT_AUTO,
                       MBRL_PLOT_SOLID);
        for (int e = from; e < len; e++) ymax = fmax(ymax, c[k].y[e]);
      }
      char lab[64];
      snprintf(lab, sizeof lab, "shortest path (%d)", shortest);
      double hx[2] = {x[from], x[len - 1]}, hy[2] = {shortest, shortest};
      mbrl_plot_line(p, 0, hx, hy, 2, lab, 0x555555, MBRL_PLOT_DASHED);
      mbrl_plot_limits(p, 0, x[from], x[len - 1], 0, NAN);
    }
    if (mbrl_plot_save(p, png, o.width, o.height, err, sizeof err)) {
      fprintf(stderr, "mbrl dyna: %s\n", err);
      rc = 1;
    }
    mbrl_free(x);
    mbrl_plot_free(p);
  }
  if (!rc) printf("wrote %s and %s; wall time %.2f s\n", csv, png, wall);
  for (int k = 0; k < nc; k++) mbrl_free(c[k].y);
  mbrl_maze_free(&m);
  return rc;
}

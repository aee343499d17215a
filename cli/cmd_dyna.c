/* mbrl dyna: tabular Dyna-Q / Dyna-Q+ on a maze file, averaged over runs, written as CSV and PNG
 * (steps per episode for a fixed maze, cumulative reward for a maze whose walls change). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/core.h"
#include "mbrl/dyna.h"
#include "mbrl/env.h"
#include "mbrl/maze.h"
#include "mbrl/plot.h"

#define MAX_N 16

typedef struct {
  const char *maze, *out, *n_text, *algo_text, *size;
  int n[MAX_N], n_count;
  int runs, episodes, steps, max_steps, threads, seed, width, height;
  int algo; /* bit 0: Dyna-Q, bit 1: Dyna-Q+; 0 = by maze */
  mbrl_dyna_config cfg; /* alpha, gamma, epsilon, kappa; n and plus per curve */
} options;

static int bad(const char *name, const char *val, const char *want) {
  fprintf(stderr, "mbrl dyna: %s needs %s, got '%s'\n", name, want, val);
  return 2;
}

/* reads the flags into o; returns 0, 1 after --help, or 2 after printing a usage error */
static int parse_flags(options *o, int argc, char **argv) {
  flag flags[] = {
      {"--maze", NULL, FLAG_STRING, &o->maze, 0, 0,
       "a shipped maze (dyna, blocking, shortcut) or a maze file path (format in include/mbrl/maze.h)"},
      {"--n", NULL, FLAG_STRING, &o->n_text, 0, 0, "planning steps per real step, comma separated"},
      {"--runs", NULL, FLAG_INT, &o->runs, 1, 100000, "independent runs averaged"},
      {"--episodes", NULL, FLAG_INT, &o->episodes, 1, 1000000, "episodes per run, fixed mazes"},
      {"--steps", NULL, FLAG_INT, &o->steps, 0, 100000000, "time steps per run, changing mazes (0: the maze's)"},
      {"--algo", NULL, FLAG_STRING, &o->algo_text, 0, 0,
       "q, plus or both (none: q for a fixed maze, both for a changing one)"},
      flags_field(&mbrl_dyna_table, &o->cfg, "alpha"),
      flags_field(&mbrl_dyna_table, &o->cfg, "gamma"),
      flags_field(&mbrl_dyna_table, &o->cfg, "epsilon"),
      flags_field(&mbrl_dyna_table, &o->cfg, "kappa"),
      {"--max-steps", NULL, FLAG_INT, &o->max_steps, 1, 1000000000, "cap on the steps of one episode"},
      {"--seed", NULL, FLAG_INT, &o->seed, 0, 2147483647, "seed; run i uses stream (seed, i)"},
      {"--threads", NULL, FLAG_INT, &o->threads, 0, 1024, "threads over runs (0: all cores; results do not depend on it)"},
      {"--size", NULL, FLAG_STRING, &o->size, 0, 0, "PNG size in pixels, WIDTHxHEIGHT"},
      {"--out", NULL, FLAG_STRING, &o->out, 0, 0, "output prefix: PREFIX.csv and PREFIX.png"},
  };
  int rc = flags_parse("dyna",
                       "Runs tabular Dyna-Q (and Dyna-Q+) on a maze, averaged over runs, and writes PREFIX.csv and\n"
                       "PREFIX.png: steps per episode against episode for a fixed maze, cumulative reward against\n"
                       "time step for a maze whose walls change.",
                       flags, (int)(sizeof flags / sizeof *flags), argc, argv);
  if (rc) return rc;
  if (!*o->out) return bad("--out", o->out, "a file prefix");
  o->n_count = 0;
  for (const char *p = o->n_text;;) {
    char *end;
    errno = 0;
    long x = strtol(p, &end, 10);
    if (end == p || errno || x < 0 || x > 100000 || o->n_count == MAX_N || (*end && *end != ','))
      return bad("--n", o->n_text, "up to 16 comma-separated integers in 0..100000");
    o->n[o->n_count++] = (int)x;
    if (!*end) break;
    p = end + 1;
  }
  if (o->algo_text) {
    o->algo = !strcmp(o->algo_text, "q") ? 1 : !strcmp(o->algo_text, "plus") ? 2 : !strcmp(o->algo_text, "both") ? 3 : 0;
    if (!o->algo) return bad("--algo", o->algo_text, "q, plus or both");
  }
  int used = 0;
  if (sscanf(o->size, "%dx%d%n", &o->width, &o->height, &used) != 2 || o->size[used] || o->width < 16 ||
      o->height < 16 || o->width > 16384 || o->height > 16384)
    return bad("--size", o->size, "WIDTHxHEIGHT, each 16..16384");
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
  options o = {.maze = "dyna", .out = "dyna", .n_text = "0,5,50", .size = "800x500", .runs = 30,
               .episodes = 50, .max_steps = 100000, .seed = 1, .cfg = mbrl_dyna_defaults()};
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
  printf("\nruns %d, seed %d, alpha %g, gamma %g, epsilon %g, kappa %g\n", o.runs, o.seed, o.cfg.alpha,
         o.cfg.gamma, o.cfg.epsilon, o.cfg.kappa);

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
        snprintf(cv->label, sizeof cv->label, "Dyna-Q+, n = %d, κ = %g", o.n[k], o.cfg.kappa);
      else
        snprintf(cv->label, sizeof cv->label, "Dyna-Q, n = %d%s", o.n[k],
                 o.n[k] == 0 ? " (direct RL only)" : "");
      snprintf(cv->column, sizeof cv->column, "%s_n%d", plus ? "dyna_q_plus" : "dyna_q", o.n[k]);
      cv->y = mbrl_alloc(sizeof(double) * (size_t)len);
      mbrl_dyna_config cfg = o.cfg;
      cfg.n = o.n[k], cfg.plus = plus;
      double t0 = mbrl_time_now();
      if (changing) {
        mbrl_dyna_experiment_steps(&m, &cfg, (uint64_t)o.seed, o.runs, T, cv->y);
        int cs = m.change_step < T ? m.change_step : T;
        printf("%-32s cumulative reward %7.1f at the change (step %d), %7.1f at step %d  (%.2f s)\n",
               cv->label, cs > 0 ? cv->y[cs - 1] : 0.0, cs, cv->y[T - 1], T, mbrl_time_now() - t0);
      } else {
        int stopped = mbrl_dyna_experiment_episodes(&m, &cfg, (uint64_t)o.seed, o.runs, o.episodes,
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
    mbrl_plot *p = mbrl_plot_make(1, 1);
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

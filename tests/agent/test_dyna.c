/* Tests of the grid mazes and tabular Dyna-Q / Dyna-Q+: the shipped mazes, the parser's
 * line-numbered errors, the agent's updates and planning, the book's results, and mbrl dyna. */
#include <criterion/criterion.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbrl/core.h"
#include "mbrl/dyna.h"
#include "mbrl/env.h"
#include "mbrl/maze.h"

#define DYNA_MAZE_TEXT \
  "; Sutton & Barto Example 8.1\n" \
  "maze 6 9\n"                     \
  ".......#G\n"                    \
  "..#....#.\n"                    \
  "S.#....#.\n"                    \
  "..#......\n"                    \
  ".....#...\n"                    \
  ".........\n"

static void load_asset(mbrl_maze *m, const char *name) {
  char file[64], path[512], err[512] = "";
  snprintf(file, sizeof file, "mazes/%s.txt", name);
  cr_assert_eq(mbrl_env_asset_path(file, path, sizeof path, err, sizeof err), 0, "%s", err);
  int rc = mbrl_maze_load(m, path, err, sizeof err);
  cr_assert_eq(rc, 0, "loading %s: %s", path, err);
}

/* ---- mazes ---------------------------------------------------------------------------------- */

Test(dyna_maze, dyna_maze_facts_and_bfs_shortest_path_is_14) {
  mbrl_maze m;
  load_asset(&m, "dyna");
  cr_assert_eq(m.rows, 6);
  cr_assert_eq(m.cols, 9);
  cr_assert_eq(m.start, 2 * 9 + 0);
  cr_assert_eq(m.goal, 0 * 9 + 8);
  cr_assert_eq(mbrl_maze_open_cells(&m, m.walls), 47);
  cr_assert_eq(m.change_step, -1);
  cr_assert_null(m.walls_after);
  cr_assert_eq(mbrl_maze_shortest_path(&m, m.walls), 14);
  /* the shipped file and the text in this test are the same maze */
  mbrl_maze t;
  cr_assert_eq(mbrl_maze_parse(&t, DYNA_MAZE_TEXT, "inline", NULL, 0), 0);
  cr_assert_eq(memcmp(t.walls, m.walls, 54), 0);
  mbrl_maze_free(&t);
  mbrl_maze_free(&m);
}

Test(dyna_maze, changing_mazes_parse_with_their_change) {
  mbrl_maze b, s;
  load_asset(&b, "blocking");
  load_asset(&s, "shortcut");
  cr_assert_eq(b.change_step, 1000);
  cr_assert_eq(b.steps, 3000);
  cr_assert_eq(s.change_step, 3000);
  cr_assert_eq(s.steps, 6000);
  /* blocking: the short way closes; shortcut: a shorter way opens */
  cr_assert_eq(mbrl_maze_shortest_path(&b, b.walls), 10);
  cr_assert_eq(mbrl_maze_shortest_path(&b, b.walls_after), 16);
  cr_assert_eq(mbrl_maze_shortest_path(&s, s.walls), 16);
  cr_assert_eq(mbrl_maze_shortest_path(&s, s.walls_after), 10);
  cr_assert_eq(mbrl_maze_walls_at(&b, 999), b.walls);
  cr_assert_eq(mbrl_maze_walls_at(&b, 1000), b.walls_after);
  mbrl_maze_free(&b);
  mbrl_maze_free(&s);
}

Test(dyna_maze, moves_stop_at_walls_and_edges) {
  mbrl_maze m;
  cr_assert_eq(mbrl_maze_parse(&m, DYNA_MAZE_TEXT, NULL, NULL, 0), 0);
  int s = m.start; /* (2, 0) */
  cr_assert_eq(mbrl_maze_next(&m, m.walls, s, MBRL_MAZE_LEFT), s);          /* edge */
  cr_assert_eq(mbrl_maze_next(&m, m.walls, s, MBRL_MAZE_UP), 1 * 9 + 0);
  cr_assert_eq(mbrl_maze_next(&m, m.walls, s, MBRL_MAZE_DOWN), 3 * 9 + 0);
  cr_assert_eq(mbrl_maze_next(&m, m.walls, 2 * 9 + 1, MBRL_MAZE_RIGHT), 2 * 9 + 1); /* wall */
  cr_assert_eq(mbrl_maze_next(&m, m.walls, 0 * 9 + 8, MBRL_MAZE_UP), 0 * 9 + 8);
  mbrl_maze_free(&m);
}

/* a malformed text, the line its error must name, and a word the message must hold */
typedef struct {
  const char *text;
  int line;
  const char *what;
} bad_case;

Test(dyna_maze, parser_rejects_malformed_files_with_the_line_number) {
  static const bad_case cases[] = {
      {"maze 2 3\nS..\n..G\nfoo 1\n", 4, "unknown"},
      {"; c\nmaze 2\nS..\n..G\n", 2, "'maze' needs"},
      {"maze 0 3\n", 1, "'maze' needs"},
      {"maze 2 3 4\nS..\n..G\n", 1, "'maze' needs"},
      {"maze 2 3\nS..\n..\n", 3, "has 2 characters, expected 3"},
      {"maze 2 3\nS..\n..G.\n", 3, "has 4 characters"},
      {"maze 2 3\nS.x\n..G\n", 2, "unexpected character 'x' in column 3"},
      {"maze 2 3\nS.S\n..G\n", 2, "second 'S'"},
      {"\n\nmaze 2 3\nS..\n...\n", 5, "no goal"},
      {"maze 2 3\n...\n..G\n", 3, "no start"},
      {"maze 3 3\nS..\n..G\n", 3, "ends after 2 of 3 grid rows"},
      {"maze 2 3\nS#.\n#.G\n", 1, "cannot be reached"},
      {"change 5\n", 1, "after the 'maze'"},
      {"maze 2 3\nS..\n..G\nchange x\nS..\n..G\n", 4, "'change' needs"},
      {"maze 2 3\nS..\n..G\nchange 5\n.S.\n..G\n", 4, "start or the goal"},
      {"maze 2 3\nS..\n..G\nchange 5\nS..\n..G\nchange 6\nS..\n..G\n", 7, "second 'change'"},
      {"maze 2 3\nS..\n..G\nmaze 2 3\nS..\n..G\n", 4, "second 'maze'"},
      {"maze 2 3\nS..\n..G\nsteps -3\n", 4, "'steps' needs"},
      {"; only a comment\n\n", 2, "no 'maze"},
      {"", 1, "no 'maze"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    mbrl_maze m;
    char err[512] = "", want[32];
    int rc = mbrl_maze_parse(&m, cases[i].text, "bad.txt", err, sizeof err);
    cr_assert_eq(rc, MBRL_EFORMAT, "case %zu was accepted", i);
    snprintf(want, sizeof want, "bad.txt:%d: ", cases[i].line);
    cr_assert(strncmp(err, want, strlen(want)) == 0, "case %zu: '%s' does not start with '%s'", i,
              err, want);
    cr_assert(strstr(err, cases[i].what) != NULL, "case %zu: '%s' lacks '%s'", i, err,
              cases[i].what);
    cr_assert_null(m.walls);
  }
}

Test(dyna_maze, load_reports_missing_file_and_names_the_path_in_errors) {
  mbrl_maze m;
  char err[512] = "";
  cr_assert_eq(mbrl_maze_load(&m, "/nonexistent/maze.txt", err, sizeof err), MBRL_EIO);
  cr_assert(strstr(err, "/nonexistent/maze.txt") != NULL);
  char path[128];
  snprintf(path, sizeof path, "/tmp/mbrl_test_maze_%ld.txt", (long)getpid());
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs("name tiny\r\nmaze 1 3\r\nS.G\r\nmaze 1 3\r\n", f); /* CRLF lines are fine */
  fclose(f);
  cr_assert_eq(mbrl_maze_load(&m, path, err, sizeof err), MBRL_EFORMAT);
  char want[160];
  snprintf(want, sizeof want, "%s:4: ", path);
  cr_assert(strncmp(err, want, strlen(want)) == 0, "%s", err);
  remove(path);
}

/* ---- agent ---------------------------------------------------------------------------------- */

Test(dyna_agent, greedy_breaks_ties_at_random) {
  mbrl_dyna_config c = mbrl_dyna_defaults();
  mbrl_dyna d;
  mbrl_dyna_init(&d, 3, 4, &c);
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  int count[4] = {0};
  for (int i = 0; i < 4000; i++) count[mbrl_dyna_greedy(&d, 1, &r)]++;
  for (int a = 0; a < 4; a++) cr_assert(count[a] > 850 && count[a] < 1150, "action %d: %d", a, count[a]);
  /* a strict maximum always wins */
  d.q[1 * 4 + 2] = 0.5;
  for (int i = 0; i < 100; i++) cr_assert_eq(mbrl_dyna_greedy(&d, 1, &r), 2);
  mbrl_dyna_free(&d);
  mbrl_dyna_free(NULL);
}

Test(dyna_agent, planning_replays_only_what_was_observed) {
  /* one real transition (0, right) -> 1 with reward 1, then n planning updates of that pair */
  mbrl_dyna_config c = mbrl_dyna_defaults();
  c.n = 20;
  mbrl_dyna d;
  mbrl_dyna_init(&d, 4, 4, &c);
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_dyna_observe(&d, 0, MBRL_MAZE_RIGHT, 1.0, 1, 1, &r);
  cr_assert_eq(d.time, 1);
  cr_assert_eq(d.model_next[0 * 4 + MBRL_MAZE_RIGHT], 1);
  cr_assert_float_eq(d.model_reward[0 * 4 + MBRL_MAZE_RIGHT], 1.0, 0);
  /* Q after 21 updates of alpha 0.1 toward 1: 1 - 0.9^21 */
  double want = 1.0;
  for (int k = 0; k < 21; k++) want *= 0.9;
  cr_assert_float_eq(d.q[0 * 4 + MBRL_MAZE_RIGHT], 1.0 - want, 1e-12);
  for (int i = 0; i < 16; i++)
    if (i != MBRL_MAZE_RIGHT) cr_assert_float_eq(d.q[i], 0.0, 0, "pair %d was planned", i);
  mbrl_dyna_free(&d);
}

Test(dyna_agent, dyna_q_plus_plans_untried_actions_with_a_bonus) {
  mbrl_dyna_config c = mbrl_dyna_defaults();
  c.n = 50;
  c.plus = 1;
  c.kappa = 0.01;
  mbrl_dyna d;
  mbrl_dyna_init(&d, 4, 4, &c);
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  /* a few real steps elsewhere first, so tau of the untried actions of state 0 is large */
  for (int t = 0; t < 30; t++) mbrl_dyna_observe(&d, 3, MBRL_MAZE_DOWN, 0.0, 3, 0, &r);
  mbrl_dyna_observe(&d, 0, MBRL_MAZE_RIGHT, 0.0, 1, 0, &r);
  /* untried actions in state 0 are modelled as staying put, and their bonus makes them positive */
  cr_assert_eq(d.model_next[0 * 4 + MBRL_MAZE_UP], 0);
  cr_assert(d.q[0 * 4 + MBRL_MAZE_UP] > 0);
  cr_assert(d.q[0 * 4 + MBRL_MAZE_LEFT] > 0);
  mbrl_dyna_free(&d);
  /* plain Dyna-Q leaves them alone */
  c.plus = 0;
  mbrl_dyna_init(&d, 4, 4, &c);
  for (int t = 0; t < 30; t++) mbrl_dyna_observe(&d, 3, MBRL_MAZE_DOWN, 0.0, 3, 0, &r);
  mbrl_dyna_observe(&d, 0, MBRL_MAZE_RIGHT, 0.0, 1, 0, &r);
  cr_assert_eq(d.model_next[0 * 4 + MBRL_MAZE_UP], -1);
  cr_assert_float_eq(d.q[0 * 4 + MBRL_MAZE_UP], 0.0, 0);
  mbrl_dyna_free(&d);
}

Test(dyna_agent, greedy_path_is_14_after_10_episodes_with_n_50) {
  mbrl_maze m;
  load_asset(&m, "dyna");
  mbrl_dyna_config c = mbrl_dyna_defaults();
  c.n = 50;
  mbrl_dyna d;
  mbrl_dyna_init(&d, m.rows * m.cols, MBRL_MAZE_ACTIONS, &c);
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  int steps[10];
  cr_assert_eq(mbrl_dyna_episodes(&d, &m, 10, 100000, steps, &r), 0);
  /* greedy with random ties: every tie-break must give a shortest path */
  for (int k = 0; k < 20; k++) cr_assert_eq(mbrl_dyna_greedy_path(&d, &m, 200, &r), 14);
  mbrl_dyna_free(&d);
  mbrl_maze_free(&m);
}

/* shortest start-goal path using only the pairs the agent has tried, per its learned model */
static int model_shortest_path(const mbrl_dyna *d, const mbrl_maze *m) {
  int dist[64], queue[64], head = 0, tail = 0;
  for (int i = 0; i < 64; i++) dist[i] = -1;
  dist[m->start] = 0;
  queue[tail++] = m->start;
  while (head < tail) {
    int s = queue[head++];
    for (int a = 0; a < MBRL_MAZE_ACTIONS; a++) {
      int s2 = d->model_next[s * MBRL_MAZE_ACTIONS + a];
      if (d->last_tried[s * MBRL_MAZE_ACTIONS + a] >= 0 && dist[s2] < 0) {
        dist[s2] = dist[s] + 1;
        queue[tail++] = s2;
      }
    }
  }
  return dist[m->goal];
}

Test(dyna_agent, planning_makes_greedy_optimal_for_the_learned_model) {
  /* whatever the seed, after 20 episodes with n = 50 the greedy path is the best path the learned
   * model knows; it is 14 unless exploration missed a pair of every 14-step path */
  mbrl_maze m;
  load_asset(&m, "dyna");
  mbrl_dyna_config c = mbrl_dyna_defaults();
  c.n = 50;
  int fourteen = 0;
  for (uint64_t seed = 0; seed < 12; seed++) {
    mbrl_dyna d;
    mbrl_dyna_init(&d, m.rows * m.cols, MBRL_MAZE_ACTIONS, &c);
    mbrl_rng r;
    mbrl_rng_init(&r, seed, 0);
    int steps[20];
    mbrl_dyna_episodes(&d, &m, 20, 100000, steps, &r);
    int greedy = mbrl_dyna_greedy_path(&d, &m, 200, &r), best = model_shortest_path(&d, &m);
    cr_assert_eq(greedy, best, "seed %d: greedy %d, learned model's best %d", (int)seed, greedy, best);
    cr_assert_geq(greedy, 14);
    fourteen += greedy == 14;
    mbrl_dyna_free(&d);
  }
  cr_assert_geq(fourteen, 6);
  mbrl_maze_free(&m);
}

Test(dyna_agent, figure_8_2_shape_more_planning_learns_faster) {
  /* steps per episode averaged over 30 runs, 50 episodes (Sutton & Barto Figure 8.2) */
  mbrl_maze m;
  load_asset(&m, "dyna");
  double mean[3][50];
  int ns[3] = {0, 5, 50};
  for (int k = 0; k < 3; k++) {
    mbrl_dyna_config c = mbrl_dyna_defaults();
    c.n = ns[k];
    cr_assert_eq(mbrl_dyna_experiment_episodes(&m, &c, 1, 30, 50, 100000, mean[k]), 0);
  }
  /* n = 50 is near the shortest path by episode 3, n = 5 by episode 6, n = 0 far later */
  cr_assert_lt(mean[2][2], 21.0, "n=50 episode 3: %g", mean[2][2]);
  cr_assert_lt(mean[1][5], 21.0, "n=5 episode 6: %g", mean[1][5]);
  cr_assert_gt(mean[0][9], 60.0, "n=0 episode 10: %g", mean[0][9]);
  for (int k = 0; k < 3; k++)
    for (int e = 30; e < 50; e++) cr_assert(mean[k][e] >= 14 && mean[k][e] < 21, "n=%d ep %d: %g", ns[k], e + 1, mean[k][e]);
  /* episode 2: more planning, fewer steps */
  cr_assert(mean[2][1] < mean[1][1] && mean[1][1] < mean[0][1]);
  mbrl_maze_free(&m);
}

Test(dyna_agent, results_do_not_depend_on_the_thread_count) {
  mbrl_maze m;
  load_asset(&m, "dyna");
  mbrl_dyna_config c = mbrl_dyna_defaults();
  c.n = 5;
  double a[20], b[20];
  int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  mbrl_dyna_experiment_episodes(&m, &c, 9, 6, 20, 100000, a);
  omp_set_num_threads(2);
  mbrl_dyna_experiment_episodes(&m, &c, 9, 6, 20, 100000, b);
  omp_set_num_threads(saved);
  cr_assert_eq(memcmp(a, b, sizeof a), 0);
  mbrl_maze_free(&m);
}

Test(dyna_agent, dyna_q_plus_beats_dyna_q_on_the_shortcut_maze) {
  mbrl_maze m;
  load_asset(&m, "shortcut");
  mbrl_dyna_config c = mbrl_dyna_defaults();
  c.alpha = 1.0;
  c.n = 20;
  c.kappa = 1e-3;
  double *q = mbrl_alloc(sizeof(double) * (size_t)m.steps);
  double *plus = mbrl_alloc(sizeof(double) * (size_t)m.steps);
  mbrl_dyna_experiment_steps(&m, &c, 3, 6, m.steps, q);
  c.plus = 1;
  mbrl_dyna_experiment_steps(&m, &c, 3, 6, m.steps, plus);
  int T = m.steps, ch = m.change_step;
  cr_assert_gt(plus[T - 1], q[T - 1] + 20, "Dyna-Q+ %g, Dyna-Q %g", plus[T - 1], q[T - 1]);
  /* after the change Dyna-Q+ gathers reward faster: it found the shortcut */
  cr_assert_gt(plus[T - 1] - plus[ch - 1], 1.15 * (q[T - 1] - q[ch - 1]));
  /* cumulative reward never falls */
  for (int t = 1; t < T; t++) cr_assert_geq(plus[t], plus[t - 1]);
  mbrl_free(q);
  mbrl_free(plus);
  mbrl_maze_free(&m);
}

/* ---- the mbrl dyna command ------------------------------------------------------------------- */

/* runs the mbrl binary named by $MBRL_BIN with arguments; returns its exit status */
static int run_cli(const char *args, const char *out_file) {
  const char *bin = getenv("MBRL_BIN");
  if (!bin) cr_skip_test("MBRL_BIN is not set (make test sets it)");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s dyna %s > %s 2>&1", bin, args, out_file);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_contains(const char *path, const char *what) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return strstr(buf, what) != NULL;
}

Test(dyna_cli, writes_csv_and_png) {
  char prefix[128], args[512], log[160], csv[160], png[160];
  snprintf(prefix, sizeof prefix, "/tmp/mbrl_test_dyna_%ld", (long)getpid());
  snprintf(log, sizeof log, "%s.log", prefix);
  snprintf(csv, sizeof csv, "%s.csv", prefix);
  snprintf(png, sizeof png, "%s.png", prefix);
  snprintf(args, sizeof args, "--runs 3 --episodes 8 --n 0,10 --out %s --size 320x200", prefix);
  cr_assert_eq(run_cli(args, log), 0);
  cr_assert(file_contains(csv, "episode,dyna_q_n0,dyna_q_n10\n1,"));
  cr_assert(file_contains(log, "shortest path 14"));
  FILE *f = fopen(png, "rb");
  cr_assert_not_null(f);
  unsigned char b[24];
  cr_assert_eq(fread(b, 1, 24, f), 24);
  fclose(f);
  cr_assert_eq(memcmp(b + 1, "PNG", 3), 0);
  cr_assert_eq(b[18] << 8 | b[19], 320);
  /* a changing maze gives cumulative reward per time step for Dyna-Q and Dyna-Q+ */
  snprintf(args, sizeof args, "--maze shortcut --runs 2 --steps 3500 --n 5 --out %s", prefix);
  cr_assert_eq(run_cli(args, log), 0);
  cr_assert(file_contains(csv, "step,dyna_q_n5,dyna_q_plus_n5\n1,"));
  remove(csv);
  remove(png);
  remove(log);
}

Test(dyna_cli, bad_flags_exit_2_and_bad_maze_files_name_the_line) {
  char log[128], maze[128], args[512];
  snprintf(log, sizeof log, "/tmp/mbrl_test_dyna_cli_%ld.log", (long)getpid());
  snprintf(maze, sizeof maze, "/tmp/mbrl_test_dyna_cli_%ld.txt", (long)getpid());
  cr_assert_eq(run_cli("--runs zero", log), 2);
  cr_assert(file_contains(log, "--runs"));
  cr_assert_eq(run_cli("--bogus 1", log), 2);
  cr_assert_eq(run_cli("--n 1,,2", log), 2);
  cr_assert_eq(run_cli("--maze nosuchmaze", log), 2);
  cr_assert_eq(run_cli("--help", log), 0);
  cr_assert(file_contains(log, "usage: mbrl dyna"));
  FILE *f = fopen(maze, "w");
  cr_assert_not_null(f);
  fputs("maze 2 3\nS..\n.?G\n", f);
  fclose(f);
  snprintf(args, sizeof args, "--maze %s --runs 1", maze);
  cr_assert_eq(run_cli(args, log), 1);
  char want[160];
  snprintf(want, sizeof want, "%s:3: unexpected character '?'", maze);
  cr_assert(file_contains(log, want));
  remove(maze);
  remove(log);
}

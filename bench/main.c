/* mbrl benchmarks: runs every group, or those named on the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "mbrl/core.h"

typedef struct {
  const char *name;
  void (*run)(int threads);
} group;

static const group groups[] = {
    {"nn", bench_nn},
    {"env", bench_env},
    {"plan", bench_plan},
    {"sac", bench_sac},
    {"video", bench_video},
};

int bench_quick = 0;

double bench_best_time(int reps, void (*fn)(void *), void *ctx) {
  if (bench_quick) reps = 1;
  fn(ctx);
  double best = 1e30;
  for (int r = 0; r < reps; r++) {
    double t0 = mbrl_time_now();
    fn(ctx);
    double dt = mbrl_time_now() - t0;
    if (dt < best) best = dt;
  }
  return best;
}

void bench_row(const char *what, double measured, double limit, const char *unit) {
  printf("%-46s %10.2f %-9s limit %10.2f %-9s ratio %5.2f\n", what, measured, unit, limit, unit,
         limit > 0 ? measured / limit : 0.0);
  fflush(stdout);
}

int main(int argc, char **argv) {
  int threads = 0;
  const char *only[16];
  int n_only = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--quick"))
      bench_quick = 1;
    else if (n_only < 16)
      only[n_only++] = argv[i];
  }
  mbrl_threads_set(threads);
  printf("mbrl bench: %d threads\n", mbrl_threads_get());
  for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
    int pick = n_only == 0;
    for (int k = 0; k < n_only; k++) pick |= !strcmp(only[k], groups[g].name);
    if (pick) groups[g].run(mbrl_threads_get());
  }
  return 0;
}

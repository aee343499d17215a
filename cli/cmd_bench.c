/* mbrl bench: runs every benchmark group, or those named, and prints a table of figures, each
 * beside the limit it is measured against, or the same rows as JSON. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/bench.h"
#include "cli.h"
#include "flags.h"
#include "mbrl/core.h"
#include "mbrl/nn.h"

typedef struct {
  const char *name;
  void (*run)(int threads);
} group;

static const group groups[] = {
    {"nn", bench_nn}, {"env", bench_env}, {"plan", bench_plan}, {"sac", bench_sac}, {"video", bench_video},
};

int bench_quick = 0;
static FILE *say_to;    /* notes: stdout, or stderr when the rows go out as JSON */
static cJSON *rows;     /* the rows, when they go out as JSON */

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

void bench_say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(say_to, fmt, ap);
  va_end(ap);
  fflush(say_to);
}

void bench_row(const char *what, double measured, double limit, const char *unit) {
  double ratio = limit > 0 ? measured / limit : 0.0;
  if (rows) {
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "what", what);
    cJSON_AddNumberToObject(r, "measured", measured);
    cJSON_AddNumberToObject(r, "limit", limit);
    cJSON_AddStringToObject(r, "unit", unit);
    cJSON_AddNumberToObject(r, "ratio", ratio);
    cJSON_AddItemToArray(rows, r);
  }
  bench_say("%-46s %10.2f %-9s limit %10.2f %-9s ratio %5.2f\n", what, measured, unit, limit, unit, ratio);
}

int mbrl_cmd_bench(int argc, char **argv) {
  int threads = 0, json = 0;
  flag_list only = {0};
  only.v = calloc((size_t)argc + 1, sizeof *only.v);
  only.cap = argc;
  const flag fl[] = {
      {"--threads", NULL, FLAG_INT, &threads, 0, 1024, "threads for float work (0: all cores)"},
      {"--quick", NULL, FLAG_BOOL, &bench_quick, 0, 0,
       "run everything once with a small matmul: checks that the benchmarks run; figures mean nothing"},
      {"--json", NULL, FLAG_BOOL, &json, 0, 0,
       "print the rows as a JSON document on stdout (notes go to stderr)"},
  };
  int rc = flags_parse_args("bench", "[GROUP...]",
                            "benchmarks, each figure beside the limit it is measured against and the ratio;\n"
                            "groups: nn env plan sac video (default: all)",
                            fl, (int)(sizeof fl / sizeof *fl), argc, argv, &only);
  if (rc) {
    free(only.v);
    return rc == 1 ? 0 : rc;
  }
  for (int k = 0; k < only.n; k++) {
    int known = 0;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) known |= !strcmp(only.v[k], groups[g].name);
    if (!known) {
      fprintf(stderr, "mbrl bench: unknown group '%s' (nn env plan sac video)\n", only.v[k]);
      free(only.v);
      return 2;
    }
  }
  say_to = json ? stderr : stdout;
  cJSON *doc = NULL;
  if (json) {
    doc = cJSON_CreateObject();
    rows = cJSON_AddArrayToObject(doc, "rows");
  }
  mbrl_threads_set(threads);
  bench_say("mbrl bench: %d threads, %s\n", mbrl_threads_get(), mbrl_backend_info());
  for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
    int pick = only.n == 0;
    for (int k = 0; k < only.n; k++) pick |= !strcmp(only.v[k], groups[g].name);
    if (pick) groups[g].run(mbrl_threads_get());
  }
  if (doc) {
    cJSON_AddNumberToObject(doc, "threads", mbrl_threads_get());
    cJSON_AddStringToObject(doc, "backend", mbrl_backend_info());
    cJSON_AddBoolToObject(doc, "quick", bench_quick);
    char *text = cJSON_Print(doc);
    printf("%s\n", text);
    free(text);
    cJSON_Delete(doc);
    rows = NULL;
  }
  free(only.v);
  return 0;
}

/* mbrl plot: compares runs by drawing columns of their metrics.csv into one PNG, one line per run
 * and one panel per column. */
#include <stdio.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/core.h"
#include "mbrl/runplot.h"

int mbrl_cmd_plot(int argc, char **argv) {
  const char *x = "Train_EnvstepsSoFar", *out = "plot.png", *title = NULL;
  /* every list can hold all of argv */
  const char **store = mbrl_alloc(sizeof(char *) * 3 * (size_t)argc);
  flag_list tags = {store, 1, argc}, labels = {store + argc, 0, argc}, runs = {store + 2 * argc, 0, argc};
  tags.v[0] = "Eval_AverageReturn";
  const flag flags[] = {
      {"--tag", NULL, FLAG_LIST, &tags, 0, 0, "column drawn on y, one panel each (repeatable)"},
      {"--x", NULL, FLAG_STRING, &x, 0, 0, "column drawn on x"},
      {"--out", "-o", FLAG_STRING, &out, 0, 0, "PNG file written"},
      {"--title", NULL, FLAG_STRING, &title, 0, 0, "figure title"},
      {"--label", NULL, FLAG_LIST, &labels, 0, 0,
       "legend label of each run in order (repeatable; default: config.json's exp_name, else the "
       "directory's name)"},
  };
  int rc = flags_parse_args("plot", "RUN_DIR...",
                            "Compares runs written by mbrl mb: reads each RUN_DIR/metrics.csv and draws\n"
                            "the --tag columns against the --x column, one line per run and one panel\n"
                            "per tag. Empty and non-finite cells are skipped.",
                            flags, sizeof flags / sizeof *flags, argc, argv, &runs);
  if (rc == 0 && runs.n == 0) {
    fprintf(stderr, "mbrl plot: no run directories given (usage: mbrl plot [flags] RUN_DIR...)\n");
    rc = 2;
  }
  if (rc == 0 && labels.n > 0 && labels.n != runs.n) {
    fprintf(stderr, "mbrl plot: %d --label values for %d run directories; give one per run or none\n",
            labels.n, runs.n);
    rc = 2;
  }
  if (rc) {
    mbrl_free(store);
    return rc == 1 ? 0 : rc;
  }

  char err[1024];
  mbrl_runplot_config c = {.tags = tags.v, .n_tags = tags.n, .x = x, .title = title,
                           .labels = labels.n ? labels.v : NULL};
  rc = mbrl_runplot_save(out, runs.v, runs.n, &c, err, sizeof err);
  mbrl_free(store);
  if (rc) {
    fprintf(stderr, "mbrl plot: %s\n", err);
    return cli_status(rc);
  }
  printf("%s\n", out);
  return 0;
}

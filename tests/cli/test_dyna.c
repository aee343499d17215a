/* mbrl dyna: the flags come from the Dyna table and the command's own list; bad values exit 2 with
 * the flag named; a short run writes its CSV with one column per curve. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../io/io_test.h"
#include "run_cli.h"

Test(cli_dyna, bad_flags_exit_2_naming_the_flag) {
  char out[4096];
  const char *bad[][2] = {{"dyna --alpha 2", "--alpha"},   {"dyna --gamma x", "--gamma"},
                          {"dyna --n 1,,2", "--n"},        {"dyna --algo all", "--algo"},
                          {"dyna --size 8x8", "--size"},   {"dyna --runs 0", "--runs"},
                          {"dyna --no_such 1", "--no_such"}, {"dyna --maze", "--maze"}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    cr_expect_eq(run_mbrl(bad[i][0], out, sizeof out), 2, "%s", bad[i][0]);
    cr_expect(strstr(out, bad[i][1]) != NULL, "%s: %s", bad[i][0], out);
  }
  cr_expect_eq(run_mbrl("dyna --help", out, sizeof out), 0);
  cr_expect(strstr(out, "--kappa X") && strstr(out, "[0.001]"), "the table's defaults: %s", out);
}

Test(cli_dyna, a_short_run_writes_one_column_per_curve) {
  char dir[64], args[256], out[4096], path[128];
  io_test_mkdtemp(dir);
  snprintf(args, sizeof args, "dyna --maze dyna --n 0,5 --algo both --runs 2 --episodes 4 --out %s/d", dir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  snprintf(path, sizeof path, "%s/d.csv", dir);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f);
  char head[256] = "";
  cr_assert_not_null(fgets(head, sizeof head, f));
  fclose(f);
  cr_expect_str_eq(head, "episode,dyna_q_n0,dyna_q_n5,dyna_q_plus_n0,dyna_q_plus_n5\n");
  io_test_rmtree(dir);
}

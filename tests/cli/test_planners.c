/* mbrl planners: every registered planner with its own settings and their defaults, then the
 * shared ones; a stray argument is a usage error. */
#include <criterion/criterion.h>
#include <string.h>

#include "run_cli.h"

Test(cli_planners, lists_each_planner_with_its_settings) {
  char out[8192];
  cr_assert_eq(run_mbrl("planners", out, sizeof out), 0, "%s", out);
  cr_expect(strstr(out, "random:") && strstr(out, "cem:"), "%s", out);
  const char *cem = strstr(out, "cem:");
  cr_assert_not_null(cem);
  cr_expect(strstr(cem, "--cem_iterations") && strstr(cem, "--cem_alpha"), "cem's own settings: %s", out);
  cr_expect(strstr(out, "--propagation") && strstr(out, "members"), "shared settings with defaults: %s", out);
  cr_expect_eq(run_mbrl("planners --cem_iterations 3", out, sizeof out), 2);
}

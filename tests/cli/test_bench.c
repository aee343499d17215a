/* mbrl bench: the JSON document holds the rows with their limits; bad groups exit 2. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

#include "run_cli.h"

Test(cli_bench, json_rows_carry_figure_limit_and_ratio, .timeout = 120) {
  static char out[1 << 16];
  /* stderr (the notes) is joined to stdout here; the document starts at the first '{' */
  cr_assert_eq(run_mbrl("bench --quick --json nn", out, sizeof out), 0, "%s", out);
  char *start = strchr(out, '{');
  cr_assert_not_null(start, "%s", out);
  cJSON *doc = cJSON_Parse(start);
  cr_assert_not_null(doc, "not JSON: %s", start);
  const cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, "rows");
  cr_assert(cJSON_IsArray(rows) && cJSON_GetArraySize(rows) >= 4, "%s", start);
  int saw_training = 0;
  for (const cJSON *r = rows->child; r; r = r->next) {
    const cJSON *what = cJSON_GetObjectItemCaseSensitive(r, "what");
    double m = cJSON_GetObjectItemCaseSensitive(r, "measured")->valuedouble;
    double l = cJSON_GetObjectItemCaseSensitive(r, "limit")->valuedouble;
    double ratio = cJSON_GetObjectItemCaseSensitive(r, "ratio")->valuedouble;
    cr_assert(cJSON_IsString(what) && m > 0 && l > 0, "%s", start);
    cr_expect_float_eq(ratio, m / l, 1e-9 * ratio);
    cr_expect(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "unit")));
    saw_training |= strstr(what->valuestring, "training steps") != NULL;
  }
  cr_expect(saw_training);
  cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "quick")));
  cJSON_Delete(doc);
}

Test(cli_bench, unknown_group_exits_2) {
  char out[4096];
  cr_assert_eq(run_mbrl("bench planning", out, sizeof out), 2);
  cr_assert(strstr(out, "unknown group 'planning'"), "%s", out);
  cr_assert_eq(run_mbrl("bench --help", out, sizeof out), 0);
  cr_assert(strstr(out, "--json"), "%s", out);
}

/* mbrl planners: lists the registered planner classes with their own settings (flag, default,
 * what it does), and the settings every planner shares. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "flags.h"
#include "mbrl/planner.h"

/* one line per value field of t at base: the flag, its default, its help */
static void list_fields(const mbrl_config_table *t, void *base) {
  flag f[64];
  int n = flags_from_config(f, 64, t, base);
  for (int i = 0; i < n; i++) {
    const flag_field *ff = f[i].value;
    char def[64];
    mbrl_config_field_text(ff->field, ff->owner, def, sizeof def);
    printf("    %-32s %-10s %s\n", f[i].name, def, f[i].help ? f[i].help : "");
  }
}

int mbrl_cmd_planners(int argc, char **argv) {
  int rc = flags_parse("planners",
                       "Lists the registered planners (--mpc_action_sampling_strategy of mbrl mb) with their\n"
                       "own settings and defaults, then the settings every planner shares.",
                       NULL, 0, argc, argv);
  if (rc) return rc == 1 ? 0 : rc;
  mbrl_planner_config c;
  for (int i = 0; i < mbrl_planner_registry_count(); i++) {
    const mbrl_planner_class *cls = mbrl_planner_registry_get(i);
    printf("%s: %s\n", cls->name, cls->about ? cls->about : "");
    if (!cls->options || !cls->options->n) continue;
    mbrl_planner_defaults(&c, cls->name, NULL, 0);
    list_fields(cls->options, c.opts);
  }
  printf("\nevery planner:\n");
  mbrl_planner_defaults(&c, mbrl_planner_registry_get(0)->name, NULL, 0);
  list_fields(&mbrl_planner_table, &c);
  return 0;
}

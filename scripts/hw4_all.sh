#!/usr/bin/env bash
# Runs every command of CS285 HW4 problems 1-6 in sequence and writes one summary table (return
# and wall time per run, and the total) into docs/RESULTS.md, between markers of its precision
# (replacing the table of an earlier run with the same precision).
#   scripts/hw4_all.sh [fp32|bf16] [problems...]     (default: fp32, q1 .. q6)
# Environment: MBRL (binary, default build/mbrl), LOGDIR (default data), EXTRA (more flags for
# every command, e.g. "--seed 2"; with problems named, the table notes the subset).
set -euo pipefail
cd "$(dirname "$0")/.."
precision=${1:-fp32}
[[ $precision == fp32 || $precision == bf16 ]] || { echo "precision must be fp32 or bf16" >&2; exit 2; }
shift || true
problems=("$@")
[[ ${#problems[@]} -gt 0 ]] || problems=(q1 q2 q3 q4 q5 q6)
MBRL=${MBRL:-build/mbrl}
export MBRL LOGDIR=${LOGDIR:-data} EXTRA="--precision $precision ${EXTRA:-}"

start=$(date +%s)
table=$(bash scripts/hw4.sh "${problems[@]}" | tee /dev/stderr)
total=$(( $(date +%s) - start ))
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"

begin="<!-- hw4_all $precision begin -->"
end="<!-- hw4_all $precision end -->"
section="$begin
### Whole homework, $precision planning (\`scripts/hw4_all.sh $precision ${problems[*]}\`)

Run on $(date -u +%Y-%m-%d), $machine; flags added to every command: \`${EXTRA% }\`.
Total wall time: $total s ($(( total / 60 )) min) for ${problems[*]}.

$table
$end"
results=docs/RESULTS.md
if grep -qF "$begin" "$results"; then
  # replace the earlier section of this precision
  B=$begin E=$end S=$section awk '
    $0 == ENVIRON["B"] {print ENVIRON["S"]; skip = 1; next}
    $0 == ENVIRON["E"] {skip = 0; next}
    !skip {print}' "$results" > "$results.tmp"
  mv "$results.tmp" "$results"
else
  printf '\n%s\n' "$section" >> "$results"
fi
echo "hw4_all: $total s in total; table written to $results" >&2

#!/usr/bin/env bash
# Benchmarks. Usage: jobs/bench.sh <case> [extra `run` options]
#   fidelity   generate the demo tables (loans, retail, sensors; FIDELITY_ROWS rows each, default 50000), run
#              fit + sample + report on each with the default configuration, and write target/bench/fidelity.json:
#              per table the quality, the independent-columns baseline and the margin above it, the lowest column
#              score, the largest null-rate gap (percentage points) and the synthetic values outside the source ranges.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fidelity() {
  local rows="${FIDELITY_ROWS:-50000}" bench="$FLOWSYNTH_HOME/target/bench" tables="${FIDELITY_TABLES:-loans retail sensors}"
  mkdir -p "$bench"
  local results=()
  for t in $tables; do
    local data="$bench/data/$t-$rows.parquet" out="$bench/fidelity/$t"
    if [ ! -f "$data/_SUCCESS" ]; then
      "$FLOWSYNTH_HOME/jobs/flowsynth" generate-demo --table "$t" --output "$data" --rows "$rows" --overwrite
    fi
    local start; start=$(date +%s)
    "$FLOWSYNTH_HOME/jobs/flowsynth" run --input "$data" --output "$out" --overwrite "$@"
    local seconds=$(( $(date +%s) - start ))
    local report="$out/report/fidelity.json"
    local ids; ids=$(jq -r '[.not_compared[]?.name] | join(" ")' "$report")
    # shellcheck disable=SC2086
    local ranges; ranges=$(java "${JAVA17_OPENS[@]}" -Dlog4j2.configurationFile="$FLOWSYNTH_HOME/conf/log4j2.properties" \
      -cp "$FLOWSYNTH_HOME/target/classes:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" \
      io.flowsynth.spark.demo.RangeCheck "$data" "$out/synthetic" $ids 2>/dev/null | tail -1)
    results+=("$(jq -c --arg t "$t" --argjson s "$seconds" --argjson r "$ranges" '{
        table: $t, seconds: $s,
        quality: .overall.quality, column_shapes: .overall.column_shapes, column_pair_trends: .overall.column_pair_trends,
        baseline: .baseline.quality, above_baseline: (.overall.quality - .baseline.quality),
        min_column: (.columns | min_by(.score) | {name, metric, score}),
        columns_below_0_9: [.columns[] | select(.score < 0.9) | {name, score}],
        max_null_gap_pp: ([.columns[] | ((.real_null_rate - .synthetic_null_rate) | fabs) * 100] | max),
        null_gaps_pp: [.columns[] | select(.real_null_rate > 0 or .synthetic_null_rate > 0)
                       | {name, real: .real_null_rate, synthetic: .synthetic_null_rate}],
        not_compared: [.not_compared[]?.name],
        outside_source_range: $r.outside_source_range, outside_by_column: $r.outside_by_column}' "$report")")
  done
  printf '%s\n' "${results[@]}" | jq -s --argjson rows "$rows" '{rows: $rows, tables: .}' > "$bench/fidelity.json"
  echo "wrote $bench/fidelity.json"
  jq -r '.tables[] | "\(.table): quality \(.quality | . * 1000 | round / 1000) (baseline \(.baseline | . * 1000 | round / 1000)), min column \(.min_column.name) \(.min_column.score | . * 1000 | round / 1000), max null gap \(.max_null_gap_pp | . * 100 | round / 100) pp, outside range \(.outside_source_range)"' "$bench/fidelity.json"
}

case "${1:-}" in
  fidelity) shift; fidelity "$@" ;;
  *) echo "usage: jobs/bench.sh fidelity [run options]" >&2; exit 2 ;;
esac

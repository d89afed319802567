#!/usr/bin/env bash
# Benchmarks (never run by the tests): results go to target/bench/*.json.
#   jobs/bench.sh sample [ROWS]   sampling: matmul GFLOP/s on the model's shapes, FLOPs/row, inverse-only rows/s and
#                                 model FLOP utilization, end-to-end Parquet rows/s (default 10,000,000 rows), Spark-only
#                                 write rows/s, and local[1] vs local[2] end to end (4,000,000 rows each)
#   jobs/bench.sh train [ROWS]    training: both engines on a 16-column table (default 1,000,000 rows) on local[1] and
#                                 local[2]: time to a common validation NLL, rows/s per core, driver peak heap, scaling
#   jobs/bench.sh fidelity [run options]  the demo tables loans, retail, sensors (FIDELITY_ROWS rows each, default
#                                 50000) through run/report: target/bench/fidelity.json with quality, baseline, lowest
#                                 column, null-rate gaps and out-of-range values per table (needs jq)
#   jobs/bench.sh privacy [ROWS] [run options]  a people-like table (ids, names, emails, zip strings with leading
#                                 zeros, age, log-normal income with 3 extremes, 40 common + 20 once-seen diagnosis
#                                 codes; default 5,000 rows, e.g. 1000000) through run twice: with the defaults and
#                                 "unprotected" (the --set keys in PRIVACY_BENCH_UNPROTECTED, default the exact-copy
#                                 guard off): target/bench/privacy.json with leak counts, attack risks, guard/attack s
#   jobs/bench.sh density [--rows N] [--test-rows N] [--epochs E] [--types realnvp,maf,spline,linear]
#                         [--datasets checkerboard,eight-gaussians,two-moons] [--set key=value]...
#                                 each flow type on 2-d toy densities through the fit/score code users run:
#                                 target/bench/density.json and density.txt (held-out NLL, gap to the optimum, fit time)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
flowsynth_build_if_needed
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
bench="$FLOWSYNTH_HOME/target/bench"
mkdir -p "$bench"

# one_core java_main ...: runs the JVM on one CPU (taskset), so a local[1] run is a one-core executor as on a cluster:
# without it the JVM's garbage collector, JIT and driver threads borrow the idle core and 1→2 scaling reads low
one_core() {
  FLOWSYNTH_PIN_ONE_CORE=1 "$@"
}

java_main() {
  local pin=()
  if [ -n "${FLOWSYNTH_PIN_ONE_CORE:-}" ] && command -v taskset > /dev/null; then pin=(taskset -c 0); fi
  "${pin[@]}" java "${JAVA17_OPENS[@]}" -Xmx"${FLOWSYNTH_DRIVER_MEMORY:-6g}" \
    -Dlog4j2.configurationFile="$FLOWSYNTH_HOME/conf/log4j2.properties" \
    -cp "$FLOWSYNTH_HOME/target/classes:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" "$@"
}

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

privacy() {
  local rows="${1:-5000}"
  [ $# -gt 0 ] && shift
  local data="$bench/data/people-$rows.parquet"
  [ -f "$data/_SUCCESS" ] || java_main io.flowsynth.jobs.bench.PrivacyBench table "$data" "$rows" 24
  rm -f "$bench/privacy.json"
  local label
  for label in default unprotected; do
    local sets=() s
    if [ "$label" = unprotected ]; then
      for s in ${PRIVACY_BENCH_UNPROTECTED:-flowsynth.privacy.drop-exact-copies=false}; do sets+=(--set "$s"); done
    fi
    local out="$bench/privacy/$label-$rows" start seconds
    start=$(date +%s.%N)
    "$FLOWSYNTH_HOME/jobs/flowsynth" run --input "$data" --output "$out" --overwrite "${sets[@]}" "$@"
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    java_main io.flowsynth.jobs.bench.PrivacyBench leaks "$data" "$out/synthetic" "$out/report/fidelity.json" \
      "$label" "$seconds" "$bench/privacy.json" > /dev/null
  done
  echo "wrote $bench/privacy.json"
  if command -v jq > /dev/null; then
    jq -r '.runs[] | "\(.label): once-seen published \(.once_seen_values_published.total), extremes \(.real_extremes_published.total), copies \(.exact_copies_without_customer_id), attack risk max \(.attack_risks.max), verdict \(.verdict), guard \(.guard_seconds) s, attacks \(.attack_seconds) s"' "$bench/privacy.json"
  fi
}

case "${1:-}" in
  sample)
    rows="${2:-10000000}"
    model="$FLOWSYNTH_HOME/target/demo/model"
    [ -f "$model/metadata.json" ] || "$FLOWSYNTH_HOME/jobs/demo.sh"
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample.json" "$rows" 'local[*]'
    one_core java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample-local1.json" 4000000 'local[1]'
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample-local2.json" 4000000 'local[2]'
    ;;
  train)
    rows="${2:-1000000}"
    table="$bench/train-table.parquet"
    [ -f "$table/_SUCCESS" ] || java_main io.flowsynth.jobs.bench.TrainBench table "$table" "$rows"
    runs=()
    for engine in tree-aggregate dl4j-spark; do
      for master in 'local[1]' 'local[2]'; do
        out="$bench/train-$engine-${master//[^0-9]/}.json"
        pin=""
        [ "$master" = 'local[1]' ] && pin=1
        FLOWSYNTH_PIN_ONE_CORE="$pin" java_main io.flowsynth.jobs.bench.TrainBench fit "$table" "$engine" "$master" "${FLOWSYNTH_BENCH_EPOCHS:-2}" "$out"
        runs+=("$out")
      done
    done
    java_main io.flowsynth.jobs.bench.TrainBench ceiling "${runs[0]}" "$bench/train-ceiling.json"
    java_main io.flowsynth.jobs.bench.TrainBench merge "$bench/train.json" "${runs[@]}" "$bench/train-ceiling.json"
    ;;
  fidelity)
    shift
    fidelity "$@"
    ;;
  privacy)
    shift
    privacy "$@"
    ;;
  density)
    shift
    cd "$FLOWSYNTH_HOME"
    java_main io.flowsynth.jobs.DensityBench --out "$bench" "$@"
    ;;
  *)
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

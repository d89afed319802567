#!/usr/bin/env bash
# Benchmarks (never run by the tests): results go to target/bench/*.json.
#   jobs/bench.sh sample [ROWS]   sampling: matmul GFLOP/s on the model's shapes, FLOPs/row, inverse-only rows/s and
#                                 model FLOP utilization, end-to-end Parquet rows/s (default 10,000,000 rows), Spark-only
#                                 write rows/s, and local[1] vs local[2] end to end (4,000,000 rows each)
#   jobs/bench.sh train [ROWS]    training: both engines on a 16-column table (default 1,000,000 rows) on local[1] and
#                                 local[2]: time to a common validation NLL, rows/s per core, driver peak heap, scaling,
#                                 and where each round's core time goes (tasks, waiting for the slowest partition, the
#                                 averaging overhead); FLOWSYNTH_BENCH_LOCAL_STEPS (default 20) sets the round length;
#                                 then the same with every training setting at its default (train-defaults below)
#   jobs/bench.sh train-defaults [ROWS]  the tree-aggregate engine with the DEFAULT training settings (auto batch,
#                                 auto round length, validation) on the 16-column table (default 200,000 rows) on
#                                 local[1] (pinned) and local[2]: round breakdown (averaging overhead share), share of
#                                 task time spent on validation, rows/s per core and 1 -> 2 scaling, fit seconds:
#                                 target/bench/train-defaults.json
#   jobs/bench.sh train-step      training step speed on one pinned core (taskset -c 0): SameDiff vs the hand-derived
#                                 path at batch 512 and 2048 per family (TRAIN_STEP_FAMILIES, default realnvp,maf,spline),
#                                 a profile of the hand-derived step, and a PyTorch reference of the same model
#                                 (jobs/train_step_torch.py with Debian's python3-torch; skipped with a message when
#                                 absent): target/bench/train-step.json (also the first part of `train`)
#   jobs/bench.sh fidelity [run options]  the demo tables loans, retail, sensors (FIDELITY_ROWS rows each, default
#                                 50000) through run/report: target/bench/fidelity.json with quality, baseline, lowest
#                                 column, null-rate gaps and out-of-range values per table (needs jq)
#   jobs/bench.sh privacy [ROWS] [run options]  a people-like table (ids, names, emails, zip strings with leading
#                                 zeros, age, log-normal income with 3 extremes, 40 common + 20 once-seen diagnosis
#                                 codes; default 5,000 rows, e.g. 1000000) through run twice: with the defaults and
#                                 "unprotected" (the --set keys in PRIVACY_BENCH_UNPROTECTED, default the exact-copy
#                                 guard off): target/bench/privacy.json with leak counts, attack risks, guard/attack s
#   jobs/bench.sh privacy dp [TABLE...]  differential privacy on public real tables (default credit_data ames
#                                 lending_club): the fidelity-real run (ceiling, independent columns, copula,
#                                 defaults) plus fits at
#                                 flowsynth.privacy.epsilon = 1, 3 and 10 in the same run, each on the noise seeds
#                                 PRIVACY_DP_SEEDS (default "1 2 3"): quality, pairs and fit seconds per epsilon and
#                                 seed: target/bench/privacy-dp.json and .txt (see also dp-train)
#   jobs/bench.sh fidelity-real [TABLE...] [-- key=value...]  public real tables (default: ames lending_club
#                                 credit_data mlc_churn penguins from Debian's r-cran-modeldata, zipcodes movies from
#                                 npm's vega-datasets; installed once into target/bench/data/real, never committed):
#                                 per table a seeded 80/20 split, then the ceiling (holdout vs train), independent
#                                 columns, the Gaussian copula (flow.type=linear) and the defaults; quality, shapes,
#                                 pairs, std ratios, tail counts, fit seconds: target/bench/fidelity-real.json and .txt
#                                 (FIDELITY_REAL_MAX_ROWS caps each table, default 50000; FIDELITY_REAL_SEED, default 7;
#                                 FIDELITY_REAL_NAME renames the outputs, e.g. to compare settings;
#                                 FIDELITY_REAL_VARIANTS="NAME:key=value,...;NAME2:..." fits candidates in the same run;
#                                 each model's scores are the mean over FIDELITY_REAL_DRAWS holdout-sized samples,
#                                 default 3, with every draw's quality and pairs in the JSON;
#                                 FIDELITY_REAL_SEEDS=N also fits the defaults with flowsynth.seed 2..N and summarises
#                                 the seeds' mean with independent context draws per table: gap closed and the
#                                 fidelity targets met or not, the ceiling's own std error beside the model's)
#   jobs/bench.sh cli [RUNS]      the first minutes with the CLI, interleaved RUNS times (default 3), median seconds:
#                                 no command, a usage error (sample without --rows), an existing output, --help,
#                                 config, and a 1,000-row sample of a small model (fitted once on a 2,000-row demo
#                                 table, 100 steps); ratios to the no-command time: target/bench/cli.json
#   jobs/bench.sh density [--rows N] [--test-rows N] [--epochs E] [--types realnvp,maf,spline,linear]
#                         [--datasets checkerboard,eight-gaussians,two-moons] [--set key=value]...
#                                 each flow type on 2-d toy densities through the fit/score code users run:
#                                 target/bench/density.json and density.txt (held-out NLL, gap to the optimum, fit time)
#   jobs/bench.sh memory [ROUNDS] [STEPS] [BATCH]  resident and native memory per training round for each flow family
#                                 (realnvp maf spline linear; 2 columns, 4 layers, MLP 64x64; default 12 rounds of 50
#                                 steps x 512 rows), one capped JVM per family: target/bench/memory.json
#   jobs/bench.sh guard [ROWS] [COLUMNS] [new|both]  exact-copy match of ROWS (10000) x COLUMNS (1000) wide rows, a
#                                 tenth copies: hash join + exact check vs the former <=> join, same JVM:
#                                 target/bench/guard-COLUMNS.json
#   jobs/bench.sh wide [COLUMNS...] [-- key=value...]  wide tables of WIDE_ROWS rows (default 10000) × COLUMNS mixed
#                                 columns (default 50 200 1000: doubles, small ints, 30-level strings, dates, bigints
#                                 on 8 latent factors): fit (WIDE_FIT_SETS, default 1 epoch), sample WIDE_ROWS rows,
#                                 report, score the table (and with WIDE_RUN=1 also `run`: fit, guarded sample and
#                                 report in one JVM); wall seconds per phase, seconds per column, peak driver heap (GC
#                                 log), quality vs the independent-columns baseline: target/bench/wide.json (needs jq)
#   jobs/bench.sh conditional [ROWS]  conditional sampling: a loans demo table (50,000 rows) fitted with
#                                 flowsynth.condition.columns=$CONDITIONAL_COLUMNS (default region), then ROWS (default
#                                 10,000,000) rows by plain sampling and ROWS rows by `sample --condition` on that
#                                 plain sample as the condition table, interleaved CONDITIONAL_RUNS times (default 2);
#                                 rows/s of each from _flowsynth.json and their ratio: target/bench/conditional.json
#   jobs/bench.sh conditional-real [TABLE COLUMN]  per-level fidelity of conditional models on a real table with rare
#                                 levels (default credit_data's Marital: 38 of 4,454 rows divorced, 67 widow): a seeded
#                                 80/20 split; per variant of CONDITIONAL_REAL_VARIANTS ("NAME:key=value,...;NAME2:...",
#                                 default context balance 0.5 and 0) a fit conditioned on COLUMN and a plain sample of
#                                 CONDITIONAL_REAL_ROWS (default 50000); then per level its quality against the training
#                                 rows and, for each rare level (share < FREQUENT_SHARE, default 0.1), the frequent
#                                 levels' quality at its sizes (CONDITIONAL_REAL_DRAWS seeded subsamples, default 20),
#                                 the real ceiling at its sizes and the gap (target <= 0.02); the holdout is scored as
#                                 one more variant: target/bench/conditional-real.json, table in the log
#   jobs/bench.sh condition-report [ROWS] [RUNS]  per-condition fidelity (report --condition-columns) on two demo
#                                 loans tables of ROWS rows (default 50000), contexts region, region+term_months and
#                                 annual_income (quantile ranges), RUNS (default 3) interleaved runs in one JVM: report
#                                 seconds without/with the section and their ratio, and the section's seconds against one
#                                 evaluator per named value: target/bench/condition-report.json
#   jobs/bench.sh dp-train [SECONDS] [ROUNDS]  DP-SGD's training speed against ordinary training per family
#                                 (DP_TRAIN_FAMILIES, default realnvp,maf,spline; batch DP_TRAIN_BATCH, default 512) on
#                                 one pinned core, alternating SECONDS (default 5) × ROUNDS (default 3): median rows/s
#                                 of each and their ratio (target ≥ 0.3): target/bench/dp-train.json; then the CLI: fit
#                                 of a 20,000-row demo loans table with and without flowsynth.privacy.epsilon=3
#                                 (DP_TRAIN_STEPS, default 200, local[1]): the models' training rows/s and their ratio
#   jobs/bench.sh dp-encoders [ROWS] [RUNS] [EPSILONS]  the differentially private encoder fit on a demo loans table
#                                 (default 200,000 rows): encoder-fit seconds without DP and with ε = 1, interleaved
#                                 RUNS times (default 3), medians and ratio; per ε (default 0.5,1,3,10) the row count's
#                                 error, the share of real values within each column's synthetic range, knot counts and
#                                 the share of rows whose category is named: target/bench/dp-encoders.json
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
flowsynth_build_if_needed

# The benchmark classes (src/bench/java) compile with the tests into target/test-classes, so the job jar holds none
bench_build_if_needed() {
  local stamp="$FLOWSYNTH_HOME/target/test-classes/.bench-built"
  if [ ! -f "$stamp" ] || [ -n "$(find "$FLOWSYNTH_HOME/src/main" "$FLOWSYNTH_HOME/src/bench" "$FLOWSYNTH_HOME/pom.xml" \
       -newer "$stamp" -print -quit)" ]; then
    echo "flowsynth: building the benchmarks (mvn test-compile) ..." >&2
    (cd "$FLOWSYNTH_HOME" && mvn -q -B -Dstyle.color=never -DskipTests test-compile) >&2
    touch "$stamp"
  fi
}
bench_build_if_needed
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
  local heap="${FLOWSYNTH_DRIVER_MEMORY:-6g}"
  # shellcheck disable=SC2046
  "${pin[@]}" java "${JAVA17_OPENS[@]}" -Xmx"$heap" $(flowsynth_native_opts "$heap") \
    -Dlog4j2.configurationFile="$FLOWSYNTH_HOME/conf/log4j2.properties" \
    -cp "${FLOWSYNTH_CLASSES:-$FLOWSYNTH_HOME/target/classes:$FLOWSYNTH_HOME/target/test-classes}:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" "$@"
}

# train_step: per-step training speed of both gradient paths and PyTorch in one run, each pinned to core 0
train_step() {
  local families="${TRAIN_STEP_FAMILIES:-realnvp,maf,spline}" batches="${TRAIN_STEP_BATCHES:-512,2048}"
  local seconds="${TRAIN_STEP_SECONDS:-6}" py=/usr/bin/python3 torch=0
  local pin=()
  command -v taskset > /dev/null && pin=(taskset -c 0)
  rm -f "$bench"/train-step-torch-*.json
  if [ -x "$py" ] && "$py" -c 'import torch' 2> /dev/null; then
    torch=1
  else
    echo "train-step: no PyTorch reference: 'import torch' fails for $py (apt-get install python3-torch)" >&2
  fi
  # PyTorch before and after the JVM (the load of a shared machine drifts; the JVM takes the better figure)
  [ "$torch" = 1 ] && OMP_NUM_THREADS=1 "${pin[@]}" "$py" "$FLOWSYNTH_HOME/jobs/train_step_torch.py" \
    "$bench/train-step-torch-1.json" "$families" "$batches" "$seconds"
  one_core java_main io.flowsynth.jobs.bench.TrainStepBench "$bench/train-step.json" \
    "$bench/train-step-torch-1.json,$bench/train-step-torch-2.json" "$families" "$batches" "$seconds"
  [ "$torch" = 1 ] && OMP_NUM_THREADS=1 "${pin[@]}" "$py" "$FLOWSYNTH_HOME/jobs/train_step_torch.py" \
    "$bench/train-step-torch-2.json" "$families" "$batches" "$seconds"
  [ "$torch" = 1 ] && one_core java_main io.flowsynth.jobs.bench.TrainStepBench merge-torch "$bench/train-step.json" \
    "$bench/train-step-torch-1.json,$bench/train-step-torch-2.json"
  if command -v jq > /dev/null; then
    jq -r '.results[] | [.family, .batch, .samediff_rows_per_s, .analytic_rows_per_s, .analytic_vs_samediff,
      (.torch_rows_per_s // "-"), (.analytic_vs_torch // "-")] | @tsv' "$bench/train-step.json" |
      { echo -e "family\tbatch\tsamediff/s\tanalytic/s\tvs-samediff\ttorch/s\tvs-torch"; cat; }
  fi
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
      -cp "$FLOWSYNTH_HOME/target/classes:$FLOWSYNTH_HOME/target/test-classes:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" \
      io.flowsynth.jobs.bench.RangeCheck "$data" "$out/synthetic" $ids 2>/dev/null | tail -1)
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

MODELDATA_TABLES="ames lending_club credit_data mlc_churn penguins"
VEGA_TABLES="zipcodes movies"

# fidelity_real_data DIR TABLE...: exports the tables that are missing from DIR; a table whose package cannot be
# installed is left missing (the Java step then reports it as skipped)
fidelity_real_data() {
  local dir="$1"; shift
  mkdir -p "$dir"
  local want_r=() want_vega=() t
  for t in "$@"; do
    [ -s "$dir/$t.csv" ] || [ -s "$dir/$t.json" ] && continue
    if [[ " $MODELDATA_TABLES wa_churn Sacramento stackoverflow " == *" $t "* ]]; then want_r+=("$t"); fi
    if [[ " $VEGA_TABLES " == *" $t "* ]]; then want_vega+=("$t"); fi
  done
  if [ ${#want_r[@]} -gt 0 ]; then
    if ! Rscript -e 'library(modeldata)' > /dev/null 2>&1; then
      echo "fidelity-real: installing r-base-core r-cran-modeldata (Debian) ..." >&2
      local sudo=(); [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null && sudo=(sudo)
      { "${sudo[@]}" apt-get update -q && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
          --no-install-recommends r-base-core r-cran-modeldata; } > "$dir/apt.log" 2>&1 \
        || echo "fidelity-real: could not install r-cran-modeldata (see $dir/apt.log): skipping ${want_r[*]}" >&2
    fi
    if Rscript -e 'library(modeldata)' > /dev/null 2>&1; then
      for t in "${want_r[@]}"; do
        Rscript -e "data(list='$t', package='modeldata'); write.csv(get('$t'), '$dir/$t.csv.tmp', row.names=FALSE, na='')" \
          && mv "$dir/$t.csv.tmp" "$dir/$t.csv" || echo "fidelity-real: modeldata has no table $t: skipping it" >&2
      done
    fi
  fi
  if [ ${#want_vega[@]} -gt 0 ]; then
    local tmp; tmp=$(mktemp -d)
    if (cd "$tmp" && npm pack --silent vega-datasets > npm.log 2>&1 && tar xzf vega-datasets-*.tgz); then
      for t in "${want_vega[@]}"; do
        if [ -f "$tmp/package/data/$t.csv" ]; then cp "$tmp/package/data/$t.csv" "$dir/$t.csv"
        elif [ -f "$tmp/package/data/$t.json" ]; then cp "$tmp/package/data/$t.json" "$dir/$t.json"
        else echo "fidelity-real: vega-datasets has no $t.csv or $t.json: skipping it" >&2; fi
      done
    else
      echo "fidelity-real: npm pack vega-datasets failed ($(tail -1 "$tmp/npm.log" 2>/dev/null)): skipping ${want_vega[*]}" >&2
    fi
    rm -rf "$tmp"
  fi
}

fidelity_real() {
  local tables=() sets=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; sets=("$@"); break; fi
    tables+=("$1"); shift
  done
  # shellcheck disable=SC2206
  [ ${#tables[@]} -gt 0 ] || tables=($MODELDATA_TABLES $VEGA_TABLES)
  local data="$bench/data/real"
  fidelity_real_data "$data" "${tables[@]}"
  local name="${FIDELITY_REAL_NAME:-fidelity-real}"
  local log="$bench/$name.log"
  # a long run reads a copy of the classes, so that compiling meanwhile cannot change them under the running JVM
  FIDELITY_REAL_CLASSES=$(mktemp -d "$bench/classes.XXXXXX")
  trap 'rm -rf "$FIDELITY_REAL_CLASSES"' EXIT
  cp -r "$FLOWSYNTH_HOME/target/classes/." "$FLOWSYNTH_HOME/target/test-classes/." "$FIDELITY_REAL_CLASSES/"
  echo "fidelity-real: ${tables[*]} on ${FLOWSYNTH_MASTER:-local[2]}, log in $log" >&2
  FLOWSYNTH_CLASSES="$FIDELITY_REAL_CLASSES" java_main io.flowsynth.jobs.bench.FidelityRealBench "$data" "$bench/$name.json" \
    "${FIDELITY_REAL_MAX_ROWS:-50000}" "${FIDELITY_REAL_SEED:-7}" "${sets[@]}" -- "${tables[@]}" > "$log" 2>&1 \
    || { tail -30 "$log" >&2; exit 1; }
  cat "$bench/$name.txt"
  echo "wrote $bench/$name.json"
}

# cli [RUNS]: wall seconds of short CLI calls, each case once per round so all share the machine's load
cli() {
  local runs="${1:-3}" data="$bench/data/cli-loans-2000.parquet" model="$bench/data/cli-model" out="$bench/cli"
  local fl="$FLOWSYNTH_HOME/jobs/flowsynth"
  mkdir -p "$out" "$out/exists"
  [ -f "$data/_SUCCESS" ] || "$fl" generate-demo --rows 2000 --output "$data" --overwrite > /dev/null
  [ -f "$model/metadata.json" ] || "$fl" fit --input "$data" --model "$model" --overwrite \
    --set flowsynth.train.steps=100 > /dev/null
  local names=(no_command usage_error existing_output help config sample_1000)
  declare -A times
  local r i
  for ((r = 0; r < runs; r++)); do
    for i in "${!names[@]}"; do
      local args=()
      case "${names[$i]}" in
        no_command) args=() ;;
        usage_error) args=(sample --model "$model" --output "$out/s") ;;
        existing_output) args=(sample --model "$model" --rows 1000 --output "$out/exists") ;;
        help) args=(--help) ;;
        config) args=(config) ;;
        sample_1000) args=(sample --model "$model" --rows 1000 --output "$out/sample" --seed 1 --overwrite) ;;
      esac
      local t0 t1 code=0
      t0=$(date +%s.%N)
      "$fl" "${args[@]}" > "$out/${names[$i]}.out" 2> "$out/${names[$i]}.err" || code=$?
      t1=$(date +%s.%N)
      local secs; secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
      echo "cli ${names[$i]} (round $((r + 1))/$runs): exit $code, $secs s" >&2
      times[${names[$i]}]+="$secs "
    done
  done
  local json="{\"runs\": $runs"
  for i in "${names[@]}"; do
    json+=", \"$i\": [${times[$i]// /, }]"
  done
  json="${json//, ]/]}}"
  echo "$json" | jq '(del(.runs) | map_values(sort | .[(length / 2 | floor)])) as $m
    | {runs, machine_load: "'"$(cut -d' ' -f1-3 /proc/loadavg)"'", median_seconds: $m,
       ratio_to_no_command: ($m | map_values(. / $m.no_command * 100 | round / 100)),
       targets: {usage_error: 3, sample_1000: 8}, all_seconds: del(.runs)}' > "$bench/cli.json"
  cat "$bench/cli.json"
}

memory() {
  local rounds="${1:-12}" steps="${2:-50}" batch="${3:-512}" files=() t
  for t in realnvp maf spline linear; do
    FLOWSYNTH_DRIVER_MEMORY="${FLOWSYNTH_DRIVER_MEMORY:-2g}" java_main io.flowsynth.jobs.bench.MemoryBench \
      "$t" "$rounds" "$steps" "$batch" 2 "$bench/memory-$t.json"
    files+=("$bench/memory-$t.json")
  done
  jq -s '{families: .}' "${files[@]}" > "$bench/memory.json"
  rm -f "${files[@]}"
  echo "wrote $bench/memory.json"
  jq -r '.families[] | "\(.family): resident max \(.resident_mb_max) MB (limit \(.max_physical_bytes_mb) MB), native after warm-up \(.rounds[.warm_up_rounds - 1].native_mb) MB -> \(.rounds[-1].native_mb) MB, \(.native_growth_mb_per_round_after_warm_up | . * 10 | round / 10) MB/round"' "$bench/memory.json"
}

# wide_phase PREFIX cli-args...: runs one CLI phase (on the copy of the classes in $WIDE_CLASSES, with the launcher's
# heap FLOWSYNTH_DRIVER_MEMORY, default 6g) with a GC log; prints "seconds peak_heap_mb"
wide_phase() {
  local gclog="$1.gc.log"; shift
  local start; start=$(date +%s.%N)
  java "${JAVA17_OPENS[@]}" -Xmx"${FLOWSYNTH_DRIVER_MEMORY:-6g}" -Xlog:gc:file="$gclog" \
    -Dlog4j2.configurationFile="$FLOWSYNTH_HOME/conf/log4j2.properties" \
    -cp "$WIDE_CLASSES:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" io.flowsynth.jobs.FlowsynthCli "$@" \
    > "${gclog%.gc.log}.log" 2>&1 \
    || { echo "wide: failed: $* (see ${gclog%.gc.log}.log)" >&2; tail -5 "${gclog%.gc.log}.log" >&2; return 1; }
  local seconds; seconds=$(echo "$(date +%s.%N) - $start" | bc)
  # peak heap in use: the largest "before" figure of the GC log's pause lines (e.g. "Pause Young ... 812M->95M(3072M)")
  local peak; peak=$(grep -o '[0-9]*M->' "$gclog" | sed 's/M->//' | sort -n | tail -1)
  echo "$seconds ${peak:-0}"
}

wide() {
  local columns=() sets=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; sets=("$@"); break; fi
    columns+=("$1"); shift
  done
  [ ${#columns[@]} -gt 0 ] || columns=(50 200 1000)
  local rows="${WIDE_ROWS:-10000}" results=() n
  local fit_sets=() s
  for s in ${WIDE_FIT_SETS:-flowsynth.train.epochs=1}; do fit_sets+=(--set "$s"); done
  for s in "${sets[@]}"; do fit_sets+=(--set "$s"); done
  # the runs read a copy of target/classes, so compiling meanwhile is safe
  WIDE_CLASSES=$(mktemp -d "$bench/classes.XXXXXX")
  cp -r "$FLOWSYNTH_HOME/target/classes/." "$WIDE_CLASSES/"
  export FLOWSYNTH_CONF_DIR="${FLOWSYNTH_CONF_DIR:-$FLOWSYNTH_HOME/conf}"
  for n in "${columns[@]}"; do
    local data="$bench/data/wide-$rows-$n.parquet" out="$bench/wide/$n"
    [ -f "$data/_SUCCESS" ] || java_main io.flowsynth.jobs.bench.WideBench table "$data" "$rows" "$n" 7
    rm -rf "$out"; mkdir -p "$out"
    local fit sample report
    echo "wide: $n columns: fit ..." >&2
    fit=$(wide_phase "$out/fit" fit --input "$data" --model "$out/model" --overwrite "${fit_sets[@]}")
    echo "wide: $n columns: fit $fit; sample ..." >&2
    sample=$(wide_phase "$out/sample" sample --model "$out/model" --rows "$rows" --output "$out/synthetic" --overwrite)
    echo "wide: $n columns: sample $sample; report ..." >&2
    report=$(wide_phase "$out/report" report --real "$data" --synthetic "$out/synthetic" --model "$out/model" \
      --output "$out/report")
    echo "wide: $n columns: report $report; score ..." >&2
    local score run="0 0" guard=null
    score=$(wide_phase "$out/score" score --model "$out/model" --input "$data" --output "$out/scored" --overwrite)
    echo "wide: $n columns: score $score" >&2
    if [ -n "${WIDE_RUN:-}" ]; then
      echo "wide: $n columns: run (fit, guarded sample, report in one JVM) ..." >&2
      run=$(wide_phase "$out/run" run --input "$data" --output "$out/run" --rows "$rows" --overwrite "${fit_sets[@]}")
      guard=$(jq '.privacy.exact_copy_guard.seconds // null' "$out/run/report/fidelity.json")
      echo "wide: $n columns: run $run (exact-copy guard $guard s)" >&2
    fi
    results+=("$(jq -c --argjson n "$n" --argjson rows "$rows" --arg fit "$fit" --arg sample "$sample" --arg report "$report" \
      --arg score "$score" --arg run "$run" --argjson guard "$guard" --slurpfile meta "$out/model/metadata.json" '
      def s(x): x | split(" ") | .[0] | tonumber;
      def h(x): x | split(" ") | .[1] | tonumber;
      {columns: $n, rows: $rows,
       fit_seconds: s($fit), sample_seconds: s($sample), report_seconds: s($report),
       total_seconds: (s($fit) + s($sample) + s($report)),
       seconds_per_column: ((s($fit) + s($sample) + s($report)) / $n),
       fit_seconds_per_column: (s($fit) / $n),
       score_seconds: s($score), score_seconds_per_column: (s($score) / $n),
       run_seconds: (if s($run) > 0 then s($run) else null end), run_guard_seconds: $guard,
       peak_heap_mb: {fit: h($fit), sample: h($sample), report: h($report), score: h($score),
                      run: (if s($run) > 0 then h($run) else null end)},
       features: $meta[0].flow.features, hidden_features: $meta[0].flow.hidden_features,
       quality: .overall.quality, baseline: .baseline.quality, above_baseline: (.overall.quality - .baseline.quality),
       column_pair_trends: .overall.column_pair_trends, pair_sampling}' "$out/report/fidelity.json")")
  done
  rm -rf "$WIDE_CLASSES"
  printf '%s\n' "${results[@]}" | jq -s --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{runs: ., load_average: $load,
      per_column_growth: (if length > 1 then ((.[-1].seconds_per_column) / (.[-2].seconds_per_column)) else null end)}' \
    > "$bench/wide.json"
  echo "wrote $bench/wide.json"
  jq -r '.runs[] | "\(.columns) columns: fit \(.fit_seconds) s, sample \(.sample_seconds) s, report \(.report_seconds) s, score \(.score_seconds) s, run \(.run_seconds // "-") s, \(.seconds_per_column | . * 100 | round / 100) s/column, peak heap \(.peak_heap_mb), quality \(.quality) vs baseline \(.baseline)"' "$bench/wide.json"
}

# guard [ROWS] [COLUMNS] [new|both]: exact-copy match, hash join vs the former <=> join, same JVM and inputs
conditional() {
  local rows="${1:-10000000}" runs="${CONDITIONAL_RUNS:-2}" columns="${CONDITIONAL_COLUMNS:-region}"
  local fl="$FLOWSYNTH_HOME/jobs/flowsynth" out="$bench/conditional"
  local data="$out/loans.parquet" model="$out/model-${columns//,/-}"
  mkdir -p "$out"
  [ -f "$data/_SUCCESS" ] || "$fl" generate-demo --rows 50000 --output "$data" --overwrite > /dev/null
  [ -f "$model/metadata.json" ] || "$fl" fit --input "$data" --model "$model" --overwrite \
    --set "flowsynth.condition.columns=$columns" > "$out/fit.log" 2>&1
  # rows/s two ways: the sampling job as _flowsynth.json times it, and the whole command's wall time (JVM start, and
  # for --condition also the count of the condition table before the job)
  local r t0 t1 plain=() cond=() plain_wall=() cond_wall=()
  for ((r = 1; r <= runs; r++)); do
    t0=$(date +%s.%N)
    "$fl" sample --model "$model" --rows "$rows" --output "$out/plain" --seed "$r" --overwrite > /dev/null
    t1=$(date +%s.%N)
    plain+=("$(jq '.rows / .seconds' "$out/plain/_flowsynth.json")")
    plain_wall+=("$(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')")
    t0=$(date +%s.%N)
    "$fl" sample --model "$model" --condition "$out/plain" --output "$out/conditioned" --seed "$r" --overwrite \
      > /dev/null
    t1=$(date +%s.%N)
    cond+=("$(jq '.rows / .seconds' "$out/conditioned/_flowsynth.json")")
    cond_wall+=("$(awk -v n="$rows" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')")
    echo "conditional run $r/$runs: plain ${plain[-1]} rows/s (wall ${plain_wall[-1]}), --condition ${cond[-1]}" \
      "rows/s (wall ${cond_wall[-1]})" >&2
  done
  jq -n --argjson rows "$rows" --arg columns "$columns" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    --argjson plain "[$(IFS=,; echo "${plain[*]}")]" --argjson cond "[$(IFS=,; echo "${cond[*]}")]" \
    --argjson plainWall "[$(IFS=,; echo "${plain_wall[*]}")]" --argjson condWall "[$(IFS=,; echo "${cond_wall[*]}")]" \
    'def median: sort | .[length / 2 | floor];
     {rows: $rows, condition_columns: $columns, machine_load: $load,
      plain_rows_per_second: $plain, condition_rows_per_second: $cond,
      plain_rows_per_wall_second: $plainWall, condition_rows_per_wall_second: $condWall,
      ratio_median: (($cond | median) / ($plain | median)),
      wall_ratio_median: (($condWall | median) / ($plainWall | median)),
      target_ratio: 0.8}' > "$bench/conditional.json"
  cat "$bench/conditional.json"
}

train_defaults() {
  local rows="${1:-200000}"
  # the former defaults on this table (rounds of one pass capped at 25 steps, every validation row each round), fitted
  # interleaved in the same run for ratios under the same load; TRAIN_DEFAULTS_FORMER= (empty) skips them
  local former="${TRAIN_DEFAULTS_FORMER-flowsynth.train.local-steps=25,flowsynth.train.round-validation-rows=2147483647}"
  local table="$bench/train-table-$rows.parquet" runs=() former_runs=() master out pin
  [ -f "$table/_SUCCESS" ] || java_main io.flowsynth.jobs.bench.TrainBench table "$table" "$rows"
  for master in 'local[1]' 'local[2]'; do
    pin=""
    [ "$master" = 'local[1]' ] && pin=1
    out="$bench/train-defaults-${master//[^0-9]/}.json"
    FLOWSYNTH_BENCH_SETS="" FLOWSYNTH_PIN_ONE_CORE="$pin" java_main io.flowsynth.jobs.bench.TrainBench fit "$table" \
      tree-aggregate "$master" defaults "$out"
    runs+=("$out")
    if [ -n "$former" ]; then
      out="$bench/train-defaults-former-${master//[^0-9]/}.json"
      FLOWSYNTH_BENCH_SETS="$former" FLOWSYNTH_PIN_ONE_CORE="$pin" java_main io.flowsynth.jobs.bench.TrainBench fit \
        "$table" tree-aggregate "$master" defaults "$out"
      former_runs+=("$out")
    fi
  done
  java_main io.flowsynth.jobs.bench.TrainBench merge "$bench/train-defaults.json" "${runs[@]}" > /dev/null
  [ -n "$former" ] && java_main io.flowsynth.jobs.bench.TrainBench merge "$bench/train-defaults-former.json" \
    "${former_runs[@]}" > /dev/null
  local f
  for f in "$bench/train-defaults.json" "$bench/train-defaults-former.json"; do
    [ -f "$f" ] || continue
    jq -r '.runs[] | [.settings, .master, .local_steps, .batch_size, .rounds, .stopped, .fit_seconds,
        .rows_per_second_per_core, .round_breakdown.averaging_overhead_share,
        .round_breakdown.waiting_for_slowest_partition_share, .validation_share_of_task_time,
        .held_out_nll] | @tsv' "$f"
    jq -r '"1->2 scaling (rows/s, local[2] / (2 x local[1])): \(.scaling_efficiency_1_to_2["tree-aggregate"])"' "$f"
  done | { echo -e "settings\tmaster\tlocal_steps\tbatch\trounds\tstopped\tfit_s\trows/s/core\toverhead\tstraggler\tvalidation\theld_out_nll"; cat; } >&2
}

guard() {
  local rows="${1:-10000}" columns="${2:-1000}" which="${3:-both}"
  java_main io.flowsynth.jobs.bench.GuardBench "$bench/guard-$columns.json" "$rows" "$columns" "$which"
  cat "$bench/guard-$columns.json"
}

# conditional_real [TABLE COLUMN]: per-level quality of conditional models on a real table, read at matched sizes
conditional_real() {
  local table="${1:-credit_data}" column="${2:-Marital}" data="$bench/data/real" out="$bench/conditional-real"
  local fl="$FLOWSYNTH_HOME/jobs/flowsynth"
  local variants="${CONDITIONAL_REAL_VARIANTS:-balance-0.5:flowsynth.condition.balance=0.5;balance-0:flowsynth.condition.balance=0}"
  fidelity_real_data "$data" "$table"
  [ -f "$data/$table.csv" ] || { echo "conditional-real: no table $table" >&2; exit 1; }
  rm -rf "$out"; mkdir -p "$out"
  # a seeded 80/20 split of the CSV's lines (its header on both)
  awk -v seed="${FIDELITY_REAL_SEED:-7}" -v train="$out/train.csv" -v hold="$out/holdout.csv" \
    'BEGIN { srand(seed) } NR == 1 { print > train; print > hold; next }
     { if (rand() < 0.8) print > train; else print > hold }' "$data/$table.csv"
  local synthetic=() v name sets s
  IFS=';' read -ra vs <<< "$variants"
  for v in "${vs[@]}"; do
    name="${v%%:*}"; sets=(--set flowsynth.condition.columns="$column")
    IFS=',' read -ra kv <<< "${v#*:}"
    for s in "${kv[@]}"; do [ -n "$s" ] && [ "$s" != "$name" ] && sets+=(--set "$s"); done
    local t0=$SECONDS
    "$fl" fit --input "$out/train.csv" --model "$out/model-$name" "${sets[@]}" > "$out/fit-$name.log" 2>&1 \
      || { tail -5 "$out/fit-$name.log" >&2; exit 1; }
    echo "conditional-real: $name fitted in $((SECONDS - t0)) s (${sets[*]})" >&2
    "$fl" sample --model "$out/model-$name" --rows "${CONDITIONAL_REAL_ROWS:-50000}" --output "$out/synthetic-$name" \
      --seed 1 > "$out/sample-$name.log" 2>&1 || { tail -5 "$out/sample-$name.log" >&2; exit 1; }
    synthetic+=("$name=$out/synthetic-$name")
  done
  # the holdout as one more "synthetic" table: the per-level ceiling at the holdout's own sizes
  synthetic+=("holdout=$out/holdout.csv")
  java_main io.flowsynth.jobs.bench.ConditionalRealBench "$out/matched.json" "$out/train.csv" "$column" \
    "${CONDITIONAL_REAL_DRAWS:-20}" "${FIDELITY_REAL_SEED:-7}" "${synthetic[@]}" 2>"$out/matched.log" \
    | tee "$out/matched.txt" >&2
  jq --arg table "$table" --arg variants "$variants" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{table: $table, variants_settings: $variants, machine_load_after: $load} + .' "$out/matched.json" \
    > "$bench/conditional-real.json"
  jq -r '.variants | to_entries[] | "\(.key): worst gap \(.value.worst_gap) (within 0.02: \(.value.within_target))"' \
    "$bench/conditional-real.json" >&2
}

# condition_report [ROWS] [RUNS]: what report --condition-columns costs, against peers measured in the same JVM
condition_report() {
  java_main io.flowsynth.jobs.bench.ConditionReportBench "$bench/condition-report.json" "${1:-50000}" "${2:-3}"
  cat "$bench/condition-report.json"
}

# dp_train [SECONDS] [ROUNDS]: DP-SGD steps against ordinary steps in one JVM, then both fits through the CLI
dp_train() {
  local seconds="${1:-5}" rounds="${2:-3}" steps="${DP_TRAIN_STEPS:-200}"
  one_core java_main io.flowsynth.jobs.bench.DpTrainBench "$bench/dp-train.json" \
    "${DP_TRAIN_FAMILIES:-realnvp,maf,spline}" "${DP_TRAIN_BATCH:-512}" "$seconds" "$rounds"
  local data="$bench/data/loans-20000.parquet" mode
  [ -f "$data/_SUCCESS" ] || "$FLOWSYNTH_HOME/jobs/flowsynth" generate-demo --output "$data" --rows 20000 --overwrite
  for mode in plain dp; do
    local sets=(--set "flowsynth.train.steps=$steps")
    # DP-SGD after the copula (by default a DP fit's flow is the DP copula alone, with no steps to time)
    [ "$mode" = dp ] && sets+=(--set flowsynth.privacy.epsilon=3 --set flowsynth.privacy.copula-share=0.9)
    FLOWSYNTH_MASTER='local[1]' "$FLOWSYNTH_HOME/jobs/flowsynth" fit --input "$data" --model "$bench/dp-train/$mode" \
      --overwrite "${sets[@]}" > "$bench/dp-train-$mode.log" 2>&1
  done
  if command -v jq > /dev/null; then
    jq -n --slurpfile p "$bench/dp-train/plain/metadata.json" --slurpfile d "$bench/dp-train/dp/metadata.json" \
      '{cli_plain_rows_per_s: $p[0].training.rows_per_second, cli_dp_rows_per_s: $d[0].training.rows_per_second,
        cli_dp_vs_plain: ($d[0].training.rows_per_second / $p[0].training.rows_per_second),
        dp_sigma: $d[0].privacy.sigma, dp_steps: $d[0].privacy.steps}' > "$bench/dp-train-cli.json"
    cat "$bench/dp-train.json" "$bench/dp-train-cli.json"
  fi
}

# dp_encoders [ROWS] [RUNS] [EPSILONS]: the DP encoder fit's cost against the plain fit in the same JVM, and its utility
dp_encoders() {
  java_main io.flowsynth.jobs.bench.DpEncoderBench "$bench/dp-encoders.json" "${1:-200000}" "${2:-3}" \
    "${3:-0.5,1,3,10}"
  cat "$bench/dp-encoders.json"
}

case "${1:-}" in
  dp-train)
    shift
    dp_train "$@"
    ;;
  dp-encoders)
    shift
    dp_encoders "$@"
    ;;
  conditional)
    conditional "${2:-10000000}"
    ;;
  conditional-real)
    shift
    conditional_real "$@"
    ;;
  condition-report)
    shift
    condition_report "$@"
    ;;
  guard)
    shift
    guard "$@"
    ;;
  wide)
    shift
    wide "$@"
    ;;
  memory)
    shift
    memory "$@"
    ;;
  sample)
    rows="${2:-10000000}"
    model="$FLOWSYNTH_HOME/target/demo/model"
    [ -f "$model/metadata.json" ] || "$FLOWSYNTH_HOME/jobs/demo.sh"
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample.json" "$rows" 'local[*]'
    one_core java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample-local1.json" 4000000 'local[1]'
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample-local2.json" 4000000 'local[2]'
    ;;
  train-step)
    train_step
    ;;
  train)
    train_step
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
    train_defaults "${FLOWSYNTH_BENCH_DEFAULTS_ROWS:-200000}"
    ;;
  train-defaults)
    train_defaults "${2:-200000}"
    ;;
  fidelity)
    shift
    fidelity "$@"
    ;;
  privacy)
    shift
    if [ "${1:-}" = dp ]; then
      shift
      [ $# -gt 0 ] || set -- credit_data ames lending_club
      # every epsilon on the same noise seeds (PRIVACY_DP_SEEDS, default "1 2 3"; "random" for fresh secret noise):
      # seeded runs compare across code versions on common noise
      variants=""
      for eps in 1 3 10; do
        for seed in ${PRIVACY_DP_SEEDS:-1 2 3}; do
          variants="$variants;dp_eps${eps}_s${seed}:flowsynth.privacy.epsilon=$eps,flowsynth.privacy.noise-seed=$seed"
        done
      done
      FIDELITY_REAL_NAME=privacy-dp FIDELITY_REAL_VARIANTS="${variants#;}" fidelity_real "$@"
    else
      privacy "$@"
    fi
    ;;
  fidelity-real)
    shift
    fidelity_real "$@"
    ;;
  cli)
    cli "${2:-3}"
    ;;
  density)
    shift
    cd "$FLOWSYNTH_HOME"
    java_main io.flowsynth.jobs.DensityBench --out "$bench" "$@"
    ;;
  *)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac

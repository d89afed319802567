#!/usr/bin/env bash
# Benchmarks (never run by the tests): results go to target/bench/*.json.
#   jobs/bench.sh sample [ROWS]   sampling: matmul GFLOP/s on the model's shapes, FLOPs/row, inverse-only rows/s and
#                                 model FLOP utilization, end-to-end Parquet rows/s (default 10,000,000 rows), Spark-only
#                                 write rows/s, and local[1] vs local[2] end to end (2,000,000 rows each)
#   jobs/bench.sh train [ROWS]    training: both engines on a 16-column table (default 1,000,000 rows) on local[1] and
#                                 local[2]: time to a common validation NLL, rows/s per core, driver peak heap, scaling
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

java_main() {
  java "${JAVA17_OPENS[@]}" -Xmx"${FLOWSYNTH_DRIVER_MEMORY:-6g}" \
    -Dlog4j2.configurationFile="$FLOWSYNTH_HOME/conf/log4j2.properties" \
    -cp "$FLOWSYNTH_HOME/target/classes:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" "$@"
}

case "${1:-}" in
  sample)
    rows="${2:-10000000}"
    model="$FLOWSYNTH_HOME/target/demo/model"
    [ -f "$model/metadata.json" ] || "$FLOWSYNTH_HOME/jobs/demo.sh"
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample.json" "$rows" 'local[*]'
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample-local1.json" 2000000 'local[1]'
    java_main io.flowsynth.jobs.bench.SampleBench "$model" "$bench/sample-local2.json" 2000000 'local[2]'
    ;;
  train)
    rows="${2:-1000000}"
    table="$bench/train-table.parquet"
    [ -f "$table/_SUCCESS" ] || java_main io.flowsynth.jobs.bench.TrainBench table "$table" "$rows"
    runs=()
    for engine in tree-aggregate dl4j-spark; do
      for master in 'local[1]' 'local[2]'; do
        out="$bench/train-$engine-${master//[^0-9]/}.json"
        java_main io.flowsynth.jobs.bench.TrainBench fit "$table" "$engine" "$master" "${FLOWSYNTH_BENCH_EPOCHS:-2}" "$out"
        runs+=("$out")
      done
    done
    java_main io.flowsynth.jobs.bench.TrainBench merge "$bench/train.json" "${runs[@]}"
    ;;
  density)
    shift
    cd "$FLOWSYNTH_HOME"
    java_main io.flowsynth.jobs.DensityBench --out "$bench" "$@"
    ;;
  *)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

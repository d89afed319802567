#!/usr/bin/env bash
# Benchmarks (not timed tests); results under target/bench/.
#   jobs/bench.sh density [--rows N] [--test-rows N] [--epochs E] [--types realnvp,maf,spline,linear]
#                         [--datasets checkerboard,eight-gaussians,two-moons] [--set key=value]...
#     trains each flow type on 2-d toy densities through the same fit/score CLI code users run and writes
#     target/bench/density.json and density.txt (held-out NLL, gap to the true density, fit time, rows/s).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

run_java() {
  flowsynth_build_if_needed
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  java "${JAVA17_OPENS[@]}" -Xmx"${FLOWSYNTH_DRIVER_MEMORY:-6g}" \
    -Dlog4j2.configurationFile="$FLOWSYNTH_HOME/conf/log4j2.properties" \
    -cp "$FLOWSYNTH_HOME/target/classes:$(cat "$FLOWSYNTH_HOME/target/classpath.txt")" "$@"
}

case "${1:-}" in
  density)
    shift
    cd "$FLOWSYNTH_HOME"
    run_java io.flowsynth.jobs.DensityBench --out "$FLOWSYNTH_HOME/target/bench" "$@"
    ;;
  *)
    usage
    exit 2
    ;;
esac

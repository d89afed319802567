#!/usr/bin/env bash
# flowsynth on a Spark cluster through spark-submit (client deploy mode): the shaded job jar
# target/flowsynth-0.1.0-SNAPSHOT-job.jar, main class io.flowsynth.jobs.FlowsynthCli.
#
#   jobs/submit.sh [--master URL] [--spark-conf key=value]... <command> [CLI options, --conf FILE, --set k=v ...]
#   jobs/submit.sh --master spark://127.0.0.1:7077 run --input data.parquet --output out/ --set flowsynth.train.epochs=2
#
# --master and --spark-conf may stand anywhere on the line; everything else goes to the CLI unchanged (so --conf FILE
# is the flowsynth job file and --set k=v a flowsynth key; Spark settings go with --spark-conf k=v).
# Launcher: $SPARK_HOME/bin/spark-submit when it exists; else `java -cp "$SPARK_HOME/jars/*" ...SparkSubmit` (a
# SPARK_HOME that is only a jars/ folder, like deploy/local-cluster.sh makes); else, with no SPARK_HOME, Spark from the
# project's own target/classpath.txt. Exits with the CLI's exit code (0 ok, 2 bad input, 1 failure).
#
# Environment (optional): FLOWSYNTH_MASTER (default master, else spark://127.0.0.1:7077), FLOWSYNTH_EXECUTOR_MEMORY
# (1g), FLOWSYNTH_DRIVER_MEMORY (2g), FLOWSYNTH_CONF_DIR (conf/), FLOWSYNTH_JOB_JAR (the jar to submit),
# FLOWSYNTH_NO_BUILD=1 (never run Maven; fail if the jar is missing), FLOWSYNTH_LOG_FILE (the driver's log file, default
# logs/flowsynth.log). JavaCPP's native limits (maxbytes, maxphysicalbytes) are set from the driver's and the executors'
# heaps (lib.sh flowsynth_native_opts).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JOB_JAR="${FLOWSYNTH_JOB_JAR:-$FLOWSYNTH_HOME/target/flowsynth-0.1.0-SNAPSHOT-job.jar}"
MAIN_CLASS=io.flowsynth.jobs.FlowsynthCli
export FLOWSYNTH_CONF_DIR="${FLOWSYNTH_CONF_DIR:-$FLOWSYNTH_HOME/conf}"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; }

master="${FLOWSYNTH_MASTER:-spark://127.0.0.1:7077}"
spark_confs=()
cli_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --master) [ $# -ge 2 ] || { echo "submit.sh: --master needs a URL" >&2; exit 2; }; master="$2"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --spark-conf)
      [ $# -ge 2 ] && [[ "$2" == *=* ]] || { echo "submit.sh: --spark-conf needs key=value" >&2; exit 2; }
      spark_confs+=("$2"); shift 2 ;;
    --spark-conf=*) spark_confs+=("${1#--spark-conf=}"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) cli_args+=("$1"); shift ;;
  esac
done
[ ${#cli_args[@]} -gt 0 ] || { usage; exit 2; }

# The job jar, rebuilt when missing or older than the sources (mvn package: the shade plugin writes it).
if [ -z "${FLOWSYNTH_JOB_JAR:-}" ] && [ "${FLOWSYNTH_NO_BUILD:-0}" != 1 ] && { [ ! -f "$JOB_JAR" ] \
     || [ -n "$(find "$FLOWSYNTH_HOME/src/main" "$FLOWSYNTH_HOME/pom.xml" -newer "$JOB_JAR" -print -quit)" ]; }; then
  echo "submit.sh: building the job jar (mvn package) ..." >&2
  (cd "$FLOWSYNTH_HOME" && mvn -q -B -Dstyle.color=never -DskipTests package) >&2
fi
[ -f "$JOB_JAR" ] || { echo "submit.sh: job jar not found: $JOB_JAR (run mvn -DskipTests package)" >&2; exit 1; }

# Spark settings: ours first, then the caller's --spark-conf (same key: the caller wins).
declare -A conf=()
order=()
set_conf() { [ -n "${conf[$1]+x}" ] || order+=("$1"); conf[$1]="$2"; }
set_conf spark.executorEnv.OMP_NUM_THREADS 1            # one BLAS thread per task: Spark runs one task per core
set_conf spark.executor.memory "${FLOWSYNTH_EXECUTOR_MEMORY:-1g}"
loopback=0
case "$master" in
  local*|spark://127.*|spark://localhost[:/]*|spark://localhost) loopback=1 ;;
esac
if [ "$loopback" = 1 ]; then
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  set_conf spark.driver.host 127.0.0.1
fi
for kv in "${spark_confs[@]+"${spark_confs[@]}"}"; do set_conf "${kv%%=*}" "${kv#*=}"; done
# JavaCPP's native limits on the executors, from their heap (flowsynth_native_opts in lib.sh), before any
# extraJavaOptions of the caller's (a -Dorg.bytedeco.javacpp.* of theirs comes later and wins)
executor_native="$(flowsynth_native_opts "${conf[spark.executor.memory]}")"
set_conf spark.executor.extraJavaOptions "$executor_native${conf[spark.executor.extraJavaOptions]:+ ${conf[spark.executor.extraJavaOptions]}}"
submit_confs=()
for k in "${order[@]}"; do submit_confs+=(--conf "$k=${conf[$k]}"); done

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"   # the driver samples and trains nothing, but keep BLAS tame there too
export FLOWSYNTH_MASTER="$master"                  # the CLI reads it when no --master is on its own line
driver_memory="${FLOWSYNTH_DRIVER_MEMORY:-2g}"
log4j="-Dlog4j2.configurationFile=file:$FLOWSYNTH_CONF_DIR/log4j2.properties"
log4j="$log4j -Dflowsynth.log.file=${FLOWSYNTH_LOG_FILE:-$FLOWSYNTH_HOME/logs/flowsynth.log}"
driver_opts="$log4j $(flowsynth_native_opts "$driver_memory")"

if [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  exec "$SPARK_HOME/bin/spark-submit" --master "$master" --deploy-mode client --class "$MAIN_CLASS" \
    --driver-memory "$driver_memory" --driver-java-options "$driver_opts" "${submit_confs[@]}" \
    "$JOB_JAR" "${cli_args[@]}"
fi

if [ -n "${SPARK_HOME:-}" ]; then
  [ -d "$SPARK_HOME/jars" ] || { echo "submit.sh: SPARK_HOME=$SPARK_HOME has neither bin/spark-submit nor jars/" >&2; exit 1; }
  spark_cp="$SPARK_HOME/jars/*"
else
  flowsynth_build_if_needed
  spark_cp="$(cat "$FLOWSYNTH_HOME/target/classpath.txt")"
fi
# What bin/spark-submit does, by hand: in client mode the driver is this JVM, so its heap, Java 17 flags and log
# configuration go on the java command line.
# shellcheck disable=SC2086
exec java "${JAVA17_OPENS[@]}" -Xmx"$driver_memory" $driver_opts -cp "$spark_cp" org.apache.spark.deploy.SparkSubmit \
  --master "$master" --deploy-mode client --class "$MAIN_CLASS" "${submit_confs[@]}" "$JOB_JAR" "${cli_args[@]}"

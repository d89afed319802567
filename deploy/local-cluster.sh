#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, built from Maven Central jars (no Spark tarball needed):
# one master on 127.0.0.1:7077 and two workers (1 core, 2 GiB each), every JVM bound to the loopback address.
#
#   deploy/local-cluster.sh start    # prints the master URL once both workers have registered
#   deploy/local-cluster.sh status   # master URL, web UI and the alive workers
#   deploy/local-cluster.sh stop     # stops the JVMs this script started (PIDs under target/local-cluster/)
#
# SPARK_HOME is target/spark-home: the Spark version of pom.xml and its runtime dependencies, nothing else (see
# make_spark_home). Logs: target/local-cluster/logs/; executor logs: target/local-cluster/work/worker-N/app-*/*/.
# Environment (all optional): FLOWSYNTH_CLUSTER_DIR, FLOWSYNTH_SPARK_HOME, FLOWSYNTH_MASTER_PORT (7077),
# FLOWSYNTH_MASTER_WEBUI_PORT (8080, or the next free port), FLOWSYNTH_WORKERS (2), FLOWSYNTH_WORKER_CORES (1),
# FLOWSYNTH_WORKER_MEMORY (2g), FLOWSYNTH_DAEMON_MEMORY (512m, heap of the master and worker JVMs themselves).
set -euo pipefail

HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -f "$HOME_DIR/jobs/lib.sh" ]; then
  # shellcheck source=../jobs/lib.sh
  source "$HOME_DIR/jobs/lib.sh"
fi
FLOWSYNTH_HOME="${FLOWSYNTH_HOME:-$HOME_DIR}"

CLUSTER_DIR="${FLOWSYNTH_CLUSTER_DIR:-$FLOWSYNTH_HOME/target/local-cluster}"
SPARK_HOME_DIR="${FLOWSYNTH_SPARK_HOME:-$FLOWSYNTH_HOME/target/spark-home}"
HOST=127.0.0.1
MASTER_PORT="${FLOWSYNTH_MASTER_PORT:-7077}"
WORKERS="${FLOWSYNTH_WORKERS:-2}"
WORKER_CORES="${FLOWSYNTH_WORKER_CORES:-1}"
WORKER_MEMORY="${FLOWSYNTH_WORKER_MEMORY:-2g}"
DAEMON_MEMORY="${FLOWSYNTH_DAEMON_MEMORY:-512m}"
MASTER_URL="spark://$HOST:$MASTER_PORT"
PID_DIR="$CLUSTER_DIR/pids"
LOG_DIR="$CLUSTER_DIR/logs"
START_TIMEOUT_S=90

die() { echo "local-cluster: $*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The PID in $1 if that process is alive and still runs the Spark class $2 (guards against PID reuse).
live_pid() {
  local file="$PID_DIR/$1.pid" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  echo "$pid"
}

webui_port() { cat "$CLUSTER_DIR/master-webui-port" 2>/dev/null || echo "${FLOWSYNTH_MASTER_WEBUI_PORT:-8080}"; }

master_json() { curl -fsS --max-time 5 "http://$HOST:$(webui_port)/json/" 2>/dev/null; }

alive_workers() { master_json | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0; }

# SPARK_HOME/jars = Spark's own runtime classpath, resolved by Maven from a two-dependency POM (spark-core, spark-sql at
# the project's version). Not `copy-dependencies -DincludeScope=provided` on pom.xml: jars that DL4J shares with Spark
# (scala-library, slf4j-api, commons-*) are compile scope there and would be missing. Not `-DincludeScope=compile`
# either: that puts DL4J/ND4J on every executor's system classpath, which a real cluster does not have, and would hide
# a job jar that forgot to bundle them.
make_spark_home() {
  local spark_version scala_version jackson_version slf4j_version
  spark_version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$FLOWSYNTH_HOME/pom.xml" | head -1)"
  scala_version="$(sed -n 's:.*<scala.binary.version>\(.*\)</scala.binary.version>.*:\1:p' "$FLOWSYNTH_HOME/pom.xml" | head -1)"
  jackson_version="$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' "$FLOWSYNTH_HOME/pom.xml" | head -1)"
  slf4j_version="$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$FLOWSYNTH_HOME/pom.xml" | head -1)"
  [ -n "$spark_version" ] && [ -n "$scala_version" ] && [ -n "$jackson_version" ] && [ -n "$slf4j_version" ] \
    || die "cannot read spark.version, scala.binary.version, jackson.version or slf4j.version from pom.xml"
  mkdir -p "$SPARK_HOME_DIR"
  local pom
  pom="$(cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by deploy/local-cluster.sh: the runtime of a Spark distribution, from Maven Central. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.flowsynth.local</groupId>
  <artifactId>spark-home</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <!-- The pins of pom.xml, which are the versions a Spark $spark_version distribution ships: Maven's nearest-wins
       would otherwise pick jackson-core 2.14 (NoClassDefFoundError StreamConstraintsException) and slf4j-api 1.7. -->
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>com.fasterxml.jackson</groupId><artifactId>jackson-bom</artifactId><version>$jackson_version</version><type>pom</type><scope>import</scope></dependency>
      <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$slf4j_version</version></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-core_$scala_version</artifactId><version>$spark_version</version></dependency>
    <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_$scala_version</artifactId><version>$spark_version</version></dependency>
  </dependencies>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.6.1</version>
  </plugin></plugins></build>
</project>
EOF
)"
  # Up to date when jars/ was resolved from exactly this POM.
  if [ -f "$SPARK_HOME_DIR/jars/.complete" ] && [ "$pom" = "$(cat "$SPARK_HOME_DIR/pom.xml" 2>/dev/null)" ]; then
    return 0
  fi
  echo "local-cluster: making SPARK_HOME for Spark $spark_version (Scala $scala_version) in $SPARK_HOME_DIR ..." >&2
  printf '%s\n' "$pom" >"$SPARK_HOME_DIR/pom.xml"
  rm -rf "$SPARK_HOME_DIR/jars"
  (cd "$SPARK_HOME_DIR" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=jars) >&2 \
    || die "mvn dependency:copy-dependencies failed (see above)"
  touch "$SPARK_HOME_DIR/jars/.complete"
  echo "local-cluster: SPARK_HOME ready ($(ls "$SPARK_HOME_DIR/jars" | grep -c '\.jar$') jars)" >&2
}

# launch NAME CLASS ARGS...: one daemon JVM in the background, stdout+stderr to logs/NAME.out, PID to pids/NAME.pid.
launch() {
  local name="$1" cls="$2"
  shift 2
  local opens=("${JAVA17_OPENS[@]:-}")
  [ -n "${opens[0]}" ] || opens=()
  SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION="$(ls "$SPARK_HOME_DIR/jars" | sed -n 's/^spark-core_\([0-9.]*\)-.*/\1/p' | head -1)" \
  SPARK_LOCAL_IP="$HOST" SPARK_LOG_DIR="$LOG_DIR" \
    nohup java "${opens[@]}" -Xmx"$DAEMON_MEMORY" -cp "$SPARK_HOME_DIR/jars/*" "$cls" "$@" \
      >"$LOG_DIR/$name.out" 2>&1 </dev/null &
  echo $! >"$PID_DIR/$name.pid"
}

start() {
  if live_pid master deploy.master.Master >/dev/null; then
    echo "local-cluster: already running ($(alive_workers) alive workers)" >&2
    echo "$MASTER_URL"
    return 0
  fi
  command -v curl >/dev/null || die "curl is needed to read the master's JSON status"
  port_in_use "$MASTER_PORT" && die "port $MASTER_PORT is taken by another process; set FLOWSYNTH_MASTER_PORT"
  make_spark_home
  mkdir -p "$PID_DIR" "$LOG_DIR"
  rm -f "$PID_DIR"/*.pid

  local ui="${FLOWSYNTH_MASTER_WEBUI_PORT:-8080}"
  while port_in_use "$ui"; do ui=$((ui + 1)); done
  echo "$ui" >"$CLUSTER_DIR/master-webui-port"

  launch master org.apache.spark.deploy.master.Master --host "$HOST" --port "$MASTER_PORT" --webui-port "$ui"
  local i
  for i in $(seq 1 "$WORKERS"); do
    mkdir -p "$CLUSTER_DIR/work/worker-$i"
    launch "worker-$i" org.apache.spark.deploy.worker.Worker "$MASTER_URL" --host "$HOST" \
      --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" --webui-port 0 --work-dir "$CLUSTER_DIR/work/worker-$i"
  done

  local waited=0
  until [ "$(alive_workers)" -ge "$WORKERS" ]; do
    if ! live_pid master deploy.master.Master >/dev/null; then
      stop >/dev/null 2>&1 || true
      die "the master exited; see $LOG_DIR/master.out"
    fi
    if [ "$waited" -ge "$START_TIMEOUT_S" ]; then
      stop >/dev/null 2>&1 || true
      die "workers did not register within ${START_TIMEOUT_S}s; see $LOG_DIR/"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "local-cluster: master $MASTER_URL, web UI http://$HOST:$ui/, $WORKERS workers registered (logs: $LOG_DIR)" >&2
  echo "$MASTER_URL"
}

status() {
  if ! live_pid master deploy.master.Master >/dev/null; then
    echo "local-cluster: not running"
    return 3
  fi
  echo "master: $MASTER_URL (web UI http://$HOST:$(webui_port)/)"
  echo "alive workers: $(alive_workers)"
  # One line per worker (the master's JSON is pretty-printed, one key per line): id, state, cores used/total.
  master_json | awk -F'"' '
    /"workers" :/ { inw = 1 }
    /"aliveworkers" :/ { inw = 0 }
    inw && /"id" : "worker-/ { id = $4 }
    inw && /"cores" :/ { gsub(/[^0-9]/, "", $3); cores = $3 }
    inw && /"coresused" :/ { gsub(/[^0-9]/, "", $3); used = $3 }
    inw && /"state" :/ { printf "  %s %s cores %s/%s\n", id, $4, used, cores }'
}

stop() {
  local stopped=0 name cls pid
  [ -d "$PID_DIR" ] || { echo "local-cluster: not running" >&2; return 0; }
  # Workers first (each stops its executors), then the master.
  for f in "$PID_DIR"/worker-*.pid "$PID_DIR"/master.pid; do
    [ -f "$f" ] || continue
    name="$(basename "$f" .pid)"
    case "$name" in master) cls=deploy.master.Master ;; *) cls=deploy.worker.Worker ;; esac
    if pid="$(live_pid "$name" "$cls")"; then
      kill "$pid"
      local waited=0
      while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 20 ]; do sleep 0.5; waited=$((waited + 1)); done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      stopped=$((stopped + 1))
    fi
    rm -f "$f"
  done
  echo "local-cluster: stopped $stopped JVMs" >&2
}

case "${1:-}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: deploy/local-cluster.sh start|status|stop" >&2; exit 2 ;;
esac

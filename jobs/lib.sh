# Shared by the launch scripts in jobs/: paths, the Java 17 flags Spark needs, and the local build.
# shellcheck shell=bash
FLOWSYNTH_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Spark's own --add-opens list (org.apache.spark.launcher.JavaModuleOptions) for a driver JVM on Java 17.
JAVA17_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
)

# Compiles the project when target/ is missing or older than the sources, so a fresh checkout just works.
flowsynth_build_if_needed() {
  local cp="$FLOWSYNTH_HOME/target/classpath.txt"
  if [ ! -f "$cp" ] || [ ! -d "$FLOWSYNTH_HOME/target/classes/io" ] \
     || [ -n "$(find "$FLOWSYNTH_HOME/src/main" "$FLOWSYNTH_HOME/pom.xml" -newer "$cp" -print -quit)" ]; then
    echo "flowsynth: building (mvn compile) ..." >&2
    (cd "$FLOWSYNTH_HOME" && mvn -q -B -Dstyle.color=never -DskipTests compile) >&2
    touch "$cp"
  fi
}

# flowsynth_mib SIZE: a JVM size (6g, 3072m, 1536M, 2147483648) in MiB.
flowsynth_mib() {
  local s="${1,,}" n
  n="${s%[kmgt]}"
  case "$s" in
    *t) echo $(( n * 1024 * 1024 )) ;;
    *g) echo $(( n * 1024 )) ;;
    *m) echo "$n" ;;
    *k) echo $(( n / 1024 )) ;;
    *) echo $(( s / 1024 / 1024 )) ;;
  esac
}

# flowsynth_native_opts HEAP: the JavaCPP limits for a JVM with heap HEAP (issue 25; NativeMemory.physicalLimit):
# maxbytes = the heap, maxphysicalbytes (the process's resident memory, heap included) = heap + max(heap/2, 1 GiB).
# Above it ND4J's next allocation fails with an OutOfMemoryError naming maxPhysicalBytes, instead of the machine
# thrashing. An explicit -Dorg.bytedeco.javacpp.* in FLOWSYNTH_JAVA_OPTS comes later on the line and wins.
flowsynth_native_opts() {
  local heap extra
  heap=$(flowsynth_mib "$1")
  extra=$(( heap / 2 > 1024 ? heap / 2 : 1024 ))
  echo "-Dorg.bytedeco.javacpp.maxbytes=${heap}m -Dorg.bytedeco.javacpp.maxphysicalbytes=$(( heap + extra ))m"
}

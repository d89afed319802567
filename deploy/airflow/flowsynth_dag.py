"""flowsynth daily: fit a flow on the day's partition of a table, sample a synthetic twin, score it, gate on quality.

    fit >> sample >> report >> quality_gate

Each Spark step is one `spark-submit` of the flowsynth job jar (SparkSubmitOperator, Spark connection
`FLOWSYNTH_SPARK_CONN_ID`, default `spark_default`: its host is the master URL, e.g. spark://spark-master:7077).
Paths are templated with the run's logical date `{{ ds }}`, so a re-run of a day rewrites that day only
(every step passes --overwrite, which makes retries safe).

The quality gate reads `overall.quality` from the report's fidelity.json and fails the run below
FLOWSYNTH_MIN_QUALITY. It reads a local path, so FLOWSYNTH_BASE must be a filesystem the Airflow worker can also read
(NFS, a mounted volume); with an object store, read the file through a hook in `check_quality` instead.
When the CLI's `report --fail-under quality=0.85` is available, the gate can move into the report task and this
task can go.

Settings are environment variables of the scheduler/workers (defaults in brackets):
    FLOWSYNTH_JOB_JAR        [/opt/flowsynth/flowsynth-job.jar]  the shaded jar (mvn -DskipTests package)
    FLOWSYNTH_INPUT          [/data/loans/ds={{ ds }}]           the real table (Parquet), templated
    FLOWSYNTH_BASE           [/data/flowsynth]                   models/, synthetic/ and reports/ go under it
    FLOWSYNTH_ROWS           [1000000]                            synthetic rows per day
    FLOWSYNTH_MIN_QUALITY    [0.85]                               the gate's threshold on overall.quality
    FLOWSYNTH_SPARK_CONN_ID  [spark_default]
"""

import json
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MAIN_CLASS = "io.flowsynth.jobs.FlowsynthCli"
JOB_JAR = os.environ.get("FLOWSYNTH_JOB_JAR", "/opt/flowsynth/flowsynth-job.jar")
INPUT = os.environ.get("FLOWSYNTH_INPUT", "/data/loans/ds={{ ds }}")
BASE = os.environ.get("FLOWSYNTH_BASE", "/data/flowsynth")
ROWS = os.environ.get("FLOWSYNTH_ROWS", "1000000")
MIN_QUALITY = float(os.environ.get("FLOWSYNTH_MIN_QUALITY", "0.85"))
CONN_ID = os.environ.get("FLOWSYNTH_SPARK_CONN_ID", "spark_default")

MODEL = BASE + "/models/{{ ds }}"
SYNTHETIC = BASE + "/synthetic/{{ ds }}"
REPORT = BASE + "/reports/{{ ds }}"

# Spark settings for every step. OMP_NUM_THREADS=1: ND4J's BLAS must not spawn a thread per core inside each of
# Spark's one-task-per-core executors (two tasks on two cores with default threading ran 10x slower).
# memoryOverhead: ND4J keeps its arrays off the JVM heap.
SPARK_CONF = {
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.executor.memoryOverhead": "1g",
    # resident memory (heap included) capped 256 MB below executor memory + overhead (2g + 1g)
    "spark.executor.extraJavaOptions": "-Dorg.bytedeco.javacpp.maxbytes=1G -Dorg.bytedeco.javacpp.maxphysicalbytes=2816M",
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.kryo.registrator": "org.nd4j.kryo.Nd4jRegistrator",
}


def check_quality(fidelity_path, threshold):
    """Fails (raises ValueError) unless fidelity.json at fidelity_path has overall.quality >= threshold.

    Returns the quality, which Airflow keeps as the task's XCom.
    """
    with open(fidelity_path, encoding="utf-8") as f:
        report = json.load(f)
    quality = report.get("overall", {}).get("quality")
    if quality is None:
        raise ValueError(f"{fidelity_path}: no overall.quality (null or missing): failing the gate")
    if quality < threshold:
        raise ValueError(f"{fidelity_path}: quality {quality:.4f} is below the gate {threshold:.4f}")
    print(f"quality {quality:.4f} >= {threshold:.4f}: gate passed")
    return quality


def flowsynth_step(task_id, args):
    """One spark-submit of the flowsynth CLI with `args` (command first)."""
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id=CONN_ID,
        application=JOB_JAR,
        java_class=MAIN_CLASS,
        application_args=args,
        conf=SPARK_CONF,
        executor_memory="2g",
        driver_memory="2g",
        name=f"flowsynth-{task_id}-{{{{ ds }}}}",
    )


with DAG(
    dag_id="flowsynth",
    description="Fit a normalizing flow on a table, sample a synthetic twin, score it and gate on quality",
    start_date=datetime(2025, 1, 1),
    schedule="@daily",
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["flowsynth", "spark"],
) as dag:
    fit = flowsynth_step("fit", ["fit", "--input", INPUT, "--model", MODEL, "--overwrite"])
    sample = flowsynth_step(
        "sample", ["sample", "--model", MODEL, "--rows", ROWS, "--output", SYNTHETIC, "--overwrite"])
    report = flowsynth_step(
        "report", ["report", "--real", INPUT, "--synthetic", SYNTHETIC, "--output", REPORT, "--model", MODEL,
                   "--overwrite"])
    quality_gate = PythonOperator(
        task_id="quality_gate",
        python_callable=check_quality,
        op_kwargs={"fidelity_path": REPORT + "/fidelity.json", "threshold": MIN_QUALITY},
        retries=0,
    )

    fit >> sample >> report >> quality_gate

"""flowsynth daily: fit a flow on the day's partition of a table, sample a synthetic twin, report and gate on quality.

    fit >> sample >> report

Each step is one `spark-submit` of the flowsynth job jar (SparkSubmitOperator, Spark connection
`FLOWSYNTH_SPARK_CONN_ID`, default `spark_default`: its host is the master URL, e.g. spark://spark-master:7077).
Paths are templated with the run's logical date `{{ ds }}`, so a re-run of a day rewrites that day only
(every step passes --overwrite, which makes retries safe).

The report step gates the run itself: `report --holdout HOLDOUT --fail-under GATES` writes fidelity.json and
index.html first and then exits 3 when a gate is missed, which fails the task (spark-submit returns the driver's exit
code). The holdout is real rows of the day that the model never saw; the upstream job that writes FLOWSYNTH_INPUT
keeps them apart (e.g. a seeded 20% split), so the report can measure overfitting (DCR) and attack risk.

Settings are environment variables of the scheduler/workers (defaults in brackets):
    FLOWSYNTH_JOB_JAR        [/opt/flowsynth/flowsynth-job.jar]        the shaded jar (mvn -DskipTests package)
    FLOWSYNTH_INPUT          [/data/loans/ds={{ ds }}]                 the real training rows (Parquet), templated
    FLOWSYNTH_HOLDOUT        [/data/loans_holdout/ds={{ ds }}]         real rows kept out of FLOWSYNTH_INPUT, templated
    FLOWSYNTH_BASE           [/data/flowsynth]                         models/, synthetic/ and reports/ go under it
    FLOWSYNTH_ROWS           [1000000]                                  synthetic rows per day
    FLOWSYNTH_FAIL_UNDER     [quality=0.85,dcr-overfit=0.9]             the report's --fail-under gates
    FLOWSYNTH_SPARK_CONN_ID  [spark_default]
"""

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

MAIN_CLASS = "io.flowsynth.jobs.FlowsynthCli"
JOB_JAR = os.environ.get("FLOWSYNTH_JOB_JAR", "/opt/flowsynth/flowsynth-job.jar")
INPUT = os.environ.get("FLOWSYNTH_INPUT", "/data/loans/ds={{ ds }}")
BASE = os.environ.get("FLOWSYNTH_BASE", "/data/flowsynth")
ROWS = os.environ.get("FLOWSYNTH_ROWS", "1000000")
HOLDOUT = os.environ.get("FLOWSYNTH_HOLDOUT", "/data/loans_holdout/ds={{ ds }}")
FAIL_UNDER = os.environ.get("FLOWSYNTH_FAIL_UNDER", "quality=0.85,dcr-overfit=0.9")
CONN_ID = os.environ.get("FLOWSYNTH_SPARK_CONN_ID", "spark_default")

MODEL = BASE + "/models/{{ ds }}"
SYNTHETIC = BASE + "/synthetic/{{ ds }}"
REPORT = BASE + "/reports/{{ ds }}"

# Spark settings for every step. OMP_NUM_THREADS=1: ND4J's BLAS must not spawn a thread per core inside each of
# Spark's one-task-per-core executors (two tasks on two cores with default threading ran 10x slower).
# memoryOverhead: ND4J keeps its arrays off the JVM heap; JavaCPP's cap (maxbytes) stays below the overhead, which
# also holds the JVM's own native memory, so running out is a Java exception and not a killed container.
SPARK_CONF = {
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.executor.memoryOverhead": "1g",
    # JavaCPP: off-heap buffers below the overhead (1g); resident memory (heap included) 256 MB below memory + overhead
    "spark.executor.extraJavaOptions": "-Dorg.bytedeco.javacpp.maxbytes=768M -Dorg.bytedeco.javacpp.maxphysicalbytes=2816M",
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.kryo.registrator": "org.nd4j.kryo.Nd4jRegistrator",
}


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
    description="Fit a normalizing flow on a table, sample a synthetic twin, report and gate on quality",
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
        "report", ["report", "--real", INPUT, "--holdout", HOLDOUT, "--synthetic", SYNTHETIC, "--output", REPORT,
                   "--model", MODEL, "--fail-under", FAIL_UNDER, "--overwrite"])

    fit >> sample >> report

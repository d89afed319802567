#!/usr/bin/env python3
"""Checks flowsynth_dag.py without Airflow: installs small stand-ins for the three Airflow modules the DAG imports,
imports the DAG, and asserts its tasks, their order, the spark-submit settings and the quality gate's behaviour.

    python3 deploy/airflow/check_dag.py          # prints "flowsynth_dag.py: OK" or fails with an AssertionError

The stand-ins record constructor arguments and `>>` edges only; they check nothing about Airflow itself, so run the
DAG through `airflow dags test flowsynth 2025-01-01` on a real installation before relying on it.
"""

import importlib.util
import json
import os
import re
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))


class StubDag:
    current = None

    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = {}

    def __enter__(self):
        StubDag.current = self
        return self

    def __exit__(self, *exc):
        StubDag.current = None
        return False


class StubOperator:
    def __init__(self, task_id, **kwargs):
        assert StubDag.current is not None, f"task {task_id} created outside a DAG context"
        assert task_id not in StubDag.current.tasks, f"duplicate task id {task_id}"
        self.task_id = task_id
        self.kwargs = kwargs
        self.upstream = set()
        self.downstream = set()
        StubDag.current.tasks[task_id] = self

    def __rshift__(self, other):
        self.downstream.add(other.task_id)
        other.upstream.add(self.task_id)
        return other


class StubSparkSubmitOperator(StubOperator):
    pass


class StubPythonOperator(StubOperator):
    pass


def install_stubs():
    modules = {
        "airflow": {"DAG": StubDag},
        "airflow.operators": {},
        "airflow.operators.python": {"PythonOperator": StubPythonOperator},
        "airflow.providers": {},
        "airflow.providers.apache": {},
        "airflow.providers.apache.spark": {},
        "airflow.providers.apache.spark.operators": {},
        "airflow.providers.apache.spark.operators.spark_submit": {"SparkSubmitOperator": StubSparkSubmitOperator},
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        module.__path__ = []  # a package, so submodule imports resolve through sys.modules
        for key, value in attrs.items():
            setattr(module, key, value)
        sys.modules[name] = module


def load_dag_module():
    spec = importlib.util.spec_from_file_location("flowsynth_dag", os.path.join(HERE, "flowsynth_dag.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pom_job_jar_name():
    pom = open(os.path.join(PROJECT, "pom.xml"), encoding="utf-8").read()
    artifact = re.search(r"<artifactId>(flowsynth)</artifactId>", pom).group(1)
    version = re.search(r"<version>([^<]+)</version>", pom.split("</parent>")[-1]).group(1)
    classifier = re.search(r"<shadedClassifierName>([^<]+)</shadedClassifierName>", pom).group(1)
    return f"{artifact}-{version}-{classifier}.jar"


def check_gate(check_quality):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fidelity.json")

        def write(quality):
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"overall": {"quality": quality, "column_shapes": 0.9, "column_pair_trends": None}}, f)

        write(0.91)
        assert check_quality(path, 0.85) == 0.91
        for bad in (0.84, None):
            write(bad)
            try:
                check_quality(path, 0.85)
            except ValueError:
                pass
            else:
                raise AssertionError(f"gate passed with quality {bad}")


def main():
    install_stubs()
    module = load_dag_module()
    dag = module.dag
    tasks = dag.tasks

    assert dag.dag_id == "flowsynth"
    assert set(tasks) == {"fit", "sample", "report", "quality_gate"}, sorted(tasks)
    edges = {(up, down) for t in tasks.values() for down in t.downstream for up in [t.task_id]}
    assert edges == {("fit", "sample"), ("sample", "report"), ("report", "quality_gate")}, sorted(edges)
    for t in tasks.values():  # both directions recorded
        assert all(t.task_id in tasks[d].upstream for d in t.downstream)

    for task_id in ("fit", "sample", "report"):
        kw = tasks[task_id].kwargs
        assert isinstance(tasks[task_id], StubSparkSubmitOperator)
        assert kw["java_class"] == "io.flowsynth.jobs.FlowsynthCli"
        assert kw["application"].endswith(".jar")
        assert kw["conf"]["spark.executorEnv.OMP_NUM_THREADS"] == "1"
        args = kw["application_args"]
        assert args[0] == task_id, args
        assert all(isinstance(a, str) for a in args), args
        assert any("{{ ds }}" in a for a in args), f"{task_id}: no path templated with {{{{ ds }}}}: {args}"
        assert "--overwrite" in args, f"{task_id}: retries need --overwrite"
    fit, sample, report = (tasks[t].kwargs["application_args"] for t in ("fit", "sample", "report"))
    model = fit[fit.index("--model") + 1]
    assert sample[sample.index("--model") + 1] == model
    assert report[report.index("--synthetic") + 1] == sample[sample.index("--output") + 1]
    assert report[report.index("--real") + 1] == fit[fit.index("--input") + 1]

    gate = tasks["quality_gate"]
    assert isinstance(gate, StubPythonOperator)
    gate_path = gate.kwargs["op_kwargs"]["fidelity_path"]
    assert gate_path == report[report.index("--output") + 1] + "/fidelity.json", gate_path
    assert gate.kwargs["python_callable"] is module.check_quality
    check_gate(module.check_quality)

    # The default jar path is the one the Dockerfile installs; the pom builds it under the pom's name.
    dockerfile = open(os.path.join(PROJECT, "deploy", "docker", "Dockerfile"), encoding="utf-8").read()
    assert module.JOB_JAR in dockerfile, f"Dockerfile does not install {module.JOB_JAR}"
    assert pom_job_jar_name() in dockerfile, f"Dockerfile does not copy {pom_job_jar_name()}"

    print("flowsynth_dag.py: OK (tasks fit >> sample >> report >> quality_gate)")


if __name__ == "__main__":
    main()

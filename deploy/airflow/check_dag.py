#!/usr/bin/env python3
"""Checks flowsynth_dag.py without Airflow, the way Airflow's DagBag import would, plus flowsynth's own contract.

    python3 deploy/airflow/check_dag.py          # prints "flowsynth_dag.py: OK ..." or fails with an AssertionError

Airflow cannot be installed on the build machines: the only package registries they reach are Maven Central, Debian
(which packages no Airflow: `apt-cache search airflow` finds nothing) and npm; PyPI is not reachable
(`pip download apache-airflow` finds no versions). So this script installs stand-ins for the modules the DAG
imports, and the stand-ins check what DagBag's import of a DAG file checks (Airflow 2.x):
- the file imports without error and defines exactly one DAG object at module level;
- DAG and operator keyword arguments exist in the real signatures (a misspelt one is a TypeError in Airflow too);
- dag_id and task ids match Airflow's KEY_REGEX ^[\w.-]+$ and are at most 250 characters; task ids are unique;
- every task belongs to the DAG, `>>` links tasks of the same DAG, and the graph has no cycle (DagBag's
  check_cycle); default_args only holds BaseOperator arguments; schedule is a cron preset or a 5-field cron string;
- the templated fields (SparkSubmitOperator.template_fields) are valid Jinja: balanced {{ }} and known macros.
Then flowsynth's contract: the steps' options are ones the CLI accepts (read from FlowsynthCli.java), the paths
flow from step to step, and the report gates the run with --fail-under and a --holdout. Run
`airflow dags test flowsynth 2025-01-01` on a real installation before relying on the DAG in production.
"""

import importlib.util
import os
import re
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(os.path.dirname(HERE))


KEY_REGEX = re.compile(r"^[\w.-]+$")
# Keyword arguments of airflow.models.dag.DAG (2.x) that a DAG file may pass; others are a TypeError.
DAG_ARGS = {"description", "schedule", "schedule_interval", "timetable", "start_date", "end_date", "full_filepath",
            "template_searchpath", "template_undefined", "user_defined_macros", "user_defined_filters",
            "default_args", "concurrency", "max_active_tasks", "max_active_runs", "max_consecutive_failed_dag_runs",
            "dagrun_timeout", "sla_miss_callback", "default_view", "orientation", "catchup", "on_success_callback",
            "on_failure_callback", "doc_md", "params", "access_control", "is_paused_upon_creation", "jinja_environment_kwargs",
            "render_template_as_native_obj", "tags", "owner_links", "auto_register", "fail_stop", "dag_display_name"}
# BaseOperator (2.x) arguments usable in default_args and on every operator.
BASE_ARGS = {"task_id", "owner", "email", "email_on_retry", "email_on_failure", "retries", "retry_delay",
             "retry_exponential_backoff", "max_retry_delay", "start_date", "end_date", "depends_on_past",
             "ignore_first_depends_on_past", "wait_for_past_depends_before_skipping", "wait_for_downstream", "dag",
             "params", "default_args", "priority_weight", "weight_rule", "queue", "pool", "pool_slots", "sla",
             "execution_timeout", "on_execute_callback", "on_failure_callback", "on_success_callback",
             "on_retry_callback", "on_skipped_callback", "pre_execute", "post_execute", "trigger_rule", "resources",
             "run_as_user", "task_concurrency", "max_active_tis_per_dag", "max_active_tis_per_dagrun",
             "executor", "executor_config", "do_xcom_push", "multiple_outputs", "inlets", "outlets", "task_group",
             "doc", "doc_md", "doc_json", "doc_yaml", "doc_rst", "task_display_name", "logger_name",
             "allow_nested_operators"}
# SparkSubmitOperator (apache-airflow-providers-apache-spark 4.x) arguments and template fields.
SPARK_SUBMIT_ARGS = {"application", "conf", "conn_id", "files", "py_files", "archives", "driver_class_path", "jars",
                     "java_class", "packages", "exclude_packages", "repositories", "total_executor_cores",
                     "executor_cores", "executor_memory", "driver_memory", "keytab", "principal", "proxy_user",
                     "name", "num_executors", "status_poll_interval", "application_args", "env_vars", "verbose",
                     "spark_binary", "properties_file", "yarn_queue", "deploy_mode", "use_krb5ccache"}
SPARK_SUBMIT_TEMPLATE_FIELDS = ("application", "conf", "files", "py_files", "jars", "driver_class_path", "packages",
                                "exclude_packages", "keytab", "principal", "proxy_user", "name", "application_args",
                                "env_vars", "properties_file")
CRON_PRESETS = {None, "@once", "@continuous", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"}
# Template variables of a task's context that flowsynth's DAG may use.
TEMPLATE_VARIABLES = {"ds", "ds_nodash", "ts", "ts_nodash", "logical_date", "data_interval_start",
                      "data_interval_end", "prev_ds", "next_ds", "run_id", "dag", "task", "params", "macros"}


class StubDag:
    current = None
    created = []

    def __init__(self, dag_id, **kwargs):
        unknown = set(kwargs) - DAG_ARGS
        if unknown:
            raise TypeError(f"DAG.__init__() got unexpected keyword arguments {sorted(unknown)}")
        assert KEY_REGEX.match(dag_id) and len(dag_id) <= 250, f"invalid dag_id {dag_id!r}"
        schedule = kwargs.get("schedule")
        assert schedule in CRON_PRESETS or (isinstance(schedule, str) and len(schedule.split()) == 5), \
            f"schedule {schedule!r} is neither a preset nor a cron expression"
        bad_defaults = set(kwargs.get("default_args", {})) - BASE_ARGS
        assert not bad_defaults, f"default_args not of BaseOperator: {sorted(bad_defaults)}"
        assert kwargs.get("start_date") is not None, "a scheduled DAG needs a start_date"
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks = {}
        StubDag.created.append(self)

    def __enter__(self):
        StubDag.current = self
        return self

    def __exit__(self, *exc):
        StubDag.current = None
        return False

    def check_cycle(self):
        """DagBag's cycle check: a depth-first search over downstream edges."""
        state = {}

        def visit(task_id, path):
            if state.get(task_id) == "done":
                return
            assert state.get(task_id) != "visiting", f"cycle: {' >> '.join(path + [task_id])}"
            state[task_id] = "visiting"
            for d in self.tasks[task_id].downstream:
                visit(d, path + [task_id])
            state[task_id] = "done"

        for t in self.tasks:
            visit(t, [])


class StubOperator:
    ARGS = set()
    TEMPLATE_FIELDS = ()

    def __init__(self, task_id, **kwargs):
        unknown = set(kwargs) - self.ARGS - BASE_ARGS
        if unknown:
            raise TypeError(f"{type(self).__name__}(task_id={task_id!r}) got unexpected keyword arguments "
                            f"{sorted(unknown)}")
        assert StubDag.current is not None, f"task {task_id} created outside a DAG context"
        assert KEY_REGEX.match(task_id) and len(task_id) <= 250, f"invalid task_id {task_id!r}"
        assert task_id not in StubDag.current.tasks, f"duplicate task id {task_id}"
        self.dag = StubDag.current
        self.task_id = task_id
        self.kwargs = kwargs
        self.upstream = set()
        self.downstream = set()
        StubDag.current.tasks[task_id] = self
        for field in self.TEMPLATE_FIELDS:
            check_template(task_id, field, kwargs.get(field))

    def __rshift__(self, other):
        assert other.dag is self.dag, f"{self.task_id} >> {other.task_id}: tasks of different DAGs"
        self.downstream.add(other.task_id)
        other.upstream.add(self.task_id)
        return other


def check_template(task_id, field, value):
    """Every string inside a templated field must be valid Jinja with known context variables."""
    if isinstance(value, dict):
        for v in value.values():
            check_template(task_id, field, v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            check_template(task_id, field, v)
    elif isinstance(value, str):
        assert value.count("{{") == value.count("}}"), f"{task_id}.{field}: unbalanced braces in {value!r}"
        for expr in re.findall(r"{{(.*?)}}", value):
            name = re.match(r"\s*([A-Za-z_][\w]*)", expr)
            assert name and name.group(1) in TEMPLATE_VARIABLES, f"{task_id}.{field}: unknown template {expr!r}"


class StubSparkSubmitOperator(StubOperator):
    ARGS = SPARK_SUBMIT_ARGS
    TEMPLATE_FIELDS = SPARK_SUBMIT_TEMPLATE_FIELDS


class StubPythonOperator(StubOperator):
    ARGS = {"python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts", "show_return_value_in_logs"}
    TEMPLATE_FIELDS = ("templates_dict", "op_args", "op_kwargs")


def cli_options():
    """command -> the options FlowsynthCli accepts (value options and flags), read from its source."""
    src = open(os.path.join(PROJECT, "src", "main", "java", "io", "flowsynth", "jobs", "FlowsynthCli.java"),
               encoding="utf-8").read()
    options = {}
    for command, names in re.findall(r'VALUE_OPTIONS\.put\("([\w-]+)", Set\.of\(([^)]*)\)', src, re.S):
        options[command] = set(re.findall(r'"([\w-]+)"', names)) | {"overwrite"}
    options["fit"].add("resume")
    return options


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


def main():
    install_stubs()
    module = load_dag_module()
    dags = [v for v in vars(module).values() if isinstance(v, StubDag)]
    assert len(dags) == 1 and StubDag.created == dags, "the file must define exactly one DAG at module level"
    dag = module.dag
    tasks = dag.tasks
    dag.check_cycle()

    assert dag.dag_id == "flowsynth"
    assert set(tasks) == {"fit", "sample", "report"}, sorted(tasks)
    edges = {(up, down) for t in tasks.values() for down in t.downstream for up in [t.task_id]}
    assert edges == {("fit", "sample"), ("sample", "report")}, sorted(edges)
    for t in tasks.values():  # both directions recorded
        assert all(t.task_id in tasks[d].upstream for d in t.downstream)

    accepted = cli_options()
    for task_id in ("fit", "sample", "report"):
        kw = tasks[task_id].kwargs
        assert isinstance(tasks[task_id], StubSparkSubmitOperator)
        assert kw["java_class"] == "io.flowsynth.jobs.FlowsynthCli"
        assert kw["application"].endswith(".jar")
        assert kw["conf"]["spark.executorEnv.OMP_NUM_THREADS"] == "1"
        args = kw["application_args"]
        assert args[0] == task_id, args
        assert all(isinstance(a, str) for a in args), args
        options = [a[2:] for a in args if a.startswith("--")]
        unknown = set(options) - accepted[task_id]
        assert not unknown, f"{task_id}: options the CLI does not accept: {sorted(unknown)}"
        assert any("{{ ds }}" in a for a in args), f"{task_id}: no path templated with {{{{ ds }}}}: {args}"
        assert "--overwrite" in args, f"{task_id}: retries need --overwrite"
        # JavaCPP's cap must stay below the executor's memory overhead (deploy/README.md)
        maxbytes = re.search(r"javacpp\.maxbytes=(\d+)([MG])", kw["conf"]["spark.executor.extraJavaOptions"])
        overhead = re.fullmatch(r"(\d+)([mg])", kw["conf"]["spark.executor.memoryOverhead"])
        mib = lambda n, u: int(n) * (1024 if u.lower() == "g" else 1)
        assert mib(*maxbytes.groups()) < mib(*overhead.groups()), "javacpp.maxbytes must stay below memoryOverhead"
    fit, sample, report = (tasks[t].kwargs["application_args"] for t in ("fit", "sample", "report"))
    model = fit[fit.index("--model") + 1]
    assert sample[sample.index("--model") + 1] == model
    assert report[report.index("--synthetic") + 1] == sample[sample.index("--output") + 1]
    assert report[report.index("--real") + 1] == fit[fit.index("--input") + 1]
    assert report[report.index("--model") + 1] == model

    # the report gates the run (exit 3 fails the task) and measures privacy against rows the model never saw
    gates = report[report.index("--fail-under") + 1]
    names = [g.split("=")[0] for g in gates.split(",")]
    assert "quality" in names, gates
    assert set(names) <= {"quality", "column-shapes", "column-pair-trends", "dcr-overfit", "exact-copy-rate",
                          "privacy-risk"}, gates
    for g in gates.split(","):
        float(g.split("=")[1])
    holdout = report[report.index("--holdout") + 1]
    assert holdout != fit[fit.index("--input") + 1], "the holdout must not be the training input"

    # The default jar path is the one the Dockerfile installs; the pom builds it under the pom's name.
    dockerfile = open(os.path.join(PROJECT, "deploy", "docker", "Dockerfile"), encoding="utf-8").read()
    assert module.JOB_JAR in dockerfile, f"Dockerfile does not install {module.JOB_JAR}"
    assert pom_job_jar_name() in dockerfile, f"Dockerfile does not copy {pom_job_jar_name()}"

    print("flowsynth_dag.py: OK (tasks fit >> sample >> report, report --fail-under " + gates + " --holdout)")


if __name__ == "__main__":
    main()

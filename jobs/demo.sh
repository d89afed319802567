#!/usr/bin/env bash
# The demo: generates the bundled loans table (50,000 rows, once) and runs fit + sample + report on it into
# target/demo/. Extra arguments go to `run` (e.g. --set flowsynth.train.epochs=5).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
data="$FLOWSYNTH_HOME/target/demo-data/loans.parquet"
out="$FLOWSYNTH_HOME/target/demo"

if [ ! -f "$data/_SUCCESS" ]; then
  "$FLOWSYNTH_HOME/jobs/flowsynth" generate-demo --output "$data" --rows 50000 --overwrite
fi
start=$(date +%s)
"$FLOWSYNTH_HOME/jobs/flowsynth" run --input "$data" --output "$out" --overwrite "$@"
echo
echo "demo finished in $(( $(date +%s) - start )) s"
echo "  input table:     $data"
echo "  model:           $out/model/metadata.json"
echo "  synthetic table: $out/synthetic/ (Parquet)"
echo "  fidelity report: $out/report/fidelity.json"
echo "  report page:     $out/report/index.html (jobs/check-report-page.sh takes a screenshot)"

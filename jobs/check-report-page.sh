#!/usr/bin/env bash
# Renders a report page (index.html) in a real browser and takes a screenshot, to check by eye that it displays:
# overall scores, privacy verdict, sortable column table, one chart per column and the pair heat map.
#
#   jobs/check-report-page.sh [REPORT_DIR_OR_INDEX_HTML] [SCREENSHOT.png]
#
# Defaults: target/demo/report/index.html (written by jobs/demo.sh) and target/report-page.png.
# Needs Debian's chromium (apt-get install -y chromium); without it the script says so and exits 0, so CI that lacks a
# browser does not fail. It exits 1 if the page is missing or chromium produced no screenshot. The browser runs
# headless with networking extras off and a throw-away profile; the page itself loads nothing from the network.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
page="${1:-$here/target/demo/report/index.html}"
shot="${2:-$here/target/report-page.png}"
[ -d "$page" ] && page="$page/index.html"
if [ ! -f "$page" ]; then
  echo "check-report-page: no page at $page (run jobs/demo.sh or flowsynth report first)" >&2
  exit 1
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "check-report-page: chromium not installed; skipping (apt-get install -y chromium)"
  exit 0
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$shot")"
rm -f "$shot"
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$shot" --window-size="${WINDOW_SIZE:-1280,2000}" "file://$(cd "$(dirname "$page")" && pwd)/$(basename "$page")" \
  >/dev/null 2>&1 || true
if [ ! -s "$shot" ]; then
  echo "check-report-page: chromium wrote no screenshot for $page" >&2
  exit 1
fi
echo "screenshot: $shot ($(stat -c %s "$shot") bytes) of $page"

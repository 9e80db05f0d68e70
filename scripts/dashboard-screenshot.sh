#!/usr/bin/env bash
# The dashboard of a running service as headless Chromium draws it: screenshots at desktop (1280x2000) and phone
# (375x1400) size and the DOM after the page's script ran, then one line per section (ready, empty, unavailable…).
# Usage: scripts/dashboard-screenshot.sh [BASE_URL] [API_KEY] [OUT_DIR]
#   defaults: http://localhost:5080, $RECONCILE_API_KEY or the Development key rk_dev_local_only_key, ./dashboard-artifacts
# Exits 1 when the page shows an error banner (a refused key, an unreachable service) or did not finish loading.
set -euo pipefail
BASE=${1:-http://localhost:5080}
KEY=${2:-${RECONCILE_API_KEY:-rk_dev_local_only_key}}
OUT=${3:-dashboard-artifacts}

if ! command -v chromium >/dev/null; then
  echo "chromium is not on PATH; on Debian or Ubuntu: sudo apt-get install -y --no-install-recommends chromium" >&2
  exit 1
fi
mkdir -p "$OUT"
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
# The key travels in the fragment (never sent to the server; the page moves it to session storage).
PAGE="${BASE%/}/dashboard#key=$KEY"
SANDBOX=()
[ "$(id -u)" = 0 ] && SANDBOX=(--no-sandbox)   # Chromium refuses to run as root with its sandbox

browse() {
  chromium --headless=new "${SANDBOX[@]}" --disable-gpu --virtual-time-budget=10000 --user-data-dir="$PROFILE" \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync "$@" 2>/dev/null
}

browse --window-size=1280,2000 --dump-dom "$PAGE" > "$OUT/dashboard.html"
browse --window-size=1280,2000 --hide-scrollbars --screenshot="$OUT/dashboard-1280x2000.png" "$PAGE" >/dev/null
browse --window-size=375,1400 --hide-scrollbars --screenshot="$OUT/dashboard-375x1400.png" "$PAGE" >/dev/null

echo "screenshots: $OUT/dashboard-1280x2000.png $OUT/dashboard-375x1400.png; DOM: $OUT/dashboard.html"
grep -o '<section[^>]*>' "$OUT/dashboard.html" \
  | sed -n 's/.*data-testid="section-\([a-z-]*\)".*data-state="\([a-z]*\)".*/  \1: \2/p'
page_state=$(grep -o '<main[^>]*>' "$OUT/dashboard.html" | sed -n 's/.*data-state="\([a-z]*\)".*/\1/p')
banner=$(grep -o '<div[^>]*data-testid="banner"[^>]*>[^<]*' "$OUT/dashboard.html" || true)
if [[ "$banner" == *'data-kind="error"'* ]]; then
  echo "error shown: ${banner##*>}" >&2
  exit 1
fi
if [ "$page_state" != ready ]; then
  echo "the page is '$page_state', not ready" >&2
  exit 1
fi

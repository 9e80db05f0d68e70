#!/usr/bin/env bash
# Benchmarks, one section per subcommand: scripts/bench.sh engine [--sizes 10000,100000,1000000] [--iterations 5] [--seed 42] [--phases] [--alloc-types] [--encoded]
# Each section builds in Release and fails (non-zero exit) when its correctness check fails.
# engine, ingest, runs, scale and save also print DuckDB's time on the same data (tests/ReconcileApi.Benchmarks/DuckDbYardstick.cs).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

usage() {
  echo "usage: $0 <section> [options]" >&2
  echo "sections:" >&2
  echo "  engine   reconcile synthetic store x Keap datasets in memory (10k, 100k, 1M per side by default) [--phases: each phase's time and MB allocated] [--alloc-types: allocations sampled by type] [--encoded: as a run holds them]" >&2
  echo "  ingest   POST orders through HTTP into the SQLite default [--orders 200000] [--clients 2]" >&2
  echo "  runs     a run end to end over stored orders, twice, then page latency with wrk [--orders 200000] [--seconds 20] [--connections 8]" >&2
  echo "  monitoring  run end → webhook latency (median of 20), then page p99 and a run with 1,000 deliveries queued to a 2 s target [--runs 20] [--backlog 1000] [--seconds 10] [--per-target 60]" >&2
  echo "  scale       the whole path at a million orders a side (ingest over HTTP, two runs, page latency) beside DuckDB's bare join [--orders 1000000] [--clients 4] [--seconds 20] [--connections 8] [--in-order: orders sent in date order, not shuffled] [--snapshot DIR: keep the database after the ingest] [--from-snapshot DIR: start there, skip the ingest] [--resend: with --from-snapshot, send the store side again twice, unchanged] [--add N: with --from-snapshot, time N new store orders on top and stop]" >&2
  echo "  save        a run's save alone: the findings over a million orders a side applied and committed three times (new, then persisting) [--orders 1000000] [--rounds 3]" >&2
  echo "  workers     8 workspaces ask for a run at once, served by 1, 2 and 4 Hangfire workers (runs/hour, orders/s) [--workspaces 8] [--orders 20000] [--workers 1,2,4] [--rounds 3]" >&2
  exit 2
}

bench_engine() {
  # The harness verifies that the engine reports exactly the injected discrepancies before timing it.
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- engine "$@"
}

bench_ingest() {
  # Every receipt is checked (all inserted, then all unchanged) before a rate is reported.
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- ingest "$@"
}

bench_runs() {
  # wrk generates the page load from its own process (Debian's package).
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- runs "$@"
}

bench_monitoring() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- monitoring "$@"
}

bench_scale() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- scale "$@"
}

bench_save() {
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- save "$@"
}

bench_workers() {
  dotnet run -c Release --project tests/ReconcileApi.Benchmarks -- workers "$@"
}

section="${1:-}"
[[ -n "$section" ]] || usage
shift
case "$section" in
  engine) bench_engine "$@" ;;
  ingest) bench_ingest "$@" ;;
  runs) bench_runs "$@" ;;
  monitoring) bench_monitoring "$@" ;;
  scale) bench_scale "$@" ;;
  save) bench_save "$@" ;;
  workers) bench_workers "$@" ;;
  *) echo "unknown section: $section" >&2; usage ;;
esac

#!/usr/bin/env bash
# Adds a migration named $1 to both providers' folders (one model, one migrations folder per provider).
set -euo pipefail
name="${1:?usage: scripts/add-migration.sh MigrationName}"
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite SqlServer; do
  dotnet ef migrations add "$name" \
    --project src/ReconcileApi --startup-project src/ReconcileApi \
    --context "${provider}ReconcileDbContext" \
    --output-dir "Data/Migrations/${provider}"
done

#!/usr/bin/env bash
# Rewrites api-spec/openapi.json from the live OpenAPI document; review the diff and commit it.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_API_SPEC=1 dotnet test tests/ReconcileApi.Tests --filter "FullyQualifiedName~ContractTests"
git --no-pager diff --stat -- api-spec/openapi.json || true

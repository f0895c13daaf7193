#!/usr/bin/env bash
# Lints the committed OpenAPI document as an integrator's CI would: Spectral (spectral:oas) and
# Redocly (recommended), at pinned versions, failing on any error or warning. OpenApiDocumentTest
# (run by ./mvnw verify) keeps the committed copy equal to the document the service serves.
set -euo pipefail
cd "$(dirname "$0")"
SPECTRAL=@stoplight/spectral-cli@6.16.3
REDOCLY=@redocly/cli@2.77.0
if ! command -v npx >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "lint.sh needs npx (Node.js 20.19+ with npm)" >&2
        exit 1
    fi
fi
export NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
echo "== Spectral $SPECTRAL (spectral:oas)"
npx --yes "$SPECTRAL" lint rapport-v1.yaml --ruleset spectral.yaml --fail-severity=hint
echo "== Redocly $REDOCLY (recommended, warnings as errors)"
npx --yes "$REDOCLY" lint rapport-v1.yaml --config redocly.yaml

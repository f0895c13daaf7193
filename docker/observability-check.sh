#!/usr/bin/env bash
# Observability check for Rapport.
#
# Run from the repository root after `./mvnw verify` has built
# target/quarkus-app/quarkus-run.jar:
#
#   bash docker/observability-check.sh
#
# 1. promtool: check the Prometheus config and rules, run the rule unit tests.
# 2. Start the service on loopback ports (API 18080, management 19000) with an
#    embedded database in a temporary directory, ingest a few visits and ratings
#    (and one invalid visit) and lint its metrics with `promtool check metrics`.
# 3. Start a throw-away Prometheus on 127.0.0.1:19090 that scrapes the service
#    every second and loads the alert rules, then evaluate every PromQL expression
#    of the Grafana dashboard and of the rules against it.
#
# Environment knobs:
#   OBS_READY_TIMEOUT   seconds to wait for the service to become ready (default 90)
#
# Every wait is bounded; the service and Prometheus are stopped and temporary
# directories removed on exit. Only 127.0.0.1 is contacted.
set -euo pipefail

HTTP_PORT=18080
MGMT_PORT=19000
PROM_PORT=19090
READY_TIMEOUT="${OBS_READY_TIMEOUT:-90}"
PROM_TIMEOUT=60

JAR=target/quarkus-app/quarkus-run.jar
PROM_CONFIG=docker/prometheus/prometheus.yml
RULES=docker/prometheus/rules/rapport.rules.yml
RULE_TESTS=docker/prometheus/rules/rapport.rules.test.yml
DASHBOARD=docker/grafana/dashboards/rapport.json

API="http://127.0.0.1:${HTTP_PORT}"
MGMT="http://127.0.0.1:${MGMT_PORT}"

log() { printf '[observability] %s\n' "$*"; }
die() {
  printf '[observability] FAIL: %s\n' "$*" >&2
  exit 1
}

TMP_ROOT=""
DB_DIR=""
APP_PID=""
PROM_PID=""

stop_pid() { # pid name grace_seconds
  local pid=$1 name=$2 grace=$3 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) did not stop within ${grace}s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  stop_pid "$PROM_PID" prometheus 10
  stop_pid "$APP_PID" rapport 30
  [ -n "$DB_DIR" ] && rm -rf "$DB_DIR"
  [ -n "$TMP_ROOT" ] && rm -rf "$TMP_ROOT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ------------------------------------------------------------------ prerequisites
if [ ! -f "$RULES" ] || [ ! -f "$DASHBOARD" ]; then die "run this script from the repository root"; fi

ensure_prometheus() {
  if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "promtool is missing: install Debian's prometheus package"
    sudo=sudo
  fi
  log "installing Debian's prometheus package (promtool)"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package starts its own server on :9090 where an init system runs. This
  # check runs its own server on ${PROM_PORT}; keep the packaged one stopped.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/prometheus ]; then
    $sudo /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
  command -v promtool >/dev/null 2>&1 || die "promtool still missing after installing prometheus"
}

ensure_prometheus
for tool in java curl python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

# ------------------------------------------------------------------ static checks
log "promtool check config $PROM_CONFIG"
promtool check config "$PROM_CONFIG"
log "promtool check rules $RULES"
promtool check rules "$RULES"
log "promtool test rules $RULE_TESTS"
promtool test rules "$RULE_TESTS"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$DASHBOARD" || die "$DASHBOARD is not valid JSON"

# ------------------------------------------------------------------ start the service
[ -f "$JAR" ] || die "$JAR not found: build it first with ./mvnw verify"
for port in "$HTTP_PORT" "$MGMT_PORT" "$PROM_PORT"; do
  if port_in_use "$port"; then die "port $port on 127.0.0.1 is already in use"; fi
done

TMP_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/rapport-observability.XXXXXX")"
DB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/rapport-observability-db.XXXXXX")"
APP_LOG="$TMP_ROOT/rapport.log"

# The prod jar trusts only a configured issuer and refuses weak keys: this check is its own
# issuer (a key pair made here, tokens minted by docker/token/mint-token.sh).
KEYS_DIR="$TMP_ROOT/keys"
mkdir -p "$KEYS_DIR"
ISSUER=https://observability-check.local
TOKEN="$(KEYS_DIR="$KEYS_DIR" JWT_ISSUER="$ISSUER" sh docker/token/mint-token.sh observability-check '["ingest"]' '["*"]')"

log "starting $JAR (API 127.0.0.1:$HTTP_PORT, management 127.0.0.1:$MGMT_PORT)"
env QUARKUS_HTTP_HOST=127.0.0.1 \
  QUARKUS_HTTP_PORT="$HTTP_PORT" \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
  QUARKUS_MANAGEMENT_PORT="$MGMT_PORT" \
  RAPPORT_EMBEDDED_DB_DATA_DIR="$DB_DIR" \
  RAPPORT_PSEUDONYM_KEY="$(openssl rand -base64 48)" \
  MP_JWT_VERIFY_PUBLICKEY_LOCATION="$KEYS_DIR/public.pem" \
  MP_JWT_VERIFY_ISSUER="$ISSUER" \
  RAPPORT_METRICS_CLINIC_LABELS=true \
  RAPPORT_METRICS_REFRESH_INTERVAL=5s \
  java -jar "$JAR" >"$APP_LOG" 2>&1 </dev/null &
APP_PID=$!

app_log_tail() {
  log "last lines of the service log:"
  tail -n 60 "$APP_LOG" | sed 's/^/    /' >&2 || true
}

started=$SECONDS
deadline=$((SECONDS + READY_TIMEOUT))
while :; do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$MGMT/q/health/ready" || true)"
  [ "$code" = 200 ] && break
  if ! kill -0 "$APP_PID" 2>/dev/null; then
    app_log_tail
    die "the service exited before it became ready"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    app_log_tail
    die "the service was not ready within ${READY_TIMEOUT}s (last /q/health/ready status: $code)"
  fi
  sleep 1
done
log "service ready after $((SECONDS - started))s"

# ------------------------------------------------------------------ ingest
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
BASE="$(date -u -d '-2 hours' +%s)"

# visit ID MODALITY WAIT_S DURATION_S FACE_TO_FACE_S DOC_S AFTER_HOURS_DOC_S LATENCY_S TALK_SHARE DROPS
visit() {
  local start=$((BASE + $3))
  printf '{"clinicId":"obs-clinic","visitId":"%s","providerId":"prov-1","patientId":"pat-%s","modality":"%s",' "$1" "$1" "$2"
  printf '"scheduledStart":"%s","startedAt":"%s","endedAt":"%s",' "$(iso "$BASE")" "$(iso "$start")" "$(iso $((start + $4)))"
  printf '"faceToFaceSeconds":%s,"documentationSeconds":%s,"afterHoursDocumentationSeconds":%s,' "$5" "$6" "$7"
  printf '"responseLatencySeconds":%s,"patientTalkShare":%s,"connectionDrops":%s}' "$8" "$9" "${10}"
}

# rating VISIT_ID INSTRUMENT ITEMS_JSON
rating() {
  printf '{"clinicId":"obs-clinic","visitId":"%s","instrument":"%s","items":%s,"submittedAt":"%s"}' \
    "$1" "$2" "$3" "$(iso $((BASE + 3600)))"
}

# post PATH BODY EXPECTED_STATUS_REGEX DESCRIPTION
post() {
  local path=$1 body=$2 expect=$3 what=$4 code
  code="$(curl -s -o "$TMP_ROOT/response" -w '%{http_code}' --max-time 30 \
    -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -X POST --data-binary "$body" "$API$path" || true)"
  if [[ "$code" =~ ^($expect)$ ]]; then
    log "ok    POST $path: $what -> HTTP $code"
  else
    log "FAIL  POST $path: $what -> HTTP $code, expected $expect; response:"
    head -c 2000 "$TMP_ROOT/response" | sed 's/^/    /' >&2 || true
    echo >&2
    app_log_tail
    die "unexpected status for $what"
  fi
}

ingest_round() { # ROUND
  local r=$1
  post /api/v1/visits/batch "[$(visit "v-$r-1" VIDEO 120 1500 900 600 120 2.5 0.45 0),$(visit "v-$r-2" PHONE 300 1200 1100 420 0 1.8 0.55 1),$(visit "v-$r-3" IN_PERSON 900 2400 1800 900 300 1.2 0.5 0),$(visit "v-$r-4" MESSAGING 0 5400 0 300 60 5400 0.5 0)]" \
    '200|201' "batch of 4 visits (VIDEO, PHONE, IN_PERSON, MESSAGING), round $r"
  post /api/v1/visits/batch "[$(visit "v-$r-1" VIDEO 120 1500 900 600 120 2.5 0.45 0),$(visit "v-$r-5" VIDEO 60 1800 1500 300 0 3.0 0.4 2)]" \
    '200|201' "batch resending one visit plus a new one, round $r"
  post /api/v1/ratings "$(rating "v-$r-1" SRS '[9.0,8.5,9.2,7.0]')" '200|201' "SRS rating, round $r"
  post /api/v1/ratings "$(rating "v-$r-2" SRS '[4.0,5.0,4.5,5.0]')" '200|201' "low SRS rating (below cutoff), round $r"
  post /api/v1/ratings "$(rating "v-$r-3" SRS '[8.0,8.0,9.0,9.5]')" '200|201' "SRS rating, round $r"
  post /api/v1/visits "$(visit "v-$r-bad" VIDEO 0 600 -5 60 0 1.0 0.5 0)" \
    '400' "invalid visit (negative faceToFaceSeconds), round $r"
}

ingest_round 1

# ------------------------------------------------------------------ lint the exposition
# Ask for the Prometheus text format: promtool check metrics does not read OpenMetrics.
METRICS="$TMP_ROOT/metrics.txt"
curl -sf --max-time 10 -H 'Accept: text/plain; version=0.0.4; charset=utf-8' "$MGMT/q/metrics" -o "$METRICS" ||
  die "could not fetch $MGMT/q/metrics"
grep -q '^rapport_visits_ingested_total{' "$METRICS" || die "rapport_visits_ingested_total is missing from /q/metrics"
grep -q '^rapport_ingest_rejected_total{' "$METRICS" || die "rapport_ingest_rejected_total is missing from /q/metrics"

log "promtool check metrics"
lint_rc=0
lint_out="$(promtool check metrics <"$METRICS" 2>&1)" || lint_rc=$?
lint_fail=0
if [ "$lint_rc" -ne 0 ] && [ "$lint_rc" -ne 3 ]; then
  # 3 means lint findings only; anything else is a parse error or a crash.
  printf '%s\n' "$lint_out" >&2
  die "promtool check metrics failed with exit code $lint_rc"
fi
# No finding is tolerated: a metric the project cannot name cleanly is filtered out
# in the service (see io.rapport.metrics.HttpMetricsConfig), not waved through here.
while IFS= read -r line; do
  [ -n "$line" ] || continue
  log "FAIL  metrics lint: $line"
  lint_fail=1
done <<<"$lint_out"
[ "$lint_fail" = 0 ] || die "promtool check metrics reported problems"
log "ok    promtool check metrics"

# ------------------------------------------------------------------ throw-away Prometheus
cat >"$TMP_ROOT/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - "$PWD/$RULES"
scrape_configs:
  - job_name: rapport
    metrics_path: /q/metrics
    static_configs:
      - targets: ["127.0.0.1:$MGMT_PORT"]
EOF
promtool check config "$TMP_ROOT/prometheus.yml" >/dev/null

log "starting prometheus on 127.0.0.1:$PROM_PORT"
prometheus --config.file="$TMP_ROOT/prometheus.yml" \
  --storage.tsdb.path="$TMP_ROOT/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" \
  --log.level=warn >"$TMP_ROOT/prometheus.log" 2>&1 </dev/null &
PROM_PID=$!

PY="$TMP_ROOT/check_expressions.py"
cat >"$PY" <<'PYEOF'
"""Wait for the throw-away Prometheus, then evaluate every dashboard and rule expression."""
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PROM = "http://127.0.0.1:%s" % sys.argv[2]
INGEST_METRICS = ("rapport_visits_ingested_total", "rapport_ingest_rejected_total", "rapport_ratings_ingested_total")
BUILTINS = {"__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000",
            "__range": "1h", "__range_s": "3600", "__range_ms": "3600000"}


def api(path, params=None):
    url = PROM + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            return json.loads(body)
        except ValueError:
            return {"status": "error", "error": "HTTP %s: %s" % (err.code, body[:200])}
    except (urllib.error.URLError, OSError, ValueError) as err:
        return {"status": "error", "error": str(err)}


def scalar(query):
    res = api("/api/v1/query", {"query": query})
    if res.get("status") != "success" or not res["data"]["result"]:
        return 0.0
    return float(res["data"]["result"][0]["value"][1])


def wait(timeout, min_scrapes):
    deadline = time.time() + timeout
    state = "not started"
    while time.time() < deadline:
        targets = api("/api/v1/targets", {"state": "active"})
        if targets.get("status") == "success":
            mine = [t for t in targets["data"]["activeTargets"] if t["labels"].get("job") == "rapport"]
            healthy = [t for t in mine if t.get("health") == "up"]
            rules = api("/api/v1/rules")
            evaluated = rules.get("status") == "success" and all(
                r.get("health") != "unknown" for g in rules["data"]["groups"] for r in g["rules"])
            scrapes = scalar('sum(count_over_time(up{job="rapport"}[1m]))')
            up = scalar('sum(up{job="rapport"})')
            state = "targets up: %d/%d, up=%g, scrapes in the last minute: %g, rules evaluated: %s" % (
                len(healthy), len(mine), up, scrapes, evaluated)
            if mine and len(healthy) == len(mine) and up >= 1 and scrapes >= min_scrapes and evaluated:
                print("[observability] prometheus ready: " + state)
                return 0
            errors = [t.get("lastError") for t in mine if t.get("lastError")]
            if errors:
                state += ", last scrape error: " + errors[0]
        time.sleep(1)
    print("[observability] FAIL: prometheus not ready within %ss (%s)" % (timeout, state), file=sys.stderr)
    return 1


def dashboard_expressions(path):
    dash = json.load(open(path))
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    out = []

    def walk(panels):
        for p in panels:
            walk(p.get("panels", []))
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append(("panel %r %s" % (p.get("title", ""), t.get("refId", "")), t["expr"]))

    walk(dash.get("panels", []))
    for name, v in variables.items():
        if v.get("type") != "query":
            continue
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query", "")
        q = (q or "").strip()
        m = re.fullmatch(r"label_values\((.*),\s*(\w+)\s*\)", q, re.S)
        if m:
            q = m.group(1)
        else:
            m = re.fullmatch(r"label_values\(\s*(\w+)\s*\)", q)
            if m:
                q = '{%s!=""}' % m.group(1)
            else:
                m = re.fullmatch(r"query_result\((.*)\)", q, re.S)
                if m:
                    q = m.group(1)
        out.append(("variable $%s" % name, q))
    return out, set(variables)


VAR_RE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]")
EQ_VAR_RE = re.compile(r'(\w+)\s*(!=|=)\s*"[^"]*(\$\{?\w+|\[\[\w+)')


def substitute(expr, variables):
    """Replace Grafana variables; returns (expr, error)."""
    for label, op, var in EQ_VAR_RE.findall(expr):
        name = var.lstrip("$[{")
        if name in variables:
            return expr, "label %s uses %s with variable $%s: use =~ (multi-value / All)" % (label, op, name)

    problems = []

    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name in BUILTINS:
            return BUILTINS[name]
        if name in variables:
            return ".*"
        problems.append(name)
        return m.group(0)

    expr = VAR_RE.sub(repl, expr)
    if problems:
        return expr, "unknown variable(s): " + ", ".join("$" + p for p in problems)
    return expr, None


def rule_expressions():
    res = api("/api/v1/rules")
    if res.get("status") != "success":
        return None
    out = []
    for g in res["data"]["groups"]:
        for r in g["rules"]:
            out.append((r["type"], r["name"], r["query"], r.get("health"), r.get("lastError")))
    return out


def check(dashboard, rules_file):
    passed = failed = 0

    def report(ok, status, source, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print("%-5s %s%s" % (status, source, "" if ok else "  -> FAIL: " + detail))

    referenced = set()
    exprs, variables = dashboard_expressions(dashboard)
    for source, raw in exprs:
        expr, err = substitute(raw, variables)
        referenced.update(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
        if err:
            report(False, "error", source, err)
            continue
        must_have_data = source.startswith("panel") and any(m in expr for m in INGEST_METRICS)
        res = api("/api/v1/query", {"query": expr})
        if res.get("status") != "success":
            report(False, "error", source, "%s | %s" % (res.get("error", res), " ".join(expr.split())))
            continue
        data = res["data"]
        empty = data["resultType"] in ("vector", "matrix") and not data["result"]
        if empty and must_have_data:
            report(False, "empty", source, "ingest panel returned no data | " + " ".join(expr.split()))
        else:
            report(True, "empty" if empty else "ok", source)

    declared = len(re.findall(r"^\s*-\s*(?:alert|record):", open(rules_file).read(), re.M))
    rules = rule_expressions()
    if rules is None:
        report(False, "error", "rules", "GET /api/v1/rules failed")
    else:
        if len(rules) != declared:
            report(False, "error", "rules", "prometheus loaded %d rules, %s declares %d" % (len(rules), rules_file, declared))
        for kind, name, query, health, last_error in rules:
            source = "%s rule %s" % ("alert" if kind == "alerting" else "recording", name)
            referenced.update(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", query))
            if health == "err":
                report(False, "error", source, "rule evaluation failed: %s" % last_error)
                continue
            res = api("/api/v1/query", {"query": query})
            if res.get("status") != "success":
                report(False, "error", source, res.get("error", str(res)))
                continue
            data = res["data"]
            empty = data["resultType"] in ("vector", "matrix") and not data["result"]
            report(True, "empty" if empty else "ok", source)

    # Information only: metric names used by the dashboard or rules that the service does not expose (yet).
    names = api("/api/v1/label/__name__/values", {"match[]": '{job="rapport"}'})
    if names.get("status") == "success":
        scraped = set(names["data"])
        prefixes = ("rapport_", "http_server_requests_", "agroal_", "jvm_", "process_")
        missing = sorted(n for n in referenced if n.startswith(prefixes) and n not in scraped)
        for n in missing:
            print("note  %s is used by the dashboard or rules but was not scraped (no data yet, or a name mismatch)" % n)

    print("observability: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "wait":
        sys.exit(wait(int(sys.argv[3]), int(sys.argv[4])))
    sys.exit(check(sys.argv[3], sys.argv[4]))
PYEOF

if ! python3 "$PY" wait "$PROM_PORT" "$PROM_TIMEOUT" 5; then
  log "prometheus log:"
  tail -n 40 "$TMP_ROOT/prometheus.log" | sed 's/^/    /' >&2 || true
  exit 1
fi

# A second round while Prometheus scrapes, so that rates and quantiles are not all zero.
ingest_round 2
sleep 3

log "evaluating dashboard and rule expressions against prometheus"
python3 "$PY" check "$PROM_PORT" "$DASHBOARD" "$RULES"

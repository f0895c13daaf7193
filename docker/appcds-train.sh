#!/bin/bash
# Writes an AppCDS archive of one whole start of Rapport, up to readiness, so that a later start
# maps from it every class that start loads (Hibernate, Flyway, the JDBC driver, RESTEasy, the
# health check) instead of finding and verifying each in the jars. Quarkus' own archive
# (quarkus.package.jar.appcds) stops at the end of static init and leaves out all of those.
#
#   docker/appcds-train.sh <app dir> <archive> [JVM options...]
#
# <app dir> holds quarkus-run.jar (target/quarkus-app, or /deployments in the image). The JVM and
# the jar's path must be the ones the archive will be used with: an archive works only with the
# JVM that wrote it, and records the classpath. Give the JVM options the service runs with.
#
# The training start needs a database and settings that pass the prod checks. It uses the
# embedded PostgreSQL in a temporary directory that is deleted afterwards, a random pseudonym key,
# and a token key nobody holds the private half of: the archive keeps classes, not settings or
# data, so none of it reaches the service that later starts from the archive.
set -euo pipefail

app_dir=${1:?usage: appcds-train.sh <app dir> <archive> [JVM options...]}
archive=${2:?usage: appcds-train.sh <app dir> <archive> [JVM options...]}
shift 2

work=$(mktemp -d)
java_pid=
cleanup() {
    if [[ -n $java_pid ]] && kill -0 "$java_pid" 2>/dev/null; then kill -KILL "$java_pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

export RAPPORT_EMBEDDED_DB_ENABLED=true
export RAPPORT_EMBEDDED_DB_DATA_DIR="$work/pg"
export RAPPORT_EMBEDDED_DB_DURABLE=false
unset QUARKUS_DATASOURCE_JDBC_URL QUARKUS_DATASOURCE_REPORTS_JDBC_URL
RAPPORT_PSEUDONYM_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export RAPPORT_PSEUDONYM_KEY
export MP_JWT_VERIFY_ISSUER=rapport-appcds-training
export MP_JWT_VERIFY_PUBLICKEY_ALGORITHM=ES256
unset MP_JWT_VERIFY_PUBLICKEY_LOCATION
export MP_JWT_VERIFY_PUBLICKEY='-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEljI7kpd9z76jyfzdwdbEvCavLPYR
fIVHOv/V7AL4XzEisFMXkacu/72exHQJ4yVQIyAG7GRytkt+ah70u0Jkvw==
-----END PUBLIC KEY-----'
export QUARKUS_SHUTDOWN_DELAY_ENABLED=false
export QUARKUS_HTTP_PORT=${QUARKUS_HTTP_PORT:-8080}
export QUARKUS_MANAGEMENT_PORT=${QUARKUS_MANAGEMENT_PORT:-9000}

# A plain HTTP/1.0 GET through bash's /dev/tcp: the runtime image has no curl to rely on.
ready() {
    local status
    exec 3<>"/dev/tcp/127.0.0.1/$QUARKUS_MANAGEMENT_PORT" || return 1
    printf 'GET /q/health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
    IFS= read -t 5 -r status <&3 || true
    exec 3<&- 3>&-
    [[ $status == *" 200 "* ]]
}

# The jar by its absolute path, from its own directory, as run-java.sh starts it; the embedded
# PostgreSQL unpacks its binaries under $work too, so nothing of it stays behind.
app_dir=$(cd "$app_dir" && pwd)
(cd "$app_dir" && exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:ArchiveClassesAtExit="$archive" \
    -Dot.epg.working-dir="$work/epg" "$@" -jar "$app_dir/quarkus-run.jar") >"$work/out.log" 2>&1 &
java_pid=$!

deadline=$((SECONDS + 180))
until ready 2>/dev/null; do
    if ! kill -0 "$java_pid" 2>/dev/null || ((SECONDS > deadline)); then
        echo "appcds-train: Rapport did not become ready; its output:" >&2
        cat "$work/out.log" >&2
        exit 1
    fi
    sleep 0.2
done

# The archive is written when the JVM exits normally, which SIGTERM gives.
kill -TERM "$java_pid"
wait "$java_pid" || true
java_pid=
if [[ ! -s $archive ]]; then
    echo "appcds-train: no archive was written; Rapport's output:" >&2
    cat "$work/out.log" >&2
    exit 1
fi
echo "appcds-train: wrote $archive ($(du -h "$archive" | cut -f1))"

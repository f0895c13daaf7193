#!/bin/sh
# The compose stack's stand-in for an identity provider. On first run it makes an RSA key pair in
# $KEYS_DIR (a volume shared with Rapport, which reads only public.pem); every run mints an RS256
# token and prints it, nothing else, on stdout:
#   docker compose -f docker/docker-compose.yml run --rm token [subject] [groups] [clinics]
# groups and clinics are JSON arrays, e.g. '["analyst"]' '["clinic-north"]'.
# Demo only: a real deployment takes tokens from its identity provider.
set -eu
KEYS_DIR="${KEYS_DIR:-/keys}"
ISSUER="${JWT_ISSUER:-https://rapport.compose.local}"
AUDIENCE="${JWT_AUDIENCE:-rapport}"
SUBJECT="${1:-compose-demo}"
GROUPS_JSON="${2:-[\"ingest\",\"analyst\",\"admin\"]}"
CLINICS_JSON="${3:-[\"*\"]}"
LIFETIME_SECONDS="${TOKEN_LIFETIME_SECONDS:-86400}"

# In the compose stack's Alpine image openssl is installed on first use; elsewhere it must be there.
if ! command -v openssl >/dev/null 2>&1; then
  if ! { command -v apk >/dev/null 2>&1 && apk add --no-cache openssl >/dev/null 2>&1; }; then
    echo "mint-token.sh needs openssl: install it and run again" >&2
    exit 1
  fi
fi

if [ ! -s "$KEYS_DIR/private.pem" ]; then
  umask 077
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEYS_DIR/private.pem" 2>/dev/null
  openssl pkey -in "$KEYS_DIR/private.pem" -pubout -out "$KEYS_DIR/public.pem"
  chmod 644 "$KEYS_DIR/public.pem"
fi

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

now=$(date +%s)
header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"%s","aud":"%s","sub":"%s","iat":%s,"exp":%s,"groups":%s,"clinics":%s}' \
  "$ISSUER" "$AUDIENCE" "$SUBJECT" "$now" "$((now + LIFETIME_SECONDS))" "$GROUPS_JSON" "$CLINICS_JSON" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$KEYS_DIR/private.pem" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"

#!/usr/bin/env bash
# Creates the Secrets Parks reads in the `parks` namespace, each with a fresh random value. Nothing secret is
# stored in the repository; the values exist only in the cluster (and in this script's output with --dry-run).
#
#   k8s/secrets.example.sh --dry-run   print the Secret objects as YAML; needs no cluster (the tests run this)
#   k8s/secrets.example.sh             create the Secrets that do not exist yet   [cluster]
#
# Existing Secrets are left alone, so running it again never rotates a password or a caller's API key.
# Values are 64 hex characters: safe inside the StackExchange.Redis connection string (no ',' or '=').
# The gateway's TLS certificate (parks-gateway-tls) is not made here: see docs/operations.md.
set -euo pipefail

namespace=parks
dry_run=false
case "${1:-}" in
  --dry-run) dry_run=true ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# create_secret <name> <key> [<key> ...]: one random value per key, passed through files so that no value
# appears on a command line.
create_secret() {
  local name=$1; shift
  if [ "$dry_run" = false ] && kubectl get secret "$name" --namespace "$namespace" >/dev/null 2>&1; then
    echo "secret/$name exists; left unchanged" >&2
    return
  fi
  local dir args=() key
  dir=$(mktemp -d)
  for key in "$@"; do
    random_hex > "$dir/$key"
    args+=("--from-file=$key=$dir/$key")
  done
  local yaml
  yaml=$(kubectl create secret generic "$name" --namespace "$namespace" "${args[@]}" --dry-run=client --output yaml)
  rm -rf "$dir"
  if [ "$dry_run" = true ]; then
    printf -- '---\n%s\n' "$yaml"
  else
    printf '%s\n' "$yaml" | kubectl apply --filename -
  fi
}

# Redis: read by the services (Parks__State__Redis), the Dapr pub/sub component and Redis itself.
create_secret parks-redis password
# Dapr API token (app -> sidecar) and app token (sidecar -> app); Dapr reads the key `token`.
create_secret parks-dapr-api-token token
create_secret parks-dapr-app-token token
# The key that signs caller identity between the gateway and every service (Parks__Security__InternalKey).
create_secret parks-internal-key key
# Gateway callers: one API key per district system, per branch park, the Science City, the dashboard and the operator.
# Read as configuration keys Parks:Gateway:ApiKeys:<caller> (docs/architecture.md).
callers=(
  sciencecity
  district-lingshui district-qixianling district-xiaopingdao district-huangnichuan district-longwangtang
  district-longtou
  branchpark-changxingdao branchpark-jinpu branchpark-ganjingzi branchpark-lvshun branchpark-wafangdian
  dashboard operator
)
create_secret parks-gateway-credentials "${callers[@]/#/Parks__Gateway__ApiKeys__}"

#!/usr/bin/env bash
# Installs what the tests need when it is missing, then runs the whole suite: dotnet test Parks.sln.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v h2load >/dev/null 2>&1 || need_apt+=(nghttp2-client)
command -v yamllint >/dev/null 2>&1 || need_apt+=(yamllint)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing Debian packages: ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d tests/node/node_modules ] || [ tests/node/package-lock.json -nt tests/node/node_modules ]; then
  echo "test.sh: installing npm packages for tests (tests/node)"
  # npm ci refuses a lock file whose optional platform packages (other OSes' buf binaries) the registry
  # mirror does not serve; npm install then resolves the same versions from the lock file.
  (cd tests/node && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; })
fi

dotnet test Parks.sln "$@"

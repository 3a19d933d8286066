#!/usr/bin/env bash
# Installs the Debian package of each command that is not on PATH (or in /usr/sbin, /sbin).
#   scripts/ensure-packages.sh command=package [command=package ...]
# Runs `apt-get update` at most once per run, only when something is missing.
# Debconf preseeds may be given through ENSURE_PACKAGES_PRESEED (lines for debconf-set-selections),
# e.g. "slapd slapd/no_configuration boolean true". Waits up to 5 min for the dpkg lock (parallel runs).
set -euo pipefail

usage() {
  echo "usage: $0 command=package [command=package ...]" >&2
  exit 2
}

have() {
  local cmd=$1
  command -v "$cmd" >/dev/null 2>&1 && return 0
  local d
  for d in /usr/sbin /sbin /usr/local/sbin; do
    [[ -x "$d/$cmd" ]] && return 0
  done
  return 1
}

[[ $# -gt 0 ]] || usage

missing_pkgs=()
missing_cmds=()
for spec in "$@"; do
  [[ "$spec" == *=* ]] || usage
  cmd=${spec%%=*}
  pkg=${spec#*=}
  [[ -n "$cmd" && -n "$pkg" ]] || usage
  if ! have "$cmd"; then
    missing_cmds+=("$cmd")
    # de-duplicate packages (several commands may come from one package)
    if [[ " ${missing_pkgs[*]-} " != *" $pkg "* ]]; then
      missing_pkgs+=("$pkg")
    fi
  fi
done

[[ ${#missing_pkgs[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-packages: missing command(s) ${missing_cmds[*]}; install package(s) ${missing_pkgs[*]} (needs root, we are $(id -un))" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-packages: missing command(s) ${missing_cmds[*]} and no apt-get here; install package(s) ${missing_pkgs[*]} by hand" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [[ -n "${ENSURE_PACKAGES_PRESEED:-}" ]]; then
  printf '%s\n' "$ENSURE_PACKAGES_PRESEED" | debconf-set-selections
fi

echo "ensure-packages: installing ${missing_pkgs[*]} (for ${missing_cmds[*]})" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt-get update -qq -o DPkg::Lock::Timeout=300 >"$log" 2>&1; then
  cat "$log" >&2
  echo "ensure-packages: apt-get update failed" >&2
  exit 1
fi
if ! apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing_pkgs[@]}" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "ensure-packages: apt-get install ${missing_pkgs[*]} failed" >&2
  exit 1
fi

for cmd in "${missing_cmds[@]}"; do
  if ! have "$cmd"; then
    echo "ensure-packages: installed ${missing_pkgs[*]} but '$cmd' is still not found" >&2
    exit 1
  fi
done

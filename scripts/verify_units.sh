#!/usr/bin/env bash
# `systemd-analyze verify` of deploy/systemd/*.service, offline: a container has no systemd as
# PID 1 and no /srv/portal, so the units are checked inside a scratch root (--root) holding the
# system's unit files, stand-ins for the programs they start and an empty /etc/portal/env.
# verify exits 0 on unknown keys and bad values (it only warns), so any output is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/srv/portal/.venv/bin" "$root/etc/portal" "$root/etc/systemd/system" \
  "$root/bin" "$root/usr/lib/systemd"
for program in gunicorn celery; do
  printf '#!/bin/sh\n' >"$root/srv/portal/.venv/bin/$program"
  chmod +x "$root/srv/portal/.venv/bin/$program"
done
cp /bin/kill "$root/bin/kill"
touch "$root/etc/portal/env"
cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp deploy/systemd/*.service "$root/etc/systemd/system/"
output=$(systemd-analyze verify --man=no --root="$root" "$root"/etc/systemd/system/portal-*.service 2>&1) \
  || { echo "$output"; exit 1; }
if [ -n "$output" ]; then
  echo "$output"
  echo "systemd-analyze verify: the units above have problems" >&2
  exit 1
fi
echo "systemd units verified: $(cd deploy/systemd && echo *.service)"

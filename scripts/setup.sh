#!/bin/sh
# Installs what building and testing warren needs on Debian (run as root). The .NET 10 SDK must be on PATH.
set -eu
need=""
for pkg in busybox-static gcc zlib1g-dev libseccomp2 file uidmap podman containerd docker.io; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
"$(dirname "$0")/guest-tools.sh"

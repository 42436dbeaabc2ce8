#!/bin/sh
# The tools the LSM tests load policies with inside the guest (which has no network): apparmor_parser and
# checkpolicy, unpacked from Debian's packages into .work/lsm-tools without installing them on this host.
set -eu
cd "$(dirname "$0")/.."
dir=.work/lsm-tools
[ -x "$dir/apparmor_parser" ] && [ -x "$dir/checkpolicy" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
download() { (cd "$tmp" && apt-get download -qq apparmor checkpolicy 2>/dev/null); }
download || { apt-get update -qq && download; }
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
mkdir -p "$dir"
cp "$tmp/x/sbin/apparmor_parser" "$tmp/x/usr/bin/checkpolicy" "$dir/"

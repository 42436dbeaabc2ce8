#!/bin/sh
# What the guest tests (tests/vm, run in ../shared/vmtest's guest, which has no network) need beyond the
# guest image, taken from Debian's packages without installing them on this host, into .work/guest-tools:
# apparmor_parser and checkpolicy to load test policies, and dbus-user-session with libpam-systemd (a user manager with a bus).
set -eu
cd "$(dirname "$0")/.."
dir=.work/guest-tools
[ -x "$dir/apparmor_parser" ] && [ -x "$dir/checkpolicy" ] && ls "$dir"/libpam-systemd_*.deb >/dev/null 2>&1 && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
download() { (cd "$tmp" && apt-get download -qq apparmor checkpolicy dbus-user-session libpam-systemd 2>/dev/null); }
download || { apt-get update -qq && download; }
for deb in "$tmp"/apparmor_*.deb "$tmp"/checkpolicy_*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
mkdir -p "$dir"
cp "$tmp/x/sbin/apparmor_parser" "$tmp/x/usr/bin/checkpolicy" "$tmp"/dbus-user-session_*.deb "$tmp"/libpam-systemd_*.deb "$dir/"

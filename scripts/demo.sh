#!/bin/sh
# Builds warren and a busybox root filesystem, then runs a container from a fresh `warren spec` bundle.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
bundle=.work/demo
rm -rf "$bundle" && mkdir -p "$bundle"
scripts/make-rootfs.sh "$bundle/rootfs"
(cd "$bundle" && ../../out/warren spec)
# Not a terminal, and a command that shows where it runs.
sed -i 's/"terminal": true/"terminal": false/; s/^\( *\)"sh"$/\1"sh", "-c", "echo hello from $(hostname), pid $$; id"/' "$bundle/config.json"
exec out/warren run --bundle "$bundle" "demo-$$"

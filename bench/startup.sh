#!/bin/sh
# Start-up benchmark: `run` of busybox `true` with warren, runc and crun, interleaved in one run.
# crun 1.8 refuses hybrid cgroup hosts, so everything runs in a private mount namespace with the
# cgroup2 mount at /sys/fs/cgroup/unified detached: all three runtimes see the same (v1) host.
# usage: sudo bench/startup.sh [ROUNDS]   (needs runc, crun, python3; apt-get install runc crun)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-200}
[ -x out/warren ] || scripts/build.sh
for rt in runc crun python3; do command -v $rt >/dev/null || { echo "bench: $rt is not installed" >&2; exit 1; }; done
work=$(mktemp -d /tmp/warren-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
scripts/make-rootfs.sh "$work/bundle/rootfs"
(cd "$work/bundle" && "$OLDPWD/out/warren" spec)
# crun 1.8 knows runtime-spec 1.0 documents only.
sed -i 's/"terminal": true/"terminal": false/; s/^\( *\)"sh"$/\1"true"/; s/"ociVersion": "[^"]*"/"ociVersion": "1.0.2"/' "$work/bundle/config.json"
exec unshare -m --propagation private sh -c '
  if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
  exec python3 bench/startup.py "$@"' sh "$rounds" "$work" "$(pwd)/out/warren"

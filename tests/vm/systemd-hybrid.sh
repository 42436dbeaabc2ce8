#!/bin/bash
# Runs inside ../shared/vmtest's guest booted with systemd in hybrid mode (systemd.unified_cgroup_hierarchy=0:
# v1 controllers plus cgroup2 for systemd's own tracking, like Ubuntu 20.04 or Debian 10): the systemd
# cgroup driver there. systemd makes the scope in the controllers it manages; warren the rest.
# Usage (in the guest, repo at $1): systemd-hybrid.sh /mnt/host
set -u
repo=${1:-/mnt/host}
state=/run/warren-hytest
. "$repo/tests/vm/lib.sh"
[ -d /sys/fs/cgroup/memory ] && [ -d /run/systemd/system ] || { echo "not ok - not a hybrid host with systemd"; echo "0 passed, 1 failed"; exit 1; }

b=$(bundle hy '["sleep","600"]' "c['linux']['cgroupsPath'] = 'system.slice:warren:hy'; c['linux']['resources'] = {'memory': {'limit': 33554432}, 'pids': {'limit': 20}, 'devices': [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 1, 'minor': 5, 'access': 'rwm'}]}")
$W --systemd-cgroup run -d --bundle "$b" hy > "$work/hy.out" 2>&1
check "the scope unit is active" "active" "$(systemctl is-active warren-hy.scope 2>&1)$(cat "$work/hy.out")"
pid=$($W state hy | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
scope=/system.slice/warren-hy.scope
for c in name=systemd memory pids freezer devices cpuset; do
  check "the container is in the scope's path in $c" "$scope" "$(grep -E "^[0-9]+:$c:" /proc/$pid/cgroup | cut -d: -f3)"
done
check "the limits are in the scope's v1 files" "33554432 20" \
  "$(cat /sys/fs/cgroup/memory$scope/memory.limit_in_bytes) $(cat /sys/fs/cgroup/pids$scope/pids.max)"
check "inside, the cgroup namespace is rooted at the scope in every hierarchy" "" \
  "$($W exec hy cat /proc/self/cgroup 2>&1 | grep -v ':/$')"
check "the device rules hold (kmsg refused)" "mknod: /dev/k: Operation not permitted" \
  "$($W exec --cap CAP_MKNOD hy mknod /dev/k c 1 11 2>&1)"
$W pause hy
check "pause freezes the freezer cgroup warren made beside systemd's" "FROZEN" "$(cat /sys/fs/cgroup/freezer$scope/freezer.state)"
$W resume hy
$W delete -f hy
check "delete stops the unit" "inactive" "$(systemctl is-active warren-hy.scope 2>&1)"
left=$(ls -d /sys/fs/cgroup/*$scope /sys/fs/cgroup/*/*$scope 2>/dev/null)
check "delete leaves no scope directory in any hierarchy" "" "$left"
finish

#!/bin/bash
# Runs inside ../shared/vmtest's guest (pure cgroup v2, systemd as PID 1): checks warren's cgroup v2 path
# from inside containers. Usage (in the guest, repo at $1): cgroup-v2.sh /mnt/host
set -u
repo=${1:-/mnt/host}
state=/run/warren-v2test
. "$repo/tests/vm/lib.sh"
rbundle() { bundle "$1" "$2" "c['linux']['resources'] = json.loads(r'''$3''')"; }

[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || { echo "not ok - host is not pure cgroup v2"; echo "0 passed, 1 failed"; exit 1; }

b=$(rbundle mem '["sh","-c","cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight; cat /proc/self/cgroup"]' \
  '{"memory":{"limit":33554432,"swap":67108864},"pids":{"limit":20},"cpu":{"quota":10000,"period":100000,"shares":1024}}')
out=$($W run --bundle "$b" v2-mem 2>&1 | tr '\n' ' ')
check "limits reach the v2 files (memory.max, swap.max = swap-limit, pids.max, cpu.max, cpu.weight from shares) and the cgroup namespace is rooted" \
  "33554432 33554432 20 10000 100000 39 0::/ " "$out"

b=$(rbundle oom '["sh","-c","tail /dev/zero; echo survived"]' '{"memory":{"limit":33554432,"swap":33554432}}')
out=$($W run --bundle "$b" v2-oom 2>&1 | tail -1)
check "exceeding memory.max is OOM-killed" "survived" "$out"

b=$(rbundle fork '["sh","-c","(for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done) 2>/dev/null; read e < /sys/fs/cgroup/pids.events; echo $e; kill -9 -1"]' '{"pids":{"limit":5}}')
out=$($W run --bundle "$b" v2-pids 2>&1 | head -1)
case "$out" in "max "[1-9]*) ok "a fork loop stops at pids.max";; *) bad "a fork loop stops at pids.max" "pids.events: $out";; esac

b=$(rbundle uni '["cat","/sys/fs/cgroup/pids.max"]' '{"unified":{"pids.max":"7"}}')
check "unified keys are written" "7" "$($W run --bundle "$b" v2-unified 2>&1)"

b=$(rbundle swp '["true"]' '{"memory":{"swappiness":10}}')
out=$($W run --bundle "$b" v2-swappiness 2>&1)
case "$out" in *"swappiness"*"v2"*) ok "swappiness is refused clearly on v2";; *) bad "swappiness is refused clearly on v2" "$out";; esac
[ -d /sys/fs/cgroup/v2-swappiness ] && bad "a refused limit leaves no cgroup" "dir left" || ok "a refused limit leaves no cgroup"

b=$(rbundle dev '["sh","-c","mknod /tmp/n c 1 3 && echo x > /tmp/n && echo null-ok; mknod /tmp/k c 1 11 && echo made-k; (echo x > /tmp/k) 2>&1; true"]' \
  '{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":11,"access":"m"}]}')
python3 - "$b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for k in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][k].append("CAP_MKNOD")
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"})
json.dump(c, open(sys.argv[1], "w"))
PY
out=$($W run --bundle "$b" v2-dev 2>&1 | tr '\n' ' ')
case "$out" in *null-ok*made-k*"Operation not permitted"*) ok "the BPF device program allows, allows mknod only, and denies";; *) bad "the BPF device program allows, allows mknod only, and denies" "$out";; esac

b=$(rbundle live '["sh","-c","i=0; while true; do i=$((i+1)); echo $i > /tmp/n; done"]' '{"memory":{"limit":67108864}}')
$W run -d --bundle "$b" v2-live >/dev/null 2>&1
sleep 1
$W pause v2-live
check "pause freezes through cgroup.freeze" "1" "$(grep frozen /sys/fs/cgroup/v2-live/cgroup.events | cut -d' ' -f2)"
check "state shows paused" "paused" "$($W state v2-live | sed -n 's/.*"status": "\(.*\)".*/\1/p')"
$W resume v2-live
check "resume thaws" "0" "$(grep frozen /sys/fs/cgroup/v2-live/cgroup.events | cut -d' ' -f2)"
out=$($W update --memory 1k --resources - v2-live 2>&1 <<< '{"memory":{"checkBeforeUpdate":true}}')
case "$out" in *checkBeforeUpdate*) ok "checkBeforeUpdate refuses a limit below usage";; *) bad "checkBeforeUpdate refuses a limit below usage" "$out";; esac
$W update --memory 100m v2-live
check "update changes memory.max as the container sees it" "104857600" "$($W exec v2-live cat /sys/fs/cgroup/memory.max 2>&1)"
check "exec joins the container's cgroup" "0::/" "$($W exec v2-live cat /proc/self/cgroup 2>&1)"
stats=$($W events --stats v2-live)
case "$stats" in *'"limit":104857600'*) ok "events --stats reads v2 memory";; *) bad "events --stats reads v2 memory" "$stats";; esac
$W delete -f v2-live
[ -d /sys/fs/cgroup/v2-live ] && bad "delete --force removes the v2 cgroup" "still there" || ok "delete --force removes the v2 cgroup"

# The systemd cgroup driver: a transient scope made by systemd around the container, limits inside it.
if [ -d /run/systemd/system ]; then
  b=$(bundle sd '["sh","-c","cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; sleep 600"]' \
    "c['linux']['cgroupsPath'] = 'system.slice:warren:sdtest'; c['linux']['resources'] = {'memory': {'limit': 33554432}, 'pids': {'limit': 20}, 'devices': [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 1, 'minor': 5, 'access': 'rwm'}]}")
  $W --systemd-cgroup run -d --bundle "$b" v2-sd > "$work/sd.out" 2>&1
  sleep 1
  check "--systemd-cgroup: the scope unit is active" "active" "$(systemctl is-active warren-sdtest.scope 2>&1)"
  pid=$($W state v2-sd | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  check "--systemd-cgroup: the container sits in the scope's cgroup, its limits written" \
    "0::/system.slice/warren-sdtest.scope 33554432 20" \
    "$(cat /proc/$pid/cgroup | tr '\n' ' ')$(cat /sys/fs/cgroup/system.slice/warren-sdtest.scope/memory.max) $(cat /sys/fs/cgroup/system.slice/warren-sdtest.scope/pids.max)"
  check "--systemd-cgroup: inside, the cgroup namespace is rooted at the scope and shows the limits" \
    "0::/ 33554432 20" "$($W exec v2-sd sh -c 'cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
  check "--systemd-cgroup: systemd holds the limits as unit properties" "MemoryMax=33554432 TasksMax=20" \
    "$(systemctl show -p MemoryMax -p TasksMax warren-sdtest.scope | sort | tr '\n' ' ' | sed 's/ $//')"
  out=$($W --systemd-cgroup run --bundle "$b" v2-sd-twin 2>&1)
  contains "--systemd-cgroup: a second container naming the same scope is refused" "warren-sdtest.scope" "$out"
  check "--systemd-cgroup: ... and the first one's unit survives the failure" "active" "$(systemctl is-active warren-sdtest.scope 2>&1)"
  $W update --memory 64m --pids-limit 30 v2-sd
  systemctl daemon-reload
  check "--systemd-cgroup: update reaches the unit too, so a daemon-reload keeps the new limits" "67108864 30" \
    "$(cat /sys/fs/cgroup/system.slice/warren-sdtest.scope/memory.max) $(cat /sys/fs/cgroup/system.slice/warren-sdtest.scope/pids.max)"
  out=$($W exec --cap CAP_MKNOD v2-sd sh -c 'mknod /dev/k c 1 11 && echo made; mknod /dev/z c 1 5 && head -c1 /dev/z | wc -c' 2>&1 | tr '\n' ' ')
  check "--systemd-cgroup: the device rules hold in the scope after a daemon-reload (kmsg refused, zero allowed)" \
    "mknod: /dev/k: Operation not permitted 1 " "$out"
  $W delete -f v2-sd
  check "--systemd-cgroup: delete stops the unit" "inactive" "$(systemctl is-active warren-sdtest.scope 2>&1)"
  [ -d /sys/fs/cgroup/system.slice/warren-sdtest.scope ] && bad "--systemd-cgroup: delete removes the scope's cgroup" "still there" \
    || ok "--systemd-cgroup: delete removes the scope's cgroup"
  b=$(bundle sdbad '["true"]' "c['linux']['cgroupsPath'] = 'system.slice:warren:sdbad'; c['linux']['resources'] = {'memory': {'swappiness': 10}}")
  refused "--systemd-cgroup: a limit cgroup v2 refuses" v2-sdbad "$b" "memory.swappiness" --systemd-cgroup
  check "--systemd-cgroup: ... and leaves no unit behind" "inactive" "$(systemctl is-active warren-sdbad.scope 2>&1)"

  # A normal user's own manager (systemd --user over the session bus), as rootless Podman uses it. Only in
  # the throwaway guest: it installs packages and makes a user.
  if [ -n "${WARREN_IN_GUEST:-}" ]; then
    # (versions as on this host's mirror; the guest image may be a point release older)
    dpkg -i --force-depends "$repo"/.work/guest-tools/*.deb >/dev/null 2>&1
    useradd -m wsd 2>/dev/null
    uid=$(id -u wsd)
    loginctl enable-linger wsd
    for i in $(seq 1 100); do [ -S /run/user/$uid/bus ] && break; sleep 0.1; done
    as_user() { runuser -u wsd -- env XDG_RUNTIME_DIR=/run/user/$uid DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus "$@"; }
    # Like rootless Podman, run warren in a scope of the user's own manager: moving a process between
    # cgroups needs write access to their common ancestor.
    warren_as_user() { as_user systemd-run --user --scope --quiet "$repo/out/warren" "$@"; }
    mkdir -p "$work/rl" && chown wsd "$work/rl"
    (cd "$work/rl" && as_user "$repo/out/warren" spec --rootless)
    python3 - "$work/rl/config.json" "$rootfs" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"]["path"] = sys.argv[2]
c["process"]["terminal"] = False
c["process"]["args"] = ["sleep", "600"]
c["linux"]["cgroupsPath"] = ":warren:rl"
c["linux"]["resources"] = {"memory": {"limit": 33554432}, "pids": {"limit": 20}}
json.dump(c, open(sys.argv[1], "w"))
PY
    warren_as_user --systemd-cgroup run -d --bundle "$work/rl" rl-sd > "$work/rl.out" 2>&1
    scope=/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/user.slice/warren-rl.scope
    check "--systemd-cgroup as a user: the user's manager made the scope, active" "active" \
      "$(as_user systemctl --user is-active warren-rl.scope 2>&1)$(cat "$work/rl.out")"
    # (the rootless spec binds the host's /sys: the container finds its cgroup through /proc/self/cgroup)
    check "--systemd-cgroup as a user: the container sits in the scope, with its limits" "20 33554432 20" \
      "$(cat $scope/pids.max 2>&1) $(warren_as_user exec rl-sd sh -c 'd=/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup); cat $d/memory.max $d/pids.max' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
    out=$(as_user "$repo/out/warren" exec rl-sd echo ran 2>&1)
    contains "as a user outside a scope of their own, exec still runs, warning that it is outside the cgroup (as runc)" \
      "runs outside the container's cgroup" "$out"
    contains "... and the command ran" "ran" "$out"
    warren_as_user delete -f rl-sd
    check "--systemd-cgroup as a user: delete stops the unit and its cgroup goes" "inactive gone" \
      "$(as_user systemctl --user is-active warren-rl.scope 2>&1) $([ -d $scope ] && echo there || echo gone)"
    loginctl disable-linger wsd
  fi
fi

finish

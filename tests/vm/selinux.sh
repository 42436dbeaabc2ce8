#!/bin/bash
# Runs inside ../shared/vmtest's guest booted with "security=selinux selinux=1 enforcing=0": loads the
# small policy tests/vm/selinux-test.te (compiled with the checkpolicy from .work/guest-tools) and checks
# from inside containers that warren labels their processes and filesystems, and that enforcing mode
# then keeps a labelled container from a file the policy denies it.
# Usage (in the guest, repo at $1): selinux.sh /mnt/host
set -u
repo=${1:-/mnt/host}
state=/run/warren-setest
. "$repo/tests/vm/lib.sh"
fatal() { echo "not ok - $1"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p /sys/fs/selinux
mountpoint -q /sys/fs/selinux || mount -t selinuxfs selinuxfs /sys/fs/selinux 2>/dev/null || fatal "the guest kernel does not run SELinux"
"$repo/.work/guest-tools/checkpolicy" -U allow -o "$work/policy" "$repo/tests/vm/selinux-test.te" >/dev/null || fatal "compiling the test policy failed"
cat "$work/policy" > /sys/fs/selinux/load || fatal "loading the test policy failed"

proc=system_u:system_r:container_t
files=system_u:object_r:container_file_t
echo "the secret" > "$work/secret"
chcon system_u:object_r:secret_t "$work/secret" || fatal "chcon of the secret failed"
with_secret="c['mounts'].append({'destination': '/secret', 'type': 'bind', 'source': '$work/secret', 'options': ['bind']})"
labelled="c['process']['selinuxLabel'] = '$proc'; c['linux']['mountLabel'] = '$files'"

check "features says the host runs SELinux" '"enabled"' "$($W features | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["annotations"]["run.warren.host.selinux"]))')"

b=$(bundle label '["sh","-c","cat /proc/self/attr/current; echo; grep '$files' /proc/self/mountinfo | cut -d\" \" -f5 | tr \"\\n\" \" \""]' "$labelled")
out=$($W run --bundle "$b" se-label 2>&1 | tr -d '\0' | tr '\n' '|')
# (the masked /proc files are binds of /dev/null, so they show the /dev tmpfs and its context)
check "process.selinuxLabel is the program's label; linux.mountLabel is the context= of tmpfs, devpts and shm, not of proc, sysfs or mqueue" \
  "$proc|/dev /dev/pts /dev/shm /proc/kcore /proc/keys /proc/timer_list " "$out"

b=$(bundle mq '["sleep","600"]' "$labelled")
$W run -d --bundle "$b" se-live >/dev/null 2>&1
pid=$($W state se-live | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
check "mqueue, which takes no context=, has its root labelled" "$files" "$(ls -Zd /proc/$pid/root/dev/mqueue | cut -d' ' -f1)"
check "exec runs with the container's label" "$proc" "$($W exec se-live cat /proc/self/attr/current 2>&1 | tr -d '\0')"
check "exec --process-label sets another" "system_u:system_r:kernel_t" \
  "$($W exec --process-label system_u:system_r:kernel_t se-live cat /proc/self/attr/current 2>&1 | tr -d '\0')"
$W delete -f se-live

b=$(bundle userns '["sh","-c","cat /proc/self/attr/current; echo; grep '$files' /proc/self/mountinfo | cut -d\" \" -f5 | tr \"\\n\" \" \""]' "$labelled; $with_userns")
contains "with a user namespace the labels apply too (key label before the mounts, mount contexts, exec label last)" \
  "$proc|/dev /dev/pts /dev/shm " "$($W run --bundle "$b" se-userns 2>&1 | tr -d '\0' | tr '\n' '|')"

echo 1 > /sys/fs/selinux/enforce
b=$(bundle denied '["sh","-c","cat /secret 2>&1"]' "$with_secret; $labelled")
check "enforcing: the labelled container may not read a secret_t file" "cat: can't open '/secret': Permission denied" "$($W run --bundle "$b" se-denied 2>&1)"
b=$(bundle kernel '["sh","-c","cat /secret 2>&1"]' "$with_secret")
check "enforcing: without a label (kernel_t, like the host) it may" "the secret" "$($W run --bundle "$b" se-kernel 2>&1)"

# CVE-2025-52881: mounts over the init's attr files would swallow the label write (the program would keep
# warren's label); warren writes through a procfs instance of its own, which nothing covers.
: > "$work/decoy-file"
decoys=""
for f in /proc/1/attr/exec /proc/1/task/1/attr/exec; do
  decoys="$decoys; c['mounts'].append({'destination': '$f', 'type': 'bind', 'source': '$work/decoy-file', 'options': ['bind']})"
done
b=$(bundle decoy '["sh","-c","cat /proc/self/attr/current; echo; cat /secret 2>&1"]' "$with_secret; $labelled $decoys")
check "CVE-2025-52881: binds over the init's attr files do not swallow the label" \
  "$proc|cat: can't open '/secret': Permission denied|" "$($W run --bundle "$b" se-decoy 2>&1 | tr -d '\0' | tr '\n' '|')"
check "CVE-2025-52881: nothing was written to the decoy" "" "$(cat "$work/decoy-file")"
echo 0 > /sys/fs/selinux/enforce

b=$(bundle invalid '["true"]' "c['process']['selinuxLabel'] = 'system_u:system_r:nope_t'")
refused "an invalid label" se-invalid "$b" 'process.selinuxLabel "system_u:system_r:nope_t": not a valid SELinux context'
b=$(bundle invalidm '["true"]' "c['linux']['mountLabel'] = 'system_u:object_r:nope_t'")
refused "an invalid mount label" se-invalidm "$b" 'linux.mountLabel "system_u:object_r:nope_t": not a valid SELinux context'
finish

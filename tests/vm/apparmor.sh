#!/bin/bash
# Runs inside ../shared/vmtest's guest (its kernel runs AppArmor): loads a test profile with the
# apparmor_parser from .work/guest-tools and checks from inside containers that warren confines them.
# Usage (in the guest, repo at $1): apparmor.sh /mnt/host
set -u
repo=${1:-/mnt/host}
state=/run/warren-aatest
. "$repo/tests/vm/lib.sh"
[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] || { echo "not ok - the guest kernel does not run AppArmor"; echo "0 passed, 1 failed"; exit 1; }
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
cat > "$work/profile" <<'P'
profile warren-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  unix,
  deny /secret rw,
}
P
"$repo/.work/guest-tools/apparmor_parser" -r "$work/profile" 2>/dev/null || { echo "not ok - loading the test profile failed"; echo "0 passed, 1 failed"; exit 1; }
echo "the secret" > "$work/secret"
with_secret="c['mounts'].append({'destination': '/secret', 'type': 'bind', 'source': '$work/secret', 'options': ['bind']})"
show='["sh","-c","cat /proc/self/attr/current; cat /secret 2>&1"]'

check "features says the host runs AppArmor" '"enabled"' "$($W features | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["annotations"]["run.warren.host.apparmor"]))')"

b=$(bundle confined "$show" "$with_secret; c['process']['apparmorProfile'] = 'warren-test'")
out=$($W run --bundle "$b" aa-confined 2>&1 | tr '\n' '|')
check "process.apparmorProfile confines the program: its label is the profile and the denied file cannot be read" \
  "warren-test (enforce)|cat: can't open '/secret': Permission denied|" "$out"

b=$(bundle free "$show" "$with_secret")
out=$($W run --bundle "$b" aa-free 2>&1 | tr '\n' '|')
check "without a profile the program is unconfined and reads the file" "unconfined|the secret|" "$out"

b=$(bundle sleeper '["sleep","600"]' "$with_secret")
$W run -d --bundle "$b" aa-live >/dev/null 2>&1
out=$($W exec --apparmor warren-test aa-live sh -c 'cat /proc/self/attr/current; cat /secret 2>&1' 2>&1 | tr '\n' '|')
check "exec --apparmor confines the exec'd program" "warren-test (enforce)|cat: can't open '/secret': Permission denied|" "$out"
check "exec without --apparmor in an unconfined container stays unconfined" "unconfined" "$($W exec aa-live cat /proc/self/attr/current 2>&1)"
$W delete -f aa-live

b=$(bundle csleeper '["sleep","600"]' "$with_secret; c['process']['apparmorProfile'] = 'warren-test'")
$W run -d --bundle "$b" aa-clive >/dev/null 2>&1
check "exec into a confined container inherits its profile" "warren-test (enforce)" "$($W exec aa-clive cat /proc/self/attr/current 2>&1)"
$W delete -f aa-clive

# CVE-2025-52881: a mount over the init's own attr files would swallow the label write, leaving the
# program unconfined. warren writes through a procfs instance of its own, which nothing covers.
: > "$work/decoy-file"
decoys=""
for f in /proc/1/attr/apparmor/exec /proc/1/task/1/attr/apparmor/exec /proc/1/attr/exec /proc/1/task/1/attr/exec; do
  decoys="$decoys; c['mounts'].append({'destination': '$f', 'type': 'bind', 'source': '$work/decoy-file', 'options': ['bind']})"
done
b=$(bundle decoy "$show" "$with_secret; c['process']['apparmorProfile'] = 'warren-test' $decoys")
out=$($W run --bundle "$b" aa-decoy 2>&1 | tr '\n' '|')
check "CVE-2025-52881: binds over the init's attr files do not swallow the profile" \
  "warren-test (enforce)|cat: can't open '/secret': Permission denied|" "$out"
check "CVE-2025-52881: nothing was written to the decoy" "" "$(cat "$work/decoy-file")"

b=$(bundle decoy-userns "$show" "$with_secret; c['process']['apparmorProfile'] = 'warren-test' $decoys; $with_userns")
out=$($W run --bundle "$b" aa-decoy-userns 2>&1 | tr '\n' '|')
check "CVE-2025-52881: with a user namespace (no fresh procfs allowed over masked paths) the profile still applies" \
  "warren-test (enforce)|cat: can't open '/secret': Permission denied|" "$out"

b=$(bundle unknown '["true"]' "c['process']['apparmorProfile'] = 'no-such-profile'")
refused "an unknown profile" aa-unknown "$b" 'process.apparmorProfile "no-such-profile": no such AppArmor profile is loaded'

echo -n "warren-test" > /sys/kernel/security/apparmor/.remove
finish

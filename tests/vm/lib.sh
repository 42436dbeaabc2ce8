# Sourced by the scripts that run inside ../shared/vmtest's guest: a TAP-like report and bundles on the
# rootfs of this checkout. Set repo and state before sourcing.
W="$repo/out/warren --root $state"
rootfs=$repo/.work/test-rootfs
work=$(mktemp -d)
chmod 755 "$work" # containers with a user namespace (and other users) read their bundles and binds here
# A config edit for bundle: a user namespace with root mapped to 100000.
with_userns="c['linux']['namespaces'].append({'type': 'user'}); c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]; c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass+1)); }
bad() { echo "not ok - $1: $2"; fail=$((fail+1)); }
check() { # name expected actual
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected [$2], got [$3]"; fi
}
contains() { # name needle haystack
  case "$3" in *"$2"*) ok "$1";; *) bad "$1" "expected to contain [$2], got [$3]";; esac
}
bundle() { # name args-json [python statements editing the config dict c]
  mkdir -p "$work/$1"
  (cd "$work/$1" && $W spec >/dev/null)
  python3 - "$work/$1/config.json" "$rootfs" "$2" "${3:-pass}" <<'PY'
import json, sys
path, rootfs, args, edit = sys.argv[1:5]
c = json.load(open(path))
c["root"]["path"] = rootfs
c["process"]["terminal"] = False
c["process"]["args"] = json.loads(args)
exec(edit)
json.dump(c, open(path, "w"))
PY
  echo "$work/$1"
}
# No state directory, cgroup or mount is left behind for a container id.
left_nothing() { # name id
  local what=""
  [ -e "$state/$2" ] && what="$what state"
  find /sys/fs/cgroup -maxdepth 2 -name "$2" 2>/dev/null | grep -q . && what="$what cgroup"
  grep -q "$2" /proc/self/mountinfo && what="$what mount"
  [ -z "$what" ] && ok "$1" || bad "$1" "left:$what"
}
# A create that must fail: a message naming the fault, a non-zero exit, nothing left behind.
refused() { # what id bundle message [global warren flags...]
  local out rc
  out=$($W "${@:5}" run --bundle "$3" "$2" 2>&1)
  rc=$?
  contains "$1 is refused, naming it" "$4" "$out"
  [ $rc -ne 0 ] && ok "$1 exits non-zero" || bad "$1 exits non-zero" "rc 0"
  left_nothing "$1 leaves nothing behind" "$2"
}
finish() {
  rm -rf "$work"
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

#!/bin/sh
# Builds a minimal root filesystem from Debian's busybox-static: usage make-rootfs.sh DIR
set -eu
dir=${1:?usage: make-rootfs.sh DIR}
bb=/bin/busybox
[ -x "$bb" ] && "$bb" --list >/dev/null 2>&1 || { echo "make-rootfs: install busybox-static first" >&2; exit 1; }
file -L "$bb" 2>/dev/null | grep -q 'dynamically linked' && { echo "make-rootfs: $bb is not static (install busybox-static)" >&2; exit 1; }
mkdir -p "$dir"/bin "$dir"/sbin "$dir"/usr/bin "$dir"/usr/sbin "$dir"/proc "$dir"/sys "$dir"/dev "$dir"/tmp "$dir"/etc "$dir"/root "$dir"/var
cp "$bb" "$dir"/bin/busybox
for app in $("$bb" --list); do
  [ -e "$dir/bin/$app" ] || ln -s busybox "$dir/bin/$app"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dir"/etc/passwd
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > "$dir"/etc/group
chmod 1777 "$dir"/tmp

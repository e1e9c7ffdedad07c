#!/bin/busybox sh
# /init of the vmtests initramfs. Loads the kernel modules listed in
# /modules.load, mounts the host's root filesystem read-only over 9p, adds
# tmpfs where the tests write, mounts the writable output share on
# /run/csfv-out and runs vmtests/lib/guest.py inside a chroot. Powers the VM
# off when done.
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

say() { echo "csfv-init: $*" > /dev/console; }
finish() { sync; poweroff -f; sleep 5; echo o > /proc/sysrq-trigger; }

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }

# Probe mode only checks that the VM boots (used for the KVM probe).
if [ "$(arg csfv.probe)" = 1 ]; then
	say "probe ok"
	finish
fi

while read -r module; do
	insmod "/modules/$module" 2>/dev/null || say "cannot load $module"
done < /modules.load

root=/newroot
mkdir -p $root
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot $root; then
	say "cannot mount the host root filesystem over 9p"
	finish
fi
# devtmpfs lacks the links that bash process substitution (/dev/fd) needs.
mkdir -p /dev/shm /dev/pts
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
for dir in proc sys dev; do
	mount --rbind /$dir $root/$dir
done
for dir in tmp run var/tmp dev/shm; do
	mount -t tmpfs -o mode=1777 tmpfs $root/$dir
done
mount -t bpf bpf $root/sys/fs/bpf
mount -t tracefs tracefs $root/sys/kernel/tracing 2>/dev/null
mount -t devpts devpts $root/dev/pts 2>/dev/null

# The output share goes under the guest's /run so that any host folder,
# even one under /tmp, can receive the results.
out=/run/csfv-out
mkdir -p "$root$out"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results "$root$out"; then
	say "cannot mount the output share at '$out'"
	finish
fi

# The host's /etc is visible read-only; give the guest its own hostname.
hostname csfv-guest
ip link set lo up
chroot $root /usr/bin/python3 "$(arg csfv.src)/vmtests/lib/guest.py" "$out" \
	> /dev/console 2>&1 || say "guest.py exited $?"
finish

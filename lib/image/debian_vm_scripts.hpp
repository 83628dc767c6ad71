#pragma once
// The shell scripts and configuration of the debian-vm image (busybox userland, Debian kernel).
// Console messages start with "libinstance-initrd:" or "libinstance-vm:" so that a boot log
// says which stage failed.

#include <string_view>

namespace li::debian_vm {

/// The initrd's /init: loads the root disk's drivers (listed in /etc/modules, "name path" lines,
/// a third word "optional" when failing to load is fine), mounts root= (rw/ro, rootfstype=,
/// rootflags= as on the kernel command line) and switch_roots to its /sbin/init. On failure it
/// says why on the console and powers off, or gives a shell with li.rescue on the command line.
constexpr std::string_view kInitrdInit = R"SH(#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
msg() { echo "libinstance-initrd: $*" >/dev/console; }
fail() {
    msg "$*"
    if grep -qw li.rescue /proc/cmdline; then
        msg "rescue shell (exit to power off)"
        setsid cttyhack sh
    else
        msg "powering off (add li.rescue to the kernel command line for a shell)"
        sleep 1
    fi
    poweroff -f
}
root=/dev/vda
fstype=ext4
mode=ro
flags=
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        root=*) root="${arg#root=}" ;;
        rootfstype=*) fstype="${arg#rootfstype=}" ;;
        rootflags=*) flags="${arg#rootflags=}" ;;
        rw) mode=rw ;;
        ro) mode=ro ;;
    esac
done
kver=$(uname -r)
while read -r name path optional; do
    [ -d "/sys/module/$name" ] && continue
    if ! insmod "/lib/modules/$kver/$path" 2>/dev/null && [ -z "$optional" ]; then
        msg "cannot load kernel module $name ($path)"
    fi
done </etc/modules
i=0
while [ ! -b "$root" ]; do
    i=$((i + 1))
    [ "$i" -gt 600 ] && fail "root device $root did not appear in 60 s (is the disk attached as virtio-blk?)"
    usleep 100000
done
mkdir -p /newroot
mount -t "$fstype" -o "$mode${flags:+,$flags}" "$root" /newroot || fail "cannot mount $root ($fstype, $mode) on /newroot"
[ -e /newroot/sbin/init ] || fail "$root has no /sbin/init"
mkdir -p /newroot/dev /newroot/proc /newroot/sys
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /sbin/init
)SH";

/// busybox init's table: start-up script, the agent (started again whenever it exits), a shell
/// on the serial console, a clean shutdown.
constexpr std::string_view kInittab =
    "::sysinit:/etc/init.d/rcS\n"
    "::respawn:/opt/libinstance/start-agent\n"
    "ttyS0::respawn:-/bin/sh\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/etc/init.d/rcK\n";

/// Start-up: file systems, host name, drivers of the guest's devices, growing the root file
/// system to its disk, network, ACPI power button.
constexpr std::string_view kRcS = R"SH(#!/bin/sh
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -q '^[^ ]* /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
[ -f /etc/hostname ] && hostname -F /etc/hostname
kver=$(uname -r)
while read -r name path optional; do
    [ -d "/sys/module/$name" ] && continue
    if ! insmod "/lib/modules/$kver/$path" 2>/dev/null && [ -z "$optional" ]; then
        echo "libinstance-vm: cannot load kernel module $name"
    fi
done </etc/libinstance/modules
# What the host passes on the kernel command line (ADR 0015): the instance's name, and the host
# folders of its disk devices (9p shares) with where they go, percent-encoded.
for arg in $(cat /proc/cmdline); do
    case "$arg" in
    libinstance.hostname=*)
        hostname "${arg#libinstance.hostname=}"
        hostname >/etc/hostname
        ;;
    libinstance.mount=*)
        spec=${arg#libinstance.mount=}
        tag=${spec%%:*}
        rest=${spec#*:}
        where=${rest%%:*}
        opts=trans=virtio,version=9p2000.L,msize=262144
        [ "$rest" != "$where" ] && opts="$opts,ro"
        where=$(printf '%b' "$(echo "$where" | sed 's/%\([0-9A-F][0-9A-F]\)/\\x\1/g')")
        mkdir -p "$where" && mount -t 9p -o "$opts" "$tag" "$where" || echo "libinstance-vm: cannot mount $tag at $where"
        ;;
    esac
done
# The disk may have been made larger than the file system (root disk size): grow it online.
rootdev=$(awk '$2 == "/" && $1 != "rootfs" { print $1 }' /proc/mounts | tail -n 1)
if [ -x /sbin/resize2fs ] && [ -b "$rootdev" ]; then
    /sbin/resize2fs "$rootdev" >/dev/null 2>&1 || echo "libinstance-vm: could not grow the root file system"
fi
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
    ip link set eth0 up
    udhcpc -b -S -i eth0 -s /usr/share/udhcpc/default.script >/dev/null 2>&1
fi
acpid -c /etc/acpi
echo "libinstance-vm: system started"
exit 0
)SH";

/// Shutdown (busybox init then stops every process and powers off or reboots).
constexpr std::string_view kRcK = R"SH(#!/bin/sh
echo "libinstance-vm: shutting down"
# Everything stops first, so that / can become read-only: no journal replay at the next boot.
kill -TERM -1 2>/dev/null
sleep 1
kill -KILL -1 2>/dev/null
sync
umount -a -r 2>/dev/null
mount -o remount,ro / 2>/dev/null
exit 0
)SH";

/// What acpid runs for the power button (libvirt's ACPI shutdown presses it).
constexpr std::string_view kPowerButton = "#!/bin/sh\nexec /sbin/poweroff\n";

/// Started (and started again) by init: the guest agent on its virtio-serial port.
constexpr std::string_view kStartAgent = R"SH(#!/bin/sh
echo "libinstance-vm: starting vm-agent" >/dev/console
/opt/libinstance/vm-agent --port-name org.libinstance.agent.0
echo "libinstance-vm: vm-agent exited ($?)" >/dev/console
sleep 2
)SH";

/// busybox udhcpc's hook: address, default route and resolv.conf from the lease.
constexpr std::string_view kUdhcpcScript = R"SH(#!/bin/sh
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    for r in $router; do
        ip route replace default via "$r" dev "$interface"
        break
    done
    {
        [ -n "$domain" ] && echo "search $domain"
        for d in $dns; do echo "nameserver $d"; done
    } >/etc/resolv.conf.new && mv /etc/resolv.conf.new /etc/resolv.conf
    ;;
esac
exit 0
)SH";

}  // namespace li::debian_vm

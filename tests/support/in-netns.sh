#!/bin/sh
# in-netns.sh NS COMMAND...: runs COMMAND in the network namespace NS (made by `ip netns add`),
# with a sysfs of that namespace (liblxc and the nic code look at /sys/class/net) but the host's
# cgroup tree kept, which `ip netns exec` would hide (and containers could not start).
set -e
ns=$1
shift
exec nsenter --net="/run/netns/$ns" unshare --mount --propagation private sh -c '
keep=$(mktemp -d)
mount --rbind /sys/fs/cgroup "$keep"
mount -t sysfs sysfs /sys
mount --move "$keep" /sys/fs/cgroup
rmdir "$keep"
exec "$@"' in-netns "$@"

#!/usr/bin/env bash
# Installs every Debian package libinstance needs to build, test and benchmark.
# Idempotent and non-interactive; run as root on Debian 12.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  # toolchain and build
  build-essential pkg-config meson ninja-build git
  # core libraries
  lxc lxc-dev libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev libfmt-dev
  libarchive-dev libssl-dev libyaml-cpp-dev libcurl4-openssl-dev
  # tests
  doctest-dev python3-pytest python3-yaml
  # bindings: pybind11 for Python, libclang for Rust's bindgen
  pybind11-dev python3-dev python3-pybind11 python3-venv libclang-dev
  # images and containers
  busybox-static uidmap xz-utils zstd
  # images: split images with a squashfs rootfs; bzip2 images
  squashfs-tools bzip2
  # the image importer's libFuzzer target (tests/fuzz)
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  # the debian image builder (inst image build debian)
  debootstrap
  # VM images: qcow2 checks and conversion (qemu-img), the debian-vm builder's root file system
  # (mkfs.ext4 -d); its tests boot the image under plain QEMU
  qemu-utils e2fsprogs qemu-system-x86
  # virtual machines: libvirt's QEMU driver (embedded by default, or a libvirtd), its headers
  libvirt-dev libvirt-daemon-driver-qemu
  # VM images without a kernel of their own (LXD's: GPT, EFI system partition) boot through UEFI
  # firmware (ovmf); their test makes such a disk without loop mounts: a standalone GRUB EFI
  # (grub-mkstandalone), its FAT partition (dosfstools, mtools), the GPT (gdisk's sgdisk)
  ovmf grub-efi-amd64-bin grub-common dosfstools mtools gdisk
  # storage pools: btrfs (loop-backed or on an existing btrfs)
  btrfs-progs
  # managed bridge networks: DHCP/DNS (dnsmasq-base has no system service; libinstance runs its
  # own dnsmasq per network with --conf-file of its own) and NAT/filtering (nft)
  dnsmasq-base nftables iproute2
  # the daemon (instanced): Boost.Beast/Asio (header-only) and, for its compatibility tests,
  # Debian's real lxc client
  libboost-dev lxd-client python3-pylxd
)

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

# Unprivileged containers map root to a subordinate id range; give root one like LXD expects.
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  grep -q '^root:' "$f" || echo 'root:1000000:1000000000' >>"$f"
done

# libvirt's QEMU driver runs and labels as the libvirt-qemu user, which Debian creates only in
# libvirt-daemon-system (not needed here); create it as that package would. On a host with udev,
# /dev/kvm belongs to group kvm with mode 0660 and libvirt-qemu is in it; without udev (containers,
# CI) do the same, or a libvirtd finds KVM unusable by its QEMU user and probes QEMU again on every
# call (over a minute per VM start).
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd --system --gid libvirt-qemu --home-dir /var/lib/libvirt --no-create-home --shell /usr/sbin/nologin libvirt-qemu
getent group kvm >/dev/null || groupadd --system kvm
id -nG libvirt-qemu | grep -qw kvm || usermod -aG kvm libvirt-qemu
if [ -c /dev/kvm ]; then chgrp kvm /dev/kvm && chmod 0660 /dev/kvm; fi

# The Rust bindings need cargo >= 1.78 from rustup (Debian 12's 1.63 cannot read their
# Cargo.lock); without it their tests are skipped with that reason.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
  echo "setup-debian: no cargo found; install Rust with rustup to run the Rust binding tests" >&2
fi
echo "setup-debian: dependencies installed"

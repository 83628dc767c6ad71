#!/bin/sh
# Makes the disk of an LXD-style UEFI VM image from the debian-vm image's files, as LXD's images
# are laid out: a GPT, partition 1 an EFI system partition (FAT) holding \EFI\BOOT\BOOTX64.EFI (a
# standalone GRUB whose embedded grub.cfg loads the kernel and initrd from the root partition),
# partition 2 the ext4 root file system with the kernel and initrd in its /boot. No loop mounts:
# mtools writes the FAT, debugfs the ext4, dd places both.
#
# usage: make_uefi_disk.sh <debian-vm metadata tarball> <debian-vm qcow2> <out qcow2> <kernel args>
# (the kernel args follow root=/dev/vda2: what the image's init reads, e.g. libinstance.hostname=)
set -eu
meta=$1 qcow2=$2 out=$3 args=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/li-uefi-disk.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

tar -xzf "$meta" boot/vmlinuz boot/initrd.img
qemu-img convert -O raw "$qcow2" root.raw
# The kernel and initrd in the root file system's /boot, as an installed distribution has them.
debugfs -w -R "mkdir /boot" root.raw >/dev/null 2>&1 || true
debugfs -w -f - root.raw >/dev/null 2>&1 <<EOF
write boot/vmlinuz /boot/vmlinuz
write boot/initrd.img /boot/initrd.img
EOF
debugfs -R "stat /boot/vmlinuz" root.raw 2>/dev/null | grep -q "Size: [1-9]" || { echo "debugfs did not write /boot/vmlinuz" >&2; exit 1; }

cat >grub.cfg <<EOF
set timeout=0
insmod part_gpt
insmod ext2
search --no-floppy --file /boot/vmlinuz --set=root
echo "libinstance-uefi: grub loading the kernel from \$root"
linux /boot/vmlinuz root=/dev/vda2 $args
initrd /boot/initrd.img
boot
EOF
# Only the modules the configuration needs: a small BOOTX64.EFI made in well under a second.
grub-mkstandalone -O x86_64-efi -o BOOTX64.EFI --compress=no \
    --install-modules="normal linux search search_fs_file part_gpt ext2 fat echo test" \
    --modules="part_gpt ext2 fat" --locales= --fonts= --themes= \
    "boot/grub/grub.cfg=grub.cfg"

# The EFI system partition: 32 MiB of FAT.
mkfs.vfat -C esp.img 32768 >/dev/null
mmd -i esp.img ::/EFI ::/EFI/BOOT
mcopy -i esp.img BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI

# GPT: 1 MiB before the ESP, the root partition after it, 1 MiB for the backup header.
esp_sectors=65536
root_bytes=$(stat -c %s root.raw)
root_start=$((2048 + esp_sectors))
truncate -s $(((root_start * 512) + root_bytes + 1048576)) disk.raw
# (sgdisk's -q would skip writing a table to a disk that has none.)
sgdisk -o -n 1:2048:+$esp_sectors -t 1:ef00 -c 1:EFI \
    -n 2:$root_start:+$((root_bytes / 512)) -t 2:8300 -c 2:root disk.raw >/dev/null
dd if=esp.img of=disk.raw bs=1M seek=1 conv=notrunc,sparse status=none
dd if=root.raw of=disk.raw bs=1M seek=$((root_start / 2048)) conv=notrunc,sparse status=none
qemu-img convert -O qcow2 disk.raw "$out"

#pragma once
// The qcow2 disk of a split VM image (LXD's format): recognised by its magic, checked as hostile
// input through `qemu-img info`, and converted to the raw file an image volume keeps.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>

#include "image/unpack_limits.hpp"

namespace li {

/// True when the file starts with qcow2's magic "QFI\xfb".
bool is_qcow2(const std::filesystem::path& file);

/// What a check of a qcow2 found.
struct Qcow2Info {
    uint64_t virtual_size = 0;  ///< bytes the raw disk has
};

/// Checks a qcow2 from an untrusted source: `qemu-img info` (format forced to qcow2, bounded in
/// memory and CPU) must read it; a backing file (it could name any host file), an external data
/// file, encryption, a corrupt flag, or a virtual size over limits.max_bytes are refused.
/// InvalidArgument naming the file; NotFound when qemu-img is missing (package qemu-utils).
Qcow2Info inspect_qcow2(const std::filesystem::path& file, const UnpackLimits& limits);

/// Writes the qcow2's disk as a sparse raw file at out (`qemu-img convert`), calling progress
/// with 0-100 as it goes. A stop request kills qemu-img, removes out and throws Cancelled.
void convert_qcow2_to_raw(const std::filesystem::path& file, const std::filesystem::path& out,
                          const std::function<void(int)>& progress, std::stop_token stop);

/// Writes a raw disk (a VM volume's root.img) as a qcow2 at out (`qemu-img convert`, deflated
/// clusters when compress), for publishing. Progress and cancellation as convert_qcow2_to_raw().
void convert_raw_to_qcow2(const std::filesystem::path& file, const std::filesystem::path& out, bool compress,
                          const std::function<void(int)>& progress, std::stop_token stop);

}  // namespace li

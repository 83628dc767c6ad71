// libFuzzer target for the image importer: every input is scanned as a unified tarball and, when
// the scan accepts it, unpacked into a scratch directory, which must stay the only place written.
// Errors (li::Error) are the expected outcome for most inputs; anything else (a crash, another
// exception, a sanitizer report, a file outside the scratch directory) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "image/tarball.hpp"
#include "libinstance/error.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch() {
    static fs::path dir = [] {
        std::string tmpl = (fs::temp_directory_path() / "li-fuzz-importer-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) std::abort();
        return fs::path(tmpl);
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fs::path file = scratch() / "input";
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    li::UnpackLimits limits;
    limits.max_bytes = 64 << 20;  // keep every run small
    limits.ratio_floor = 1 << 20;
    for (li::ArchiveRole role : {li::ArchiveRole::Unified, li::ArchiveRole::Rootfs}) {
        try {
            li::scan_archive(file, role, limits);
            fs::path dest = scratch() / "dest";
            fs::create_directory(dest);
            try {
                li::unpack_archive(file, role, dest, limits, {});
            } catch (const li::Error&) {
            }
            std::error_code ec;
            fs::remove_all(dest, ec);
        } catch (const li::Error&) {
        }
    }
    // Nothing may appear beside the scratch directory's own files.
    for (const auto& entry : fs::directory_iterator(scratch()))
        if (entry.path().filename() != "input") std::abort();
    return 0;
}

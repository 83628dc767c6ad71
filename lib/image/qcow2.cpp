#include "image/qcow2.hpp"

#include <cerrno>
#include <fcntl.h>
#include <csignal>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/subprocess.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {

// qemu-img's own advice for untrusted images: bound its memory and CPU time.
const std::vector<std::string> kBounded = {"prlimit", "--as=1073741824", "--cpu=30", "--"};

// Absolute paths only: qemu-img reads "json:{...}" and "proto:" prefixes in a file name as options.
std::string safe_path(const fs::path& file) { return fs::absolute(file).lexically_normal().string(); }

[[noreturn]] void refuse(const fs::path& file, std::string_view why) {
    throw Error::invalid(file.string(), fmt::format("VM image disk {} refused: {}", file.string(), why));
}

}  // namespace

bool is_qcow2(const fs::path& file) {
    std::string head;
    try {
        UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) return false;
        char buf[4];
        if (::read(fd.get(), buf, 4) != 4) return false;
        head.assign(buf, 4);
    } catch (const Error&) {
        return false;
    }
    return head == std::string("QFI\xfb", 4);
}

Qcow2Info inspect_qcow2(const fs::path& file, const UnpackLimits& limits) {
    std::vector<std::string> argv = kBounded;
    argv.insert(argv.end(), {"qemu-img", "info", "-f", "qcow2", "--output=json", safe_path(file)});
    std::string out;
    try {
        out = run_checked(argv, "reading the VM image disk");
    } catch (const Error& e) {
        if (std::string(e.what()).find("No such file") != std::string::npos && std::string(e.what()).find("qemu-img") != std::string::npos)
            throw Error(ErrorCode::NotFound, "qemu-img is not installed (Debian package qemu-utils)", "qemu-img");
        refuse(file, fmt::format("not a readable qcow2 ({})", e.what()));
    }
    nlohmann::json info;
    try {
        info = nlohmann::json::parse(out);
    } catch (const std::exception& e) {
        refuse(file, fmt::format("qemu-img info gave no JSON ({})", e.what()));
    }
    if (info.value("format", "") != "qcow2") refuse(file, "not a qcow2");
    if (info.contains("backing-filename") || info.contains("full-backing-filename") || info.contains("backing-filename-format"))
        refuse(file, fmt::format("it has a backing file (\"{}\"); images must be self-contained",
                                 info.value("backing-filename", std::string("?"))));
    if (info.value("encrypted", false)) refuse(file, "it is encrypted");
    if (info.contains("format-specific") && info["format-specific"].contains("data")) {
        const auto& data = info["format-specific"]["data"];
        if (data.contains("data-file")) refuse(file, "it has an external data file");
        if (data.value("corrupt", false)) refuse(file, "it is marked corrupt");
    }
    if (!info.contains("virtual-size") || !info["virtual-size"].is_number_unsigned()) refuse(file, "it has no virtual size");
    Qcow2Info result;
    result.virtual_size = info["virtual-size"].get<uint64_t>();
    if (result.virtual_size == 0) refuse(file, "its disk is empty");
    if (result.virtual_size > limits.max_bytes)
        refuse(file, fmt::format("its disk is {} bytes, over the limit of {} (images.unpack_max_size)", result.virtual_size,
                                 limits.max_bytes));
    return result;
}

namespace {

// Runs `qemu-img convert -p ...` writing out, reporting its "(12.34/100%)" progress; a stop request
// or a throwing progress kills it and removes out. what names the step in errors.
void run_convert(std::vector<std::string> argv, const fs::path& source, const fs::path& out, const std::function<void(int)>& progress,
                 std::stop_token stop, const char* what) {
    Pipe pipe = make_pipe();
    SpawnSpec spec;
    spec.argv = std::move(argv);
    spec.fds = {-1, pipe.write.get(), pipe.write.get()};
    spec.new_session = true;
    Child child = spawn(spec);
    pipe.write.reset();
    std::string text, tail;
    bool killed = false;
    for (;;) {
        if (!killed && stop.stop_requested()) {
            ::kill(child.pid(), SIGKILL);
            killed = true;
        }
        pollfd p{pipe.read.get(), POLLIN, 0};
        int r = ::poll(&p, 1, 200);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) continue;
        char buf[1024];
        ssize_t n = ::read(pipe.read.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
        tail = text.size() > 2000 ? text.substr(text.size() - 2000) : text;
        auto end = text.rfind("/100%)");
        auto start = end == std::string::npos ? end : text.rfind('(', end);
        if (start != std::string::npos && progress) {
            int pct = 0;
            try {
                pct = static_cast<int>(std::stod(text.substr(start + 1, end - start - 1)));
            } catch (const std::exception&) {
            }
            try {
                progress(pct);
            } catch (...) {
                // The caller stops us (cancellation): qemu-img must not outlive the call.
                ::kill(child.pid(), SIGKILL);
                child.wait();
                std::error_code ec;
                fs::remove(out, ec);
                throw;
            }
        }
        if (text.size() > 4096) text.erase(0, text.size() - 256);
    }
    int status = child.wait();
    if (killed || exit_code_from_status(status) != 0) {
        std::error_code ec;
        fs::remove(out, ec);
        if (killed) throw Error(ErrorCode::Cancelled, fmt::format("{} was cancelled", what));
        throw Error::invalid(source.string(), fmt::format("{} ({}) failed (exit {}): {}", what, source.string(),
                                                          exit_code_from_status(status), tail));
    }
    if (progress) progress(100);
}

}  // namespace

void convert_qcow2_to_raw(const fs::path& file, const fs::path& out, const std::function<void(int)>& progress,
                          std::stop_token stop) {
    // -p prints "    (12.34/100%)\r"; raw output is sparse (runs of zeros are not written).
    run_convert({"qemu-img", "convert", "-p", "-f", "qcow2", "-O", "raw", safe_path(file), safe_path(out)}, file, out, progress, stop,
                "converting the VM image disk to raw");
}

void convert_raw_to_qcow2(const fs::path& file, const fs::path& out, bool compress, const std::function<void(int)>& progress,
                          std::stop_token stop) {
    // Holes of the sparse raw file stay unallocated clusters; -c deflates the written ones.
    std::vector<std::string> argv = {"qemu-img", "convert", "-p", "-f", "raw", "-O", "qcow2"};
    if (compress) argv.push_back("-c");
    argv.insert(argv.end(), {safe_path(file), safe_path(out)});
    run_convert(std::move(argv), file, out, progress, stop, "converting the VM disk to qcow2 (qemu-img, package qemu-utils)");
}

}  // namespace li

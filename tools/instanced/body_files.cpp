#include "body_files.hpp"

#include <atomic>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.hpp"
#include "libinstance/error.hpp"

namespace li::daemon {

namespace fs = std::filesystem;

fs::path daemon_dir(Daemon& daemon, std::string_view what) {
    fs::path dir = daemon.manager().state_dir() / "instanced" / std::string(what);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::System, fmt::format("creating {}: {}", dir.string(), ec.message()));
    fs::permissions(dir.parent_path(), fs::perms::owner_all, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    return dir;
}

ScratchPath::ScratchPath(Daemon& daemon, std::string_view suffix) {
    static std::atomic<unsigned> counter{0};
    path_ = daemon_dir(daemon, "scratch") / fmt::format("{}-{}{}", ::getpid(), counter++, suffix);
    std::error_code ec;
    fs::remove_all(path_, ec);  // a leftover of an earlier daemon with the same pid
}

ScratchPath::~ScratchPath() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void clear_scratch(Daemon& daemon) {
    fs::path dir = daemon_dir(daemon, "scratch");
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
}

void write_file(const fs::path& path, std::string_view data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw Error::from_errno("creating " + path.string(), errno);
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw Error::from_errno("writing " + path.string(), err);
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0) throw Error::from_errno("writing " + path.string(), errno);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::NotFound, fmt::format("cannot read {}", path.string()));
    std::ostringstream out;
    out << in.rdbuf();
    return std::move(out).str();
}

std::shared_ptr<const UploadedBody> body_file(Daemon& daemon, const Call& call) {
    if (call.upload) return call.upload;
    ScratchPath scratch(daemon, ".body");
    write_file(scratch.path(), call.request.body());
    return std::make_shared<UploadedBody>(scratch.release(), call.request.body().size());
}

std::string body_text(const Call& call, size_t limit) {
    if (!call.upload) {
        if (call.request.body().size() > limit) throw Error::invalid("body", fmt::format("the request body is over {} bytes", limit));
        return call.request.body();
    }
    if (call.upload->size() > limit) throw Error::invalid("body", fmt::format("the request body is over {} bytes", limit));
    return read_file(call.upload->path());
}

bool has_body(const Call& call) { return call.upload ? call.upload->size() > 0 : !call.request.body().empty(); }

FileResponse file_response(const fs::path& path, std::string_view content_type, std::string_view filename, std::shared_ptr<void> keep) {
    FileResponse out;
    out.keep = std::move(keep);
    out.message.result(http::status::ok);
    out.message.version(11);
    boost::beast::error_code ec;
    out.message.body().open(path.c_str(), boost::beast::file_mode::scan, ec);
    if (ec) throw Error(ErrorCode::NotFound, fmt::format("cannot read {}: {}", path.string(), ec.message()));
    out.message.set(http::field::content_type, std::string(content_type));
    if (!filename.empty()) out.message.set(http::field::content_disposition, fmt::format("attachment; filename={}", filename));
    out.message.prepare_payload();
    return out;
}

Response raw_response(std::string body, std::string_view content_type, std::string_view filename) {
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, std::string(content_type));
    if (!filename.empty()) res.set(http::field::content_disposition, fmt::format("attachment; filename={}", filename));
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

bool header_true(std::string_view value) {
    return value == "1" || value == "t" || value == "T" || value == "true" || value == "TRUE" || value == "True";
}

}  // namespace li::daemon

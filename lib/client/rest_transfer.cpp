#include "client/rest_transfer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::rest {

namespace fs = std::filesystem;

void write_all(int fd, std::string_view data, std::string_view what) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error::from_errno(fmt::format("writing {}", what), errno);
        data.remove_prefix(static_cast<size_t>(n));
    }
}

RestRawResponse download_to_file(RestTransport& rest, std::string_view path, const fs::path& target) {
    fs::path partial = target;
    partial += fmt::format(".part-{:08x}", std::random_device{}());
    UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) throw Error(ErrorCode::System, fmt::format("cannot create {}: {}", partial.string(), std::strerror(errno)), "target");
    try {
        std::string what = target.string();
        RestRawResponse head = rest.request_download("GET", path, [&](const RestRawResponse&) -> RestChunkSink {
            return [&](std::string_view chunk) { write_all(fd.get(), chunk, what); };
        });
        if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0)
            throw Error(ErrorCode::System, fmt::format("writing {}: {}", what, std::strerror(errno)), "target");
        fs::rename(partial, target);
        return head;
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw;
    }
}

RestRawResponse upload_file(RestTransport& rest, std::string_view method, std::string_view path, const fs::path& file,
                            std::string_view field, std::string_view content_type, const std::map<std::string, std::string>& headers) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(ErrorCode::NotFound, fmt::format("{} not found (or not a regular file)", file.string()), std::string(field));
    RestUploadPiece piece;
    piece.fd = fd.get();
    piece.size = static_cast<uint64_t>(st.st_size);
    return rest.request_upload(method, path, {piece}, content_type, headers);
}

}  // namespace li::rest

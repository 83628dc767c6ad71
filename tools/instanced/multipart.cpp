#include "multipart.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <cerrno>
#include <fcntl.h>
#include <random>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li::daemon {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// A parameter of a header value (`form-data; name="metadata"; filename="x"`), unquoted.
std::string header_param(std::string_view value, std::string_view key) {
    size_t pos = 0;
    while ((pos = value.find(';', pos)) != std::string_view::npos) {
        ++pos;
        std::string_view rest = trim(value.substr(pos));
        size_t eq = rest.find('=');
        if (eq == std::string_view::npos) continue;
        if (lower(trim(rest.substr(0, eq))) != lower(key)) continue;
        std::string_view v = rest.substr(eq + 1);
        if (!v.empty() && v.front() == '"') {
            std::string out;
            for (size_t i = 1; i < v.size() && v[i] != '"'; ++i) {
                if (v[i] == '\\' && i + 1 < v.size()) ++i;
                out += v[i];
            }
            return out;
        }
        size_t end = v.find(';');
        return std::string(trim(v.substr(0, end)));
    }
    return {};
}

Error bad(std::string_view why) { return Error::invalid("body", fmt::format("invalid multipart body: {}", why)); }

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
    if (lower(trim(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") return {};
    return header_param(content_type, "boundary");
}

std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary) {
    if (boundary.empty()) throw bad("no boundary in Content-Type");
    std::string delimiter = "--" + std::string(boundary);
    size_t pos = body.find(delimiter);
    if (pos == std::string_view::npos) throw bad("the boundary never occurs");
    std::vector<MultipartPart> parts;
    std::string next = "\r\n" + delimiter;
    while (true) {
        pos += delimiter.size();
        if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter
        if (body.substr(pos, 2) != "\r\n") throw bad("a boundary line is not followed by a line break");
        pos += 2;
        size_t head_end = body.find("\r\n\r\n", pos);
        if (head_end == std::string_view::npos) throw bad("a part has no end of headers");
        MultipartPart part;
        std::string_view headers = body.substr(pos, head_end - pos);
        size_t line_start = 0;
        while (line_start <= headers.size()) {
            size_t line_end = headers.find("\r\n", line_start);
            std::string_view line = headers.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos : line_end - line_start);
            size_t colon = line.find(':');
            if (colon != std::string_view::npos && lower(trim(line.substr(0, colon))) == "content-disposition") {
                part.name = header_param(line.substr(colon + 1), "name");
                part.filename = header_param(line.substr(colon + 1), "filename");
            }
            if (line_end == std::string_view::npos) break;
            line_start = line_end + 2;
        }
        size_t data_start = head_end + 4;
        size_t data_end = body.find(next, data_start);
        if (data_end == std::string_view::npos) throw bad(fmt::format("part \"{}\" is not terminated", part.name));
        part.data = body.substr(data_start, data_end - data_start);
        parts.push_back(std::move(part));
        pos = data_end + 2;
    }
}

std::string write_multipart(const std::filesystem::path& out, const std::vector<MultipartFilePart>& parts) {
    std::mt19937_64 rng{std::random_device{}()};
    std::string boundary = fmt::format("{:016x}{:016x}", rng(), rng());
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) throw Error::from_errno("creating " + out.string(), errno);
    auto put = [&](std::string_view text) {
        while (!text.empty()) {
            ssize_t n = ::write(fd.get(), text.data(), text.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw Error::from_errno("writing " + out.string(), errno);
            text.remove_prefix(static_cast<size_t>(n));
        }
    };
    for (const auto& part : parts) {
        put(fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
                        "Content-Type: application/octet-stream\r\n\r\n",
                        boundary, part.name, part.filename));
        UniqueFd in(::open(part.content.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) throw Error::from_errno("reading " + part.content.string(), errno);
        bool in_kernel = true;
        for (;;) {
            ssize_t n = in_kernel ? ::copy_file_range(in.get(), nullptr, fd.get(), nullptr, size_t{1} << 30, 0) : -1;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && in_kernel && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
                in_kernel = false;  // older kernels and some file systems: copy through a buffer
                continue;
            }
            if (!in_kernel) {
                char buffer[65536];
                n = ::read(in.get(), buffer, sizeof buffer);
                if (n < 0 && errno == EINTR) continue;
                if (n > 0) put(std::string_view(buffer, static_cast<size_t>(n)));
            }
            if (n < 0) throw Error::from_errno("copying " + part.content.string(), errno);
            if (n == 0) break;
        }
        put("\r\n");
    }
    put(fmt::format("--{}--\r\n", boundary));
    return boundary;
}

}  // namespace li::daemon

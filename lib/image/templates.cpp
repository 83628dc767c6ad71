#include "image/templates.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"
#include "sys/unique_fd.hpp"

namespace li {

namespace fs = std::filesystem;

namespace {
std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t");
    return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}
}  // namespace

std::string render_template(std::string_view text, const TemplateContext& context) {
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) break;
        size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) break;
        out.append(text.substr(pos, open - pos));
        auto it = context.find(trim(text.substr(open + 2, close - open - 2)));
        if (it != context.end()) out.append(it->second);
        pos = close + 2;
    }
    out.append(text.substr(pos));
    return out;
}

void apply_templates(const ImageMetadata& metadata, const fs::path& templates_dir, const fs::path& rootfs,
                     std::string_view trigger, const TemplateContext& context) {
    for (const auto& [target, tpl] : metadata.templates) {
        if (std::find(tpl.when.begin(), tpl.when.end(), trigger) == tpl.when.end()) continue;
        fs::path source = templates_dir / fs::path(tpl.template_file).filename();
        std::string text = read_file(source, 1 << 20);
        TemplateContext ctx = context;
        for (const auto& [k, v] : tpl.properties) ctx["properties." + k] = v;
        std::string rendered = render_template(text, ctx);
        // create_only templates never overwrite what the image (or the user) already put there.
        int flags = tpl.create_only ? O_WRONLY | O_CREAT | O_EXCL : O_WRONLY | O_CREAT | O_TRUNC;
        UniqueFd fd;
        try {
            fd.reset(open_in_root(rootfs, target, flags, 0644));
        } catch (const Error& e) {
            if (tpl.create_only && e.code() == ErrorCode::AlreadyExists) continue;
            throw;
        }
        size_t done = 0;
        while (done < rendered.size()) {
            ssize_t n = ::write(fd.get(), rendered.data() + done, rendered.size() - done);
            if (n < 0) throw Error::from_errno(fmt::format("writing template target {}", target), errno);
            done += static_cast<size_t>(n);
        }
    }
}

}  // namespace li

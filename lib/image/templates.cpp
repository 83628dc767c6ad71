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

void apply_templates(const ImageMetadata& metadata, const fs::path& templates_dir, const fs::path& rootfs,
                     std::string_view trigger, const TemplateContext& context) {
    for (const auto& [target, tpl] : metadata.templates) {
        if (std::find(tpl.when.begin(), tpl.when.end(), trigger) == tpl.when.end()) continue;
        fs::path source = templates_dir / fs::path(tpl.template_file).filename();
        std::string text = read_file(source, 1 << 20);
        TemplateContext ctx = context;
        ctx.trigger = std::string(trigger);
        ctx.path = target;
        ctx.properties = tpl.properties;
        std::string rendered = render_template(text, ctx, tpl.template_file);
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

TemplateContext instance_template_context(const std::string& name, const std::string& type, const std::string& architecture,
                                          bool ephemeral, const api::ConfigMap& expanded_config,
                                          const api::DeviceMap& expanded_devices) {
    TemplateContext ctx;
    auto privileged = expanded_config.find("security.privileged");
    bool is_privileged = privileged != expanded_config.end() && (privileged->second == "true" || privileged->second == "1");
    ctx.instance = {{"name", name},
                    {"type", type.empty() ? "container" : type},
                    {"architecture", architecture},
                    {"privileged", is_privileged ? "true" : "false"},
                    {"ephemeral", ephemeral ? "true" : "false"}};
    ctx.config = std::map<std::string, std::string>(expanded_config.begin(), expanded_config.end());
    for (const auto& [dev, keys] : expanded_devices) ctx.devices[dev] = std::map<std::string, std::string>(keys.begin(), keys.end());
    return ctx;
}

void apply_instance_templates(const fs::path& volume_dir, std::string_view trigger, const TemplateContext& context) {
    fs::path metadata_file = volume_dir / "metadata.yaml";
    std::error_code ec;
    if (!fs::is_regular_file(metadata_file, ec)) return;
    // A VM's files are inside its disk image, which the host does not open: the guest's init
    // applies what it needs (hostname) from the kernel command line instead (ADR 0015).
    if (!fs::exists(volume_dir / "rootfs", ec) && fs::exists(volume_dir / "root.img", ec)) return;
    ImageMetadata md = parse_image_metadata(read_file(metadata_file, 1 << 20));
    try {
        apply_templates(md, volume_dir / "templates", volume_dir / "rootfs", trigger, context);
    } catch (const Error& e) {
        throw e.with_context(fmt::format("applying the image's {} templates", trigger));
    }
}

}  // namespace li

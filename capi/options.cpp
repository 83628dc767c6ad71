// Conversion of the C option structs into the C++ options (see options.hpp).

#include "options.hpp"

#include <chrono>

namespace li::capi {

ImageBuildOptions build_options(const char* builder, const li_image_build_opts* opts) {
    ImageBuildOptions o;
    o.builder = required(builder, "builder");
    check_version(opts, LI_IMAGE_BUILD_OPTS_VERSION, "li_image_build_opts");
    if (opts != nullptr) {
        o.alias = or_empty(opts->alias);
        o.output_path = or_empty(opts->output_path);
        if (opts->release) o.release = opts->release;
        if (opts->variant) o.variant = opts->variant;
        o.mirror = or_empty(opts->mirror);
        for (const char* const* p = opts->packages; p && *p; ++p) o.packages.emplace_back(*p);
        if (opts->init) o.init = opts->init;
        o.cache_dir = or_empty(opts->cache_dir);
    }
    return o;
}

ImageImportOptions import_options(const li_image_import_opts* opts) {
    check_version(opts, LI_IMAGE_IMPORT_OPTS_VERSION, "li_image_import_opts");
    ImageImportOptions o;
    if (opts != nullptr) {
        o.alias = or_empty(opts->alias);
        o.rootfs_path = or_empty(opts->rootfs_path);
        o.expected_fingerprint = or_empty(opts->expected_fingerprint);
        if (opts->properties_json != nullptr) o.properties = api::string_map_from_json(opts->properties_json, "properties_json");
        o.public_ = opts->public_ != 0;
        o.auto_update = opts->auto_update != 0;
        o.cached = opts->cached != 0;
        o.max_unpack_ratio = opts->max_unpack_ratio;
        o.max_unpack_bytes = opts->max_unpack_bytes;
    }
    return o;
}

StartOptions start_options(const li_start_opts* opts) {
    check_version(opts, LI_START_OPTS_VERSION, "li_start_opts");
    StartOptions o;
    if (opts != nullptr) {
        o.stateful = opts->stateful != 0;
    }
    return o;
}

StopOptions stop_options(const li_stop_opts* opts) {
    check_version(opts, LI_STOP_OPTS_VERSION, "li_stop_opts");
    StopOptions o;
    if (opts != nullptr) {
        o.force = opts->force != 0;
        // Negative selects the C++ default (30 s); zero is a real "no grace period".
        if (opts->timeout_seconds >= 0) {
            o.timeout = std::chrono::seconds{opts->timeout_seconds};
        }
    }
    return o;
}

DeleteOptions delete_options(const li_delete_opts* opts) {
    check_version(opts, LI_DELETE_OPTS_VERSION, "li_delete_opts");
    DeleteOptions o;
    if (opts != nullptr) {
        o.force = opts->force != 0;
    }
    return o;
}

namespace {

std::string_view trimmed(std::string_view s) {
    auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

}  // namespace

EventFilter event_filter(const li_subscribe_opts* opts) {
    check_version(opts, LI_SUBSCRIBE_OPTS_VERSION, "li_subscribe_opts");
    EventFilter f;
    if (opts == nullptr) {
        return f;
    }
    if (opts->types != nullptr) {
        // Only split here: the bus checks the names (see subscribe_error in events.cpp). An empty
        // entry would otherwise vanish, and "" would silently mean every type.
        std::string_view rest{opts->types};
        while (true) {
            auto comma = rest.find(',');
            auto type = trimmed(rest.substr(0, comma));
            if (type.empty()) {
                throw Error(ErrorCode::InvalidArgument,
                            fmt::format("opts.types '{}' has an empty entry (expected a "
                                        "comma-separated list of lifecycle, operation, logging)",
                                        opts->types),
                            "opts.types");
            }
            f.types.emplace(type);
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
    }
    f.project = project_arg(opts->project);
    f.all_projects = opts->all_projects != 0;
    if (opts->log_level != nullptr) {
        f.log_level = opts->log_level;
    }
    if (opts->queue_size != 0) {
        f.queue_size = opts->queue_size;
    }
    return f;
}

}  // namespace li::capi

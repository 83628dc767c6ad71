#include "log_routes.hpp"

#include <fmt/format.h>

#include "body_files.hpp"
#include "daemon.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {
using nlohmann::json;
}

void add_log_routes(Router& router, Daemon& daemon) {
    Manager& manager = daemon.manager();
    ExecOutputs& outputs = daemon.exec_outputs();
    add_instance_route(router, http::verb::get, "/{name}/logs", [&manager, &outputs](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        json urls = json::array();
        std::vector<std::string> files = instance.log_files();
        for (auto& file : outputs.list(instance.info())) files.push_back(std::move(file));
        for (const auto& file : files)
            urls.push_back(project_url(fmt::format("/1.0/instances/{}/logs/{}", instance.name(), file), instance.project()));
        return sync_response(urls);
    });
    add_instance_route(router, http::verb::get, "/{name}/logs/{file}", [&manager, &outputs](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        const std::string& file = call.params.at("file");
        if (ExecOutputs::is_output_name(file)) {
            auto text = outputs.read(instance.info(), file);
            if (!text) throw Error(ErrorCode::NotFound, fmt::format("log file \"{}\" not found", file), "file");
            return raw_response(std::move(*text), "application/octet-stream", file);
        }
        return raw_response(instance.log_file(file), "application/octet-stream", file);
    });
    // LXD keeps lxc.log and lxc.conf (they describe the running container). The library can
    // only empty the console log; other files are refused rather than silently kept.
    add_instance_route(router, http::verb::delete_, "/{name}/logs/{file}", [&manager, &outputs](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        std::string file = call.params.at("file");
        if (ExecOutputs::is_output_name(file)) {
            if (!outputs.remove(instance.info(), file))
                throw Error(ErrorCode::NotFound, fmt::format("log file \"{}\" not found", file), "file");
            return sync_response(json::object());
        }
        instance.log_file(file);  // InvalidArgument / NotFound for a bad or unknown name
        if (file == "lxc.log" || file == "lxc.conf")
            throw Error::invalid("file", fmt::format("log file \"{}\" cannot be deleted", file));
        if (file != "console.log") throw Error(ErrorCode::NotSupported, fmt::format("deleting log file \"{}\" is not supported", file), "file");
        instance.clear_console_log();
        return sync_response(json::object());
    });
    add_instance_route(router, http::verb::get, "/{name}/console", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        return raw_response(instance.console_log(), "application/octet-stream");
    });
    add_instance_route(router, http::verb::delete_, "/{name}/console", [&manager](const Call& call) -> Reply {
        Instance instance = manager.instances().get(call.project(), call.params.at("name"));
        instance.clear_console_log();
        return sync_response(json::object());
    });
}

}  // namespace li::daemon

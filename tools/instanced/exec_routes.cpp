#include "exec_routes.hpp"

#include <fmt/format.h>

#include "daemon.hpp"
#include "exec_session.hpp"
#include "instance_routes.hpp"
#include "libinstance/error.hpp"
#include "route_helpers.hpp"

namespace li::daemon {

namespace {

using nlohmann::json;

uint32_t id_field(const json& body, const char* key) {
    if (!body.contains(key) || body[key].is_null()) return 0;
    if (!body[key].is_number_integer() || body[key].get<int64_t>() < 0 || body[key].get<int64_t>() > UINT32_MAX)
        throw Error::invalid(key, fmt::format("field \"{}\" must be a non-negative integer", key));
    return body[key].get<uint32_t>();
}

ExecRequest exec_request(const json& body) {
    ExecRequest req;
    if (!body.contains("command") || !body["command"].is_array() || body["command"].empty())
        throw Error::invalid("command", "field \"command\" must be a non-empty list of strings");
    for (const auto& arg : body["command"]) {
        if (!arg.is_string()) throw Error::invalid("command", "field \"command\" must be a list of strings");
        req.command.push_back(arg.get<std::string>());
    }
    if (body.contains("environment") && !body["environment"].is_null()) {
        if (!body["environment"].is_object()) throw Error::invalid("environment", "field \"environment\" must be an object of strings");
        for (const auto& [key, value] : body["environment"].items()) {
            if (!value.is_string()) throw Error::invalid("environment", fmt::format("environment \"{}\" must be a string", key));
            req.options.env.push_back(key + "=" + value.get<std::string>());
        }
    }
    req.options.cwd = body.value("cwd", std::string());
    req.options.uid = id_field(body, "user");
    req.options.gid = id_field(body, "group");
    req.interactive = body.value("interactive", false);
    req.width = id_field(body, "width");
    req.height = id_field(body, "height");
    return req;
}

}  // namespace

void add_exec_routes(Router& router, Daemon& daemon) {
    add_instance_route(router, http::verb::post, "/{name}/exec", [&daemon](const Call& call) -> Reply {
        Instance instance = daemon.manager().instances().get(call.project(), call.params.at("name"));
        json body = body_object(call);
        ExecRequest req = exec_request(body);
        // info() asks the driver for the status alone, not the usage counters state() reads.
        if (instance.info().status_code != 103) throw Error(ErrorCode::Conflict, "Instance is not running", "name");
        if (body.value("wait-for-websocket", false)) return async_response(*begin_websocket_exec(daemon, instance, req));
        DaemonOperationSpec spec;
        spec.description = "Executing command";
        spec.project = instance.project();
        spec.resources = json{{"instances", json::array({"/1.0/instances/" + instance.name()})}};
        if (body.value("record-output", false)) {
            // As LXD: stdout and stderr go to exec_<id>.stdout/.stderr among the instance's logs,
            // named in the operation's metadata.output ("1", "2").
            auto files = std::make_shared<ExecOutputs::Files>(daemon.exec_outputs().create(instance.info()));
            auto op = daemon.operations().run(spec, [instance, req, files]() mutable {
                ExecOptions opts = req.options;
                opts.stdin_data = std::string();
                opts.stdout_fd = files->stdout_fd.get();
                opts.stderr_fd = files->stderr_fd.get();
                int code = instance.exec(req.command, opts).exit_code;
                files->stdout_fd.reset();
                files->stderr_fd.reset();
                auto url = [&](const std::string& file) {
                    return project_url(fmt::format("/1.0/instances/{}/logs/{}", instance.name(), file), instance.project());
                };
                return json{{"return", code}, {"output", {{"1", url(files->stdout_name)}, {"2", url(files->stderr_name)}}}};
            });
            return async_response(*op);
        }
        // No streams: the command runs with empty stdin, its output discarded, as LXD does.
        auto op = daemon.operations().run(spec, [instance, req]() mutable {
            ExecOptions opts = req.options;
            opts.stdin_data = std::string();
            return json{{"return", instance.exec(req.command, opts).exit_code}};
        });
        return async_response(*op);
    });
}

}  // namespace li::daemon

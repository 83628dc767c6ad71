// Instance log files over REST: GET /1.0/instances/<name>/logs (a list of URLs) and
// GET .../logs/<file> (the file's bytes, not an envelope).
#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/rest_facades.hpp"
#include "libinstance/error.hpp"

namespace li::rest {

namespace {

std::string logs_path(std::string_view project, std::string_view name, std::string_view file = {}) {
    std::string path = fmt::format("/1.0/instances/{}/logs", url_escape(name));
    if (!file.empty()) path += "/" + url_escape(file);
    return with_project(path, project);
}

}  // namespace

std::vector<std::string> log_files(const Rest& rest, std::string_view project, std::string_view name) {
    auto response = rest->get(logs_path(project, name));
    std::vector<std::string> names;
    if (!response.metadata.is_array()) return names;
    for (const auto& url : response.metadata) {
        if (!url.is_string()) continue;
        std::string text = url.get<std::string>();
        text = text.substr(0, text.find('?'));  // ?project=
        names.push_back(text.substr(text.rfind('/') + 1));  // log names need no escaping
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string log_file(const Rest& rest, std::string_view project, std::string_view name, std::string_view file) {
    // The same names the embedded Manager refuses, before they could change the URL's meaning.
    if (file.empty() || file == "." || file == ".." || file.find('/') != std::string_view::npos ||
        file.find('\0') != std::string_view::npos)
        throw Error::invalid("name", fmt::format("invalid log file name \"{}\"", file));
    return rest->request_raw("GET", logs_path(project, name, file), {}, {}).body;
}

}  // namespace li::rest

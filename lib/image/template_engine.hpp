#pragma once
// The subset of pongo2 (Django-like templates) that LXD image templates use: `{{ expr }}`,
// `{% if expr %}...{% elif expr %}...{% else %}...{% endif %}`, `{# comments #}` and the `-`
// whitespace trimmers. Expressions: dotted names, string and number literals, true/false,
// `==`, `!=`, `not`, `and`, `or` (also `!`, `&&`, `||`), parentheses and the function
// `config_get("key", default)`. Undefined names are empty, as in pongo2.

#include <map>
#include <string>
#include <string_view>

namespace li {

/// What a template sees, as LXD gives it (every value a string, like LXD's containerMeta).
struct TemplateContext {
    std::map<std::string, std::string> instance;  ///< name, type, architecture, privileged, ephemeral: as container.* and instance.*
    std::map<std::string, std::string> config;    ///< the expanded config: config.<key> and config_get()
    std::map<std::string, std::map<std::string, std::string>> devices;  ///< devices.<name>.<key>
    std::map<std::string, std::string> properties;  ///< the template entry's properties: properties.<key>
    std::string trigger;                          ///< "create", "copy" or "start"
    std::string path;                             ///< the target path in the instance
};

/// Renders a template; InvalidArgument (key "template") naming `name` and the problem for a
/// syntax error (unclosed tag, unknown tag, bad expression, unknown function).
std::string render_template(std::string_view text, const TemplateContext& context, std::string_view name = "template");

}  // namespace li

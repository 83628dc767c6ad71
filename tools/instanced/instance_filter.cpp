#include "instance_filter.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "libinstance/error.hpp"

namespace li::daemon {

namespace {

std::vector<std::string> tokens_of(const std::string& text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            i++;
            continue;
        }
        std::string token;
        if (text[i] == '"' || text[i] == '\'') {
            char quote = text[i++];
            while (i < text.size() && text[i] != quote) token += text[i++];
            if (i >= text.size()) throw Error::invalid("filter", fmt::format("unterminated quote in filter \"{}\"", text));
            i++;
        } else {
            while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) token += text[i++];
        }
        out.push_back(token);
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string field_of(const api::Instance& i, const std::string& field) {
    if (field == "name") return i.name;
    if (field == "status") return i.status;
    if (field == "type") return i.type;
    if (field == "architecture") return i.architecture;
    if (field == "description") return i.description;
    if (field == "location") return i.location;
    if (field == "project") return i.project;
    if (field == "ephemeral") return i.ephemeral ? "true" : "false";
    auto lookup = [](const api::ConfigMap& map, const std::string& key) {
        auto it = map.find(key);
        return it == map.end() ? std::string() : it->second;
    };
    if (field.rfind("config.", 0) == 0) return lookup(i.config, field.substr(7));
    if (field.rfind("expanded_config.", 0) == 0) return lookup(i.expanded_config, field.substr(16));
    throw Error::invalid("filter", fmt::format("unknown filter field \"{}\"", field));
}

}  // namespace

InstanceFilter InstanceFilter::parse(const std::string& text) {
    InstanceFilter filter;
    auto tokens = tokens_of(text);
    if (tokens.empty()) return filter;
    filter.any_of_.emplace_back();
    size_t i = 0;
    while (i < tokens.size()) {
        Clause clause;
        if (lower(tokens[i]) == "not") {
            clause.negate = true;
            i++;
        }
        if (i + 2 >= tokens.size())
            throw Error::invalid("filter", fmt::format("incomplete filter \"{}\"", text));
        clause.field = tokens[i];
        std::string op = lower(tokens[i + 1]);
        if (op != "eq" && op != "ne") throw Error::invalid("filter", fmt::format("unknown filter operator \"{}\" (eq, ne)", tokens[i + 1]));
        clause.equal = op == "eq";
        clause.value = tokens[i + 2];
        field_of(api::Instance{}, clause.field);  // refuses unknown fields now, not per instance
        filter.any_of_.back().push_back(clause);
        i += 3;
        if (i == tokens.size()) break;
        std::string join = lower(tokens[i]);
        if (join == "or") filter.any_of_.emplace_back();
        else if (join != "and") throw Error::invalid("filter", fmt::format("expected \"and\" or \"or\", not \"{}\"", tokens[i]));
        if (++i == tokens.size()) throw Error::invalid("filter", fmt::format("incomplete filter \"{}\"", text));
    }
    return filter;
}

bool InstanceFilter::matches(const api::Instance& instance) const {
    if (any_of_.empty()) return true;
    for (const auto& all_of : any_of_) {
        bool ok = std::all_of(all_of.begin(), all_of.end(), [&](const Clause& c) {
            bool equal = lower(field_of(instance, c.field)) == lower(c.value);
            return (equal == c.equal) != c.negate;
        });
        if (ok) return true;
    }
    return false;
}

}  // namespace li::daemon

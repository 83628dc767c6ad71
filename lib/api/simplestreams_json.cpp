// Reading simplestreams documents (the JSON library stays inside lib/api).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "libinstance/error.hpp"
#include "remote/simplestreams.hpp"

namespace li {

using nlohmann::json;

namespace {

json parse_doc(std::string_view text, const char* what) {
    try {
        json doc = json::parse(text);
        if (!doc.is_object()) throw Error(ErrorCode::Backend, fmt::format("malformed simplestreams {}: not an object", what));
        return doc;
    } catch (const json::exception& e) {
        throw Error(ErrorCode::Backend, fmt::format("malformed simplestreams {}: {}", what, e.what()));
    }
}

std::string str(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t num(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

std::vector<std::string> parse_simplestreams_index(std::string_view text) {
    json doc = parse_doc(text, "index");
    std::vector<std::string> paths;
    auto index = doc.find("index");
    if (index == doc.end() || !index->is_object()) throw Error(ErrorCode::Backend, "malformed simplestreams index: no \"index\" object");
    for (const auto& [name, entry] : index->items()) {
        if (!entry.is_object()) continue;
        if (str(entry, "datatype") != "image-downloads" || str(entry, "format") != "products:1.0") continue;
        std::string path = str(entry, "path");
        if (!path.empty()) paths.push_back(path);
    }
    return paths;
}

std::vector<SsProduct> parse_simplestreams_products(std::string_view text) {
    json doc = parse_doc(text, "catalog");
    std::vector<SsProduct> out;
    auto products = doc.find("products");
    if (products == doc.end() || !products->is_object()) return out;
    for (const auto& [id, p] : products->items()) {
        if (!p.is_object()) continue;
        SsProduct product;
        product.id = id;
        product.aliases = str(p, "aliases");
        product.arch = str(p, "arch");
        product.os = str(p, "os");
        product.release = str(p, "release");
        product.release_title = str(p, "release_title");
        product.variant = str(p, "variant");
        if (auto versions = p.find("versions"); versions != p.end() && versions->is_object()) {
            for (const auto& [vname, v] : versions->items()) {
                SsVersion version;
                version.name = vname;
                auto items = v.find("items");
                if (items == v.end() || !items->is_object()) continue;
                for (const auto& [iname, i] : items->items()) {
                    if (!i.is_object()) continue;
                    SsItem item;
                    item.ftype = str(i, "ftype");
                    item.path = str(i, "path");
                    item.sha256 = str(i, "sha256");
                    item.size = num(i, "size");
                    item.combined_sha256 = str(i, "combined_sha256");
                    item.combined_rootxz_sha256 = str(i, "combined_rootxz_sha256");
                    item.combined_squashfs_sha256 = str(i, "combined_squashfs_sha256");
                    version.items.push_back(std::move(item));
                }
                product.versions.push_back(std::move(version));
            }
        }
        out.push_back(std::move(product));
    }
    return out;
}

}  // namespace li

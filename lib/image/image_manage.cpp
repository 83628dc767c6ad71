// ImageStore: editing images and aliases, and expiring cached images.
#include "image/image_manage.hpp"

#include <fmt/format.h>
#include <ctime>

#include "client/rest_images_files.hpp"
#include "core/clock.hpp"
#include "core/event_hub.hpp"
#include "core/log.hpp"
#include "core/manager_core.hpp"
#include "core/names.hpp"
#include "core/server_config.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "store/image_repo.hpp"
#include "project/project_scope.hpp"

namespace li {

void ImageStore::rename_alias(std::string_view project_in, std::string_view alias, std::string_view new_name) {
    if (auto rest = core_->rest()) return rest::rename_image_alias(rest, project_in, alias, new_name);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    validate_alias_name(new_name, "name");
    core_->db().transaction([&](SQLite::Database& db) {
        if (!repo::alias_exists(db, project, std::string(alias)))
            throw Error(ErrorCode::NotFound, fmt::format("image alias \"{}\" not found", alias), "alias");
        if (repo::alias_exists(db, project, std::string(new_name)))
            throw Error(ErrorCode::AlreadyExists, fmt::format("image alias \"{}\" already exists", new_name), "name");
        repo::rename_alias(db, project, std::string(alias), std::string(new_name));
    });
    core_->events().lifecycle(project, "image-alias-renamed", api_source("images/aliases", std::string(new_name), project),
                              {{"old_name", std::string(alias)}});
}

void ImageStore::update_alias(std::string_view project_in, std::string_view alias, std::string_view target_ref,
                              std::string_view description) {
    if (auto rest = core_->rest()) return rest::update_image_alias(rest, project_in, alias, target_ref, description);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    core_->db().transaction([&](SQLite::Database& db) {
        if (!repo::alias_exists(db, project, std::string(alias)))
            throw Error(ErrorCode::NotFound, fmt::format("image alias \"{}\" not found", alias), "alias");
        auto image = repo::resolve_image(db, project, std::string(target_ref));
        repo::update_alias(db, project, std::string(alias), image.id, std::string(description));
    });
    core_->events().lifecycle(project, "image-alias-updated", api_source("images/aliases", std::string(alias), project));
}

std::vector<api::ImageAliasesEntry> ImageStore::list_aliases(std::string_view project_in) {
    if (auto rest = core_->rest()) return rest::list_image_aliases(rest, project_in);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    return core_->db().read([&](SQLite::Database& db) { return repo::list_aliases(db, project); });
}

api::ImageAliasesEntry ImageStore::get_alias(std::string_view project_in, std::string_view alias) {
    if (auto rest = core_->rest()) return rest::get_image_alias(rest, project_in, alias);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    auto found = core_->db().read([&](SQLite::Database& db) { return repo::find_alias(db, project, std::string(alias)); });
    if (!found) throw Error(ErrorCode::NotFound, fmt::format("image alias \"{}\" not found", alias), "alias");
    return *found;
}

api::Image ImageStore::update(std::string_view project_in, std::string_view ref, const api::ImagePut& put) {
    if (auto rest = core_->rest()) return rest::update_image(rest, project_in, ref, put);
    std::string project = project_scope(*core_, project_in, ProjectFeature::Images);
    check_rfc3339(put.expires_at, "expires_at");
    for (const auto& [k, v] : put.properties)
        if (k.empty()) throw Error::invalid("properties", "image property names cannot be empty");
    auto record = core_->db().read([&](SQLite::Database& db) { return repo::resolve_image(db, project, std::string(ref)); });
    auto lock = core_->locks().lock_image(project, record.image.fingerprint);
    core_->db().transaction([&](SQLite::Database& db) { repo::update_image(db, record.id, put); });
    core_->events().lifecycle(project, "image-updated", api_source("images", record.image.fingerprint, project));
    return get(project, record.image.fingerprint);
}

std::vector<std::string> prune_expired_images(const std::shared_ptr<ManagerCore>& core, int64_t now) {
    int64_t days = std::stoll(server_config_get(*core, "images.remote_cache_expiry"));
    if (days <= 0) return {};  // 0: cached images never expire
    auto cached = core->db().read([](SQLite::Database& db) { return repo::list_cached_images(db); });
    std::vector<std::string> removed;
    for (const auto& r : cached) {
        // As LXD: the last use, or the download when never used.
        const std::string& stamp = r.image.last_used_at.empty() ? r.image.uploaded_at : r.image.last_used_at;
        auto when = rfc3339_to_epoch(stamp);
        if (!when || *when + days * 86400 > now) continue;
        try {
            ImageStore(core).remove(r.image.project, r.image.fingerprint);
            removed.push_back(r.image.fingerprint);
            log::info("expired cached image removed", {{"fingerprint", r.image.fingerprint}, {"project", r.image.project}});
        } catch (const Error& e) {
            log::warn("removing an expired cached image", {{"fingerprint", r.image.fingerprint}, {"error", e.what()}});
        }
    }
    return removed;
}

std::vector<std::string> ImageStore::prune_expired() {
    core_->refuse_remote("images (ImageStore::prune_expired)");
    return prune_expired_images(core_, static_cast<int64_t>(std::time(nullptr)));
}

}  // namespace li

#include "sys/sha256.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "libinstance/error.hpp"
#include "sys/fs.hpp"

namespace li {

struct Sha256::State {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
    state_->ctx = EVP_MD_CTX_new();
    if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1)
        throw Error(ErrorCode::Internal, "initialising sha256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->ctx); }

void Sha256::update(std::string_view data) { update(data.data(), data.size()); }

void Sha256::update(const void* data, size_t size) { EVP_DigestUpdate(state_->ctx, data, size); }

std::string Sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(state_->ctx, md, &len);
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; i++) out += fmt::format("{:02x}", md[i]);
    return out;
}

std::string sha256_file(const std::filesystem::path& path) {
    Sha256 sha;
    for_each_chunk(path, [&](const char* data, size_t size) { sha.update(data, size); });
    return sha.hex_digest();
}

}  // namespace li

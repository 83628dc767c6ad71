#include "client/tls_identity.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li::tls {

namespace {

namespace fs = std::filesystem;

template <class T, void (*Free)(T*)>
struct Freer {
    void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;

[[noreturn]] void openssl_failed(const std::string& what) {
    throw Error(ErrorCode::Backend, fmt::format("{}: OpenSSL failed", what));
}

std::string host_name() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf[0] ? buf : "localhost";
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(n));
}

void write_private(const fs::path& path, const std::string& text, mode_t mode) {
    fs::path tmp = path;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw Error::from_errno("writing " + tmp.string(), errno);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw Error::from_errno("writing " + tmp.string(), errno);
    fs::rename(tmp, path);
}

void add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) openssl_failed("making a certificate extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A server certificate names the host (LXD's client checks the first DNS name); a client one
// only needs clientAuth.
void create_identity(const fs::path& cert_file, const fs::path& key_file, bool server) {
    Key key(EVP_EC_gen("P-384"));
    if (!key) openssl_failed("making a certificate key");
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    std::string host = host_name();
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("libinstance"), -1, -1, 0);
    std::string cn = "root@" + host;
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (server) add_extension(cert.get(), NID_subject_alt_name, fmt::format("DNS:{},DNS:localhost,IP:127.0.0.1,IP:::1", host));
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(cert.get(), NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    if (X509_sign(cert.get(), key.get(), EVP_sha384()) == 0) openssl_failed("signing a certificate");

    Bio key_bio(BIO_new(BIO_s_mem())), cert_bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ||
        !PEM_write_bio_X509(cert_bio.get(), cert.get()))
        openssl_failed("writing a certificate");
    write_private(key_file, bio_text(key_bio.get()), 0600);
    write_private(cert_file, bio_text(cert_bio.get()), 0644);
}

}  // namespace

std::string read_file_text(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw Error(ErrorCode::NotFound, fmt::format("cannot read {}", path.string()), "path");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

namespace {

// The fingerprint of a certificate file, kept beside it as "<size> <mtime ns> <sha256>" so that a
// daemon start needs no X.509 parsing: OpenSSL's initialisation costs ~2 MiB resident, which a
// daemon serving only its unix socket never otherwise pays. A replaced certificate (another size
// or time) is fingerprinted again.
std::string cached_fingerprint(const fs::path& cert_file, const std::string& cert_pem) {
    struct stat st {};
    if (::stat(cert_file.c_str(), &st) != 0) throw Error::from_errno(fmt::format("reading {}", cert_file.string()), errno);
    std::string stamp = fmt::format("{} {}", static_cast<long long>(st.st_size),
                                    static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec);
    fs::path cache = cert_file.string() + ".fingerprint";
    std::ifstream in(cache);
    std::string size, mtime, hex;
    if (in >> size >> mtime >> hex && size + " " + mtime == stamp && hex.size() == 64) return hex;
    hex = sha256_hex(pem_to_der(cert_pem, cert_file.filename().string()));
    try {
        write_private(cache, stamp + " " + hex + "\n", 0644);
    } catch (const std::exception&) {
        // A read-only state directory: the next start computes it again.
    }
    return hex;
}

}  // namespace

ServerIdentity load_or_create_server_identity(const fs::path& dir) {
    fs::create_directories(dir);
    ServerIdentity id{dir / "server.crt", dir / "server.key", {}, {}};
    if (!fs::exists(id.cert_file) || !fs::exists(id.key_file)) create_identity(id.cert_file, id.key_file, true);
    id.cert_pem = read_file_text(id.cert_file);
    id.fingerprint = cached_fingerprint(id.cert_file, id.cert_pem);
    return id;
}

ServerIdentity load_or_create_client_identity(const fs::path& cert_file, const fs::path& key_file) {
    ServerIdentity id{cert_file, key_file, {}, {}};
    if (!fs::exists(cert_file) || !fs::exists(key_file)) create_identity(cert_file, key_file, false);
    id.cert_pem = read_file_text(cert_file);
    id.fingerprint = sha256_hex(pem_to_der(id.cert_pem, cert_file.filename().string()));
    return id;
}

std::string pem_to_der(const std::string& pem, const std::string& field) {
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) throw Error::invalid(field, "not a PEM certificate");
    unsigned char* der = nullptr;
    int n = i2d_X509(cert.get(), &der);
    if (n <= 0) throw Error::invalid(field, "not a PEM certificate");
    std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
    OPENSSL_free(der);
    return out;
}

std::string der_to_pem(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    Cert cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) throw Error::invalid("certificate", "not a DER certificate");
    Bio bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert.get());
    return bio_text(bio.get());
}

std::string base64_der_to_pem(const std::string& text, const std::string& field) {
    std::string body;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind("-----", 0) != 0) body += line;
    std::string der = base64_decode(body);
    if (der.empty()) throw Error::invalid(field, "the certificate is not base64 DER");
    try {
        return der_to_pem(der);
    } catch (const Error&) {
        throw Error::invalid(field, "the certificate is not a valid X.509 certificate");
    }
}

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr);
    std::string out;
    for (unsigned int i = 0; i < n; i++) out += fmt::format("{:02x}", digest[i]);
    return out;
}

std::string base64_decode(const std::string& text) {
    std::string clean;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    if (clean.empty() || clean.size() % 4 != 0) return {};
    std::string out(clean.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
    if (n < 0) return {};
    size_t pad = clean.size() >= 2 && clean[clean.size() - 2] == '=' ? 2 : clean.back() == '=' ? 1 : 0;
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

std::string base64_encode(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

}  // namespace li::tls

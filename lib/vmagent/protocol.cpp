#include "vmagent/protocol.hpp"

#include <array>
#include <cstring>

namespace vmagent {

namespace {

void put32(std::string& out, uint32_t v) {
    char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
    out.append(b, 4);
}

void put16(std::string& out, uint16_t v) {
    char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
    out.append(b, 2);
}

uint32_t get32(const char* p) {
    auto u = reinterpret_cast<const unsigned char*>(p);
    return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}

uint64_t get64(const char* p) { return uint64_t(get32(p)) | uint64_t(get32(p + 4)) << 32; }

uint16_t get16(const char* p) {
    auto u = reinterpret_cast<const unsigned char*>(p);
    return static_cast<uint16_t>(u[0] | u[1] << 8);
}

// Slicing-by-8 tables: a few MiB a second per direction must not cost noticeable CPU in a TCG guest.
struct CrcTables {
    std::array<std::array<uint32_t, 256>, 8> t{};
    CrcTables() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[0][i] = c;
        }
        for (uint32_t i = 0; i < 256; ++i)
            for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
};

const CrcTables& tables() {
    static const CrcTables t;
    return t;
}

}  // namespace

bool known_type(uint16_t type) {
    switch (static_cast<MsgType>(type)) {
    case MsgType::Hello: case MsgType::HelloAck: case MsgType::Ping: case MsgType::Pong:
    case MsgType::Exec: case MsgType::ExecStarted: case MsgType::ExecError: case MsgType::Stdin:
    case MsgType::StdinEof: case MsgType::Stdout: case MsgType::Stderr: case MsgType::Signal:
    case MsgType::Winsize: case MsgType::Exit: case MsgType::Stat: case MsgType::StatResult:
    case MsgType::Entries: case MsgType::Read: case MsgType::Write: case MsgType::Ready:
    case MsgType::Data: case MsgType::Mkdir: case MsgType::Symlink: case MsgType::Remove:
    case MsgType::Done: case MsgType::Error: case MsgType::Close: case MsgType::Credit:
        return true;
    }
    return false;
}

uint32_t crc32(const void* data, size_t size, uint32_t crc) {
    const auto& t = tables().t;
    auto p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    while (size >= 8) {
        uint32_t lo = crc ^ (uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
        crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
              t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
        p += 8;
        size -= 8;
    }
    while (size--) crc = t[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

std::string encode_frame(MsgType type, uint32_t channel, uint64_t session, std::string_view payload) {
    if (payload.size() > kMaxPayload) throw ProtocolError("frame payload over the size bound");
    std::string out;
    out.reserve(kHeaderSize + payload.size() + kTrailerSize);
    out.append(kMagic, 4);
    put16(out, static_cast<uint16_t>(type));
    put16(out, 0);
    put32(out, channel);
    put32(out, static_cast<uint32_t>(session));
    put32(out, static_cast<uint32_t>(session >> 32));
    put32(out, static_cast<uint32_t>(payload.size()));
    out.append(payload);
    put32(out, crc32(out.data(), out.size()));
    return out;
}

void FrameParser::hunt(MsgType type, uint64_t session) {
    hunting_ = true;
    hunt_type_ = type;
    hunt_session_ = session;
}

void FrameParser::compact() {
    if (pos_ > 0 && (pos_ >= buf_.size() || pos_ > 1024 * 1024)) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

std::optional<Frame> FrameParser::next() {
    for (;;) {
        compact();
        if (hunting_) {
            // Skip to the next possible magic.
            size_t at = buf_.find(std::string_view(kMagic, 4), pos_);
            if (at == std::string::npos) {
                // Keep a tail that may be the start of a magic.
                pos_ = buf_.size() >= 3 ? buf_.size() - 3 : 0;
                compact();
                return std::nullopt;
            }
            pos_ = at;
        } else {
            // Zero bytes between frames are padding (the host's sync run).
            while (pos_ < buf_.size() && buf_[pos_] == '\0') ++pos_;
        }
        if (buf_.size() - pos_ < kHeaderSize) {
            if (!hunting_ && buf_.size() - pos_ >= 4 && std::memcmp(buf_.data() + pos_, kMagic, 4) != 0)
                throw ProtocolError("bad frame magic");
            return std::nullopt;
        }
        const char* h = buf_.data() + pos_;
        uint16_t type = get16(h + 4);
        uint16_t flags = get16(h + 6);
        uint32_t channel = get32(h + 8);
        uint64_t session = get64(h + 12);
        uint32_t length = get32(h + 20);
        if (hunting_) {
            bool plausible = type == static_cast<uint16_t>(hunt_type_) && flags == 0 && channel == 0 &&
                             length <= 64 && (hunt_session_ == 0 || session == hunt_session_);
            if (!plausible) {
                ++pos_;
                continue;
            }
        } else {
            if (std::memcmp(h, kMagic, 4) != 0) throw ProtocolError("bad frame magic");
            if (length > kMaxPayload) throw ProtocolError("frame length " + std::to_string(length) + " over the bound");
            if (flags != 0 || !known_type(type)) throw ProtocolError("unknown frame type " + std::to_string(type));
            if (session != session_) {
                // A hello of a new session inside a running one: the host reconnected without the
                // agent seeing it leave. Hunt it (whole and valid) rather than failing.
                if (type == static_cast<uint16_t>(MsgType::Hello) && hunt_type_ == MsgType::Hello) {
                    hunting_ = true;
                    hunt_session_ = 0;
                    continue;
                }
                if (session == 0 && type == static_cast<uint16_t>(MsgType::HelloAck))
                    throw ProtocolError("the agent restarted (or dropped the session)");
                throw ProtocolError("frame of a foreign session");
            }
        }
        size_t total = kHeaderSize + length + kTrailerSize;
        if (buf_.size() - pos_ < total) return std::nullopt;
        uint32_t crc = get32(h + kHeaderSize + length);
        if (crc != crc32(h, kHeaderSize + length)) {
            if (!hunting_) throw ProtocolError("frame checksum mismatch");
            ++pos_;
            continue;
        }
        Frame f{static_cast<MsgType>(type), channel, session, std::string(h + kHeaderSize, length)};
        pos_ += total;
        if (hunting_) {
            hunting_ = false;
            session_ = session;
        }
        return f;
    }
}

Writer& Writer::u32(uint32_t v) {
    put32(out_, v);
    return *this;
}

Writer& Writer::u64(uint64_t v) {
    put32(out_, static_cast<uint32_t>(v));
    put32(out_, static_cast<uint32_t>(v >> 32));
    return *this;
}

Writer& Writer::str(std::string_view s) {
    put32(out_, static_cast<uint32_t>(s.size()));
    out_.append(s);
    return *this;
}

Writer& Writer::list(const std::vector<std::string>& items) {
    put32(out_, static_cast<uint32_t>(items.size()));
    for (const auto& s : items) str(s);
    return *this;
}

uint32_t Reader::u32() {
    if (data_.size() - pos_ < 4) throw ProtocolError("payload too short");
    uint32_t v = get32(data_.data() + pos_);
    pos_ += 4;
    return v;
}

uint64_t Reader::u64() {
    if (data_.size() - pos_ < 8) throw ProtocolError("payload too short");
    uint64_t v = get64(data_.data() + pos_);
    pos_ += 8;
    return v;
}

std::string Reader::str(uint32_t max) {
    uint32_t n = u32();
    if (n > max) throw ProtocolError("string field over its bound");
    if (data_.size() - pos_ < n) throw ProtocolError("payload too short");
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
}

std::string Reader::path() {
    std::string p = str(kMaxPath);
    if (p.empty() || p[0] != '/') throw ProtocolError("path \"" + p + "\" is not absolute");
    if (p.find('\0') != std::string::npos) throw ProtocolError("path holds a NUL byte");
    return p;
}

std::vector<std::string> Reader::list(uint32_t max_items, uint32_t max_item) {
    uint32_t n = u32();
    if (n > max_items) throw ProtocolError("list over its bound");
    std::vector<std::string> out;
    out.reserve(n);
    for (uint32_t i = 0; i < n; ++i) out.push_back(str(max_item));
    return out;
}

void Reader::end() const {
    if (pos_ != data_.size()) throw ProtocolError("trailing bytes in payload");
}

}  // namespace vmagent

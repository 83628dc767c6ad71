#pragma once
// The VM agent protocol (ADR 0015): what the host (li::VmAgentClient) and the guest
// (libinstance-vm-agent) say over ONE virtio-serial port, a plain byte stream. Plain C++20 + POSIX,
// no libinstance code: the guest binary links it statically.
//
// Frames. Every frame is, all integers little-endian:
//
//     magic   4 bytes  "LiVA"
//     type    u16      a MsgType
//     flags   u16      0 (reserved)
//     channel u32      0 for the session itself, else the call it belongs to (the host numbers them)
//     session u64      the session id the host chose in its hello
//     length  u32      payload bytes, at most kMaxPayload
//     payload length bytes
//     crc     u32      CRC-32 (zlib's) of header and payload
//
// Every peer is treated as hostile: a frame with a bad magic, an oversized length, a bad CRC, an
// unknown type, a foreign session or a payload that does not decode is a protocol violation. The
// agent then drops the whole session (kills its commands, removes half-written files) and goes
// back to hunting for a hello; on a socket it also closes the connection. The host fails every
// call of that connection.
//
// Sessions and resynchronisation. The guest's port is one stream across host connections: when
// the host goes away mid-frame, the agent's parser is left inside a stale, partial frame, and the
// bytes of the next host connection would complete it. So the host starts every connection with
// kSyncRun zero bytes (longer than any frame) and then a HELLO frame carrying a fresh random
// session id: whatever stale partial frame the agent was inside is completed by zeros and fails
// its CRC (or its magic), zero bytes where a frame starts are padding, and the agent, hunting,
// skips bytes until a whole valid HELLO (magic, type, length and CRC). A HELLO always resets: the
// agent kills the commands and drops the calls of any earlier session and answers HELLO_ACK with
// the new session id. The host in turn skips whatever stale bytes of an earlier session the
// stream still holds until the HELLO_ACK of its own session; after it, frames of another session
// are a violation on either side.
//
// A guest port may still be connected to a host that spoke to an earlier agent (the guest
// rebooted, init restarted the agent): that host would wait forever for answers. So the agent
// announces itself when it opens a port, and when it dropped a session for a violation, with a
// HELLO_ACK of session 0; a host in a session takes it as the end of that session (and
// reconnects), a host waiting for its own HELLO_ACK skips it.
//
// Channels and flow control. The host opens a channel with a request (EXEC, STAT, READ, WRITE,
// MKDIR, SYMLINK, REMOVE, PING) on a channel id it has not used in this session. Bulk data (stdin,
// stdout/stderr, file content) flows only within a window: each side may have at most kWindow
// bytes of a channel's data unacknowledged, and the receiver returns CREDIT (u32 bytes) once it
// consumed them (wrote them to a pipe, a file or the caller's fd). Neither side ever blocks its
// reading of the stream on a consumer, so one slow channel cannot stall the others or deadlock.
//
// Messages, host to agent (payload fields in order; str = u32 length + bytes, list = u32 count + str):
//   HELLO      u32 protocol version
//   PING       -                         -> PONG str agent version
//   EXEC       list argv, list env (KEY=VALUE, over the agent's defaults), str cwd (empty: /root,
//              falling back to /), u32 uid, u32 gid, u32 flags (kExecTerminal), u32 cols, u32 rows
//              -> EXEC_STARTED, then STDOUT/STDERR data, then EXIT i32 code (status or 128+signal);
//                 or EXEC_ERROR u32 errno, str what failed (empty: the exec itself, e.g. ENOENT
//                 for a missing command; else e.g. "changing to the directory /x")
//   STDIN      bytes (within the window)   STDIN_EOF -   SIGNAL u32   WINSIZE u32 cols, u32 rows
//   STAT       str path                  -> STAT_RESULT (u32 type, uid, gid, mode, u64 size, str target),
//                                           ENTRIES list* (a directory's, sorted), DONE
//   READ       str path                  -> DATA bytes* (within the window), DONE
//   WRITE      str path, u32 has (kHasUid|kHasGid|kHasMode|kCreateParents), u32 uid, gid, mode
//              -> READY; then host DATA* (window), host DONE -> DONE once renamed into place
//   MKDIR      str path, u32 has, u32 uid, gid, mode  -> DONE
//   SYMLINK    str path, str target, u32 has, u32 uid, gid, mode -> DONE
//   REMOVE     str path                  -> DONE
//   CLOSE      -  the host abandons the channel (its command is killed, its write dropped)
//   CREDIT     u32 bytes (either way)
// Any request may instead be answered with ERROR u32 errno, str message, which ends the channel.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vmagent {

inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr char kMagic[4] = {'L', 'i', 'V', 'A'};
inline constexpr size_t kHeaderSize = 24;
inline constexpr size_t kTrailerSize = 4;
/// Hard bound of a frame's payload; a larger length is a violation.
inline constexpr uint32_t kMaxPayload = 256 * 1024;
inline constexpr size_t kMaxFrame = kHeaderSize + kMaxPayload + kTrailerSize;
/// Zero bytes the host sends before each hello: more than any frame, see above.
inline constexpr size_t kSyncRun = kMaxFrame + 64;
/// Bulk data bytes in one frame.
inline constexpr uint32_t kChunk = 64 * 1024;
/// Unacknowledged data bytes per channel and direction.
inline constexpr uint32_t kWindow = 1024 * 1024;
/// Bounds of decoded fields.
inline constexpr uint32_t kMaxString = 64 * 1024;
inline constexpr uint32_t kMaxPath = 4096;
inline constexpr uint32_t kMaxListItems = 4096;
/// Channels the agent serves at once.
inline constexpr size_t kMaxChannels = 128;

enum class MsgType : uint16_t {
    Hello = 1,
    HelloAck = 2,
    Ping = 3,
    Pong = 4,
    Exec = 10,
    ExecStarted = 11,
    ExecError = 12,
    Stdin = 13,
    StdinEof = 14,
    Stdout = 15,
    Stderr = 16,
    Signal = 17,
    Winsize = 18,
    Exit = 19,
    Stat = 30,
    StatResult = 31,
    Entries = 32,
    Read = 33,
    Write = 34,
    Ready = 35,
    Data = 36,
    Mkdir = 37,
    Symlink = 38,
    Remove = 39,
    Done = 40,
    Error = 41,
    Close = 50,
    Credit = 51,
};
bool known_type(uint16_t type);

inline constexpr uint32_t kExecTerminal = 1;
inline constexpr uint32_t kHasUid = 1, kHasGid = 2, kHasMode = 4, kCreateParents = 8;
enum class FileType : uint32_t { File = 1, Directory = 2, Symlink = 3, Other = 4 };

/// A protocol violation (the peer's fault, or a broken stream).
struct ProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Frame {
    MsgType type{};
    uint32_t channel = 0;
    uint64_t session = 0;
    std::string payload;
};

uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

/// The bytes of one frame (payload at most kMaxPayload, else ProtocolError).
std::string encode_frame(MsgType type, uint32_t channel, uint64_t session, std::string_view payload);

/// Incremental parser of a byte stream. hunting(): skip bytes until a whole valid frame of type
/// `hunt_type` (and of `hunt_session` when nonzero); else strict: frames must be valid and of
/// `session` (throws ProtocolError). Feed bytes with append(), take frames with next().
class FrameParser {
public:
    void append(const char* data, size_t size) { buf_.append(data, size); }
    /// Hunt for a frame of this type (and session, when nonzero) from now on.
    void hunt(MsgType type, uint64_t session = 0);
    /// Strict from now on, for this session.
    void lock(uint64_t session) {
        hunting_ = false;
        session_ = session;
    }
    bool hunting() const { return hunting_; }
    /// Drop buffered bytes (a new connection's stream starts at a frame boundary).
    void clear() { buf_.clear(); pos_ = 0; }
    /// The next whole frame, if buffered. A hunted frame ends the hunt: lock() then follows.
    std::optional<Frame> next();
    size_t buffered() const { return buf_.size() - pos_; }

private:
    void compact();
    std::string buf_;
    size_t pos_ = 0;
    bool hunting_ = true;
    MsgType hunt_type_ = MsgType::Hello;
    uint64_t hunt_session_ = 0;
    uint64_t session_ = 0;
};

/// Payload builder.
class Writer {
public:
    Writer& u32(uint32_t v);
    Writer& i32(int32_t v) { return u32(static_cast<uint32_t>(v)); }
    Writer& u64(uint64_t v);
    Writer& str(std::string_view s);
    Writer& list(const std::vector<std::string>& items);
    std::string take() { return std::move(out_); }
    const std::string& data() const { return out_; }

private:
    std::string out_;
};

/// Payload decoder: bounds-checked, throws ProtocolError on a short or oversized field.
class Reader {
public:
    explicit Reader(std::string_view data) : data_(data) {}
    uint32_t u32();
    int32_t i32() { return static_cast<int32_t>(u32()); }
    uint64_t u64();
    std::string str(uint32_t max = kMaxString);
    /// A path: absolute, no NUL byte, at most kMaxPath bytes.
    std::string path();
    std::vector<std::string> list(uint32_t max_items = kMaxListItems, uint32_t max_item = kMaxString);
    /// The payload must be used up.
    void end() const;

private:
    std::string_view data_;
    size_t pos_ = 0;
};

}  // namespace vmagent

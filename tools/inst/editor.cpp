// lxc's interactive edit: a YAML document opened in $VISUAL/$EDITOR (else vi), applied when saved.
#include "editor.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "libinstance/error.hpp"

namespace li::cli {

// Runs $VISUAL/$EDITOR (else vi) on text and returns what was saved.
std::string edit_in_editor(const std::string& text) {
    char tmpl[] = "/tmp/inst-config-XXXXXX.yaml";
    int fd = ::mkstemps(tmpl, 5);
    if (fd < 0) throw Error::from_errno("creating a temporary file", errno);
    struct Cleanup {
        std::string path;
        ~Cleanup() { ::unlink(path.c_str()); }
    } cleanup{tmpl};
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        ::close(fd);
        throw Error::from_errno("writing a temporary file", errno);
    }
    ::close(fd);
    const char* editor = std::getenv("VISUAL");
    if (!editor || !*editor) editor = std::getenv("EDITOR");
    int status = std::system(fmt::format("{} '{}'", editor && *editor ? editor : "vi", cleanup.path).c_str());
    if (status != 0) throw Error(ErrorCode::System, fmt::format("the editor exited with status {}", WEXITSTATUS(status)));
    std::ifstream in(cleanup.path);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
}

// lxc's loop: a change the library refuses reopens the editor on the text as it was saved.
void edit_until_accepted(std::string text, const std::function<void(const std::string&)>& apply) {
    for (;;) {
        text = edit_in_editor(text);
        try {
            apply(text);
            return;
        } catch (const Error& e) {
            std::fprintf(stderr, "Config parsing error: %s\n", e.what());
            std::printf("Press enter to open the editor again or ctrl+c to abort change\n");
            std::fflush(stdout);
            if (std::getchar() == EOF) throw;
        }
    }
}

}  // namespace li::cli

#pragma once
// lxc's interactive edit: a YAML document opened in $VISUAL/$EDITOR (else vi), applied when saved.

#include <functional>
#include <string>

namespace li::cli {

/// Runs $VISUAL/$EDITOR (else vi) on text and returns what was saved.
std::string edit_in_editor(const std::string& text);

/// lxc's loop: a change the library refuses (apply throws li::Error) reopens the editor on the
/// text as it was saved; EOF on stdin at the prompt gives up with that error.
void edit_until_accepted(std::string text, const std::function<void(const std::string&)>& apply);

}  // namespace li::cli

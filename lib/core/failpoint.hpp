#pragma once
// Failpoints: named places in multi-step work where the crash-safety tests kill the process.
//
// Compiled in only when the build has failpoints (meson option `failpoints`, on with the tests);
// otherwise LI_FAILPOINT() is nothing. At run time $LIBINSTANCE_FAILPOINT says what to do:
//   list:<file>    append the name of every failpoint reached to <file> (one per line) and go on:
//                  how the tests learn which points an operation passes, in order;
//   <name>         SIGKILL the process the first time <name> is reached;
//   <name>#<n>     SIGKILL it the n-th time (1-based), for points inside loops.
// Names are "<area>.<operation>.<step>", e.g. "instance.create.volume_made".

#include <string_view>

namespace li::failpoint {

/// Acts on $LIBINSTANCE_FAILPOINT for the point `name` (see above).
void reached(std::string_view name);

}  // namespace li::failpoint

#ifdef LI_FAILPOINTS
#define LI_FAILPOINT(name) ::li::failpoint::reached(name)
#else
#define LI_FAILPOINT(name) ((void)0)
#endif

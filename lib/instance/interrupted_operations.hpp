#pragma once
// What Manager::open does about operations a killed process left half done (see core/intent.hpp).

namespace li {

class ManagerCore;

/// Puts right every operation the journal shows interrupted: a started one's half-made volumes are
/// removed (a restore is finished instead: its files may already be the snapshot's), a committed
/// one's cleanups are done; each is logged as a warning naming it. Then every pool's staging
/// leftovers (half-made volumes and snapshots named *.creating) go. Never throws: what fails stays
/// in the journal for the next open.
void finish_interrupted_operations(ManagerCore& core) noexcept;

}  // namespace li

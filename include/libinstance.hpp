#pragma once
// The whole public C++ API of libinstance.

#include "libinstance/api/image.hpp"
#include "libinstance/api/instance.hpp"
#include "libinstance/api/operation.hpp"
#include "libinstance/api/profile.hpp"
#include "libinstance/api/remote.hpp"
#include "libinstance/api/storage.hpp"
#include "libinstance/error.hpp"
#include "libinstance/event.hpp"
#include "libinstance/image.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/manager.hpp"
#include "libinstance/operation.hpp"
#include "libinstance/profile.hpp"
#include "libinstance/remote.hpp"
#include "libinstance/storage.hpp"

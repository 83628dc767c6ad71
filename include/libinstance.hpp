#pragma once
// The whole public C++ API of libinstance.

#include "libinstance/api/image.hpp"
#include "libinstance/api/instance.hpp"
#include "libinstance/error.hpp"
#include "libinstance/image.hpp"
#include "libinstance/instance.hpp"
#include "libinstance/manager.hpp"

#include "sys/mapped_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "libinstance/error.hpp"
#include "sys/unique_fd.hpp"

namespace li {

MappedFile::MappedFile(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw Error::from_errno("opening " + path.string(), errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw Error::from_errno("reading " + path.string(), errno);
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return;
    void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (data == MAP_FAILED) throw Error::from_errno("mapping " + path.string(), errno);
    data_ = data;
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(data_, size_);
}

}  // namespace li

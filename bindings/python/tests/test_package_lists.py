"""The extension sources and package files are listed once (extension_sources.txt,
package_files.txt) for both the in-tree build and the wheel; a file missing there would build here
and break only in the installed wheel, so the lists must match the folders."""
import os

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def listed(name):
    with open(os.path.join(HERE, name)) as f:
        return sorted(line.strip() for line in f if line.strip())


def test_every_extension_source_is_listed():
    on_disk = sorted("src/" + f for f in os.listdir(os.path.join(HERE, "src")) if f.endswith(".cpp"))
    assert listed("extension_sources.txt") == on_disk


def test_every_package_file_is_listed():
    package = os.path.join(HERE, "libinstance")
    on_disk = sorted("libinstance/" + f for f in os.listdir(package)
                     if os.path.isfile(os.path.join(package, f)) and not f.endswith(".pyc"))
    assert listed("package_files.txt") == on_disk

# A no-code package with one passing and one failing stand-alone test.
import os

from spack_repo.builtin.build_systems.bundle import BundlePackage

from spack.package import *


class FailingTest(BundlePackage):
    """Depends on libsigsegv and checks for a file it never installs."""

    homepage = "https://github.com/spack-ghcr/spack-ghcr"

    version("1.0")

    depends_on("libsigsegv@2.14", type=("build", "link"))

    def test_library_present(self):
        """libsigsegv's library is installed"""
        libs = find_libraries("libsigsegv", self.spec["libsigsegv"].prefix, recursive=True)
        assert libs, "libsigsegv has no library"

    def test_missing_file(self):
        """a file that is never installed (fails on purpose)"""
        assert os.path.exists(self.prefix.share.missing), "deliberate failure: share/missing does not exist"

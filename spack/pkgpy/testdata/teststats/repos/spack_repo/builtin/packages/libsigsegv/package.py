# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.autotools import AutotoolsPackage
from spack_repo.builtin.build_systems.gnu import GNUMirrorPackage

from spack.package import *


class Libsigsegv(AutotoolsPackage, GNUMirrorPackage):
    """GNU libsigsegv is a library for handling page faults in user mode."""

    homepage = "https://www.gnu.org/software/libsigsegv/"
    gnu_mirror_path = "libsigsegv/libsigsegv-2.14.tar.gz"

    license("GPL-2.0-or-later")

    version("2.14", sha256="cdac3941803364cf81a908499beb79c200ead60b6b5b40cad124fd1e06caa295")

    depends_on("c", type="build")

    def configure_args(self):
        return ["--enable-shared"]

    extra_install_tests = join_path("tests", ".libs")

    @run_after("install")
    def setup_build_tests(self):
        """Copy the build test files after the package is installed to an
        install test subdirectory for use during `spack test run`."""
        cache_extra_test_sources(self, self.extra_install_tests)

    def test_smoke_test(self):
        """build and run smoke test"""
        data_dir = self.test_suite.current_test_data_dir
        prog = "smoke_test"
        src = data_dir.join("{0}.c".format(prog))

        options = [
            "-I{0}".format(self.prefix.include),
            src,
            "-o",
            prog,
            "-L{0}".format(self.prefix.lib),
            "-l{0}".format(self.name),
            "{0}{1}".format(self.compiler.cc_rpath_arg, self.prefix.lib),
        ]
        which(os.environ["CC"])(*options)

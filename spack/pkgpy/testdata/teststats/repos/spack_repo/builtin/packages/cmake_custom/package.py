# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems import cmake
from spack_repo.builtin.build_systems.cmake import CMakePackage

from spack.package import *


class CmakeCustom(CMakePackage):
    """A CMake package with its own builder."""

    homepage = "https://example.org"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    variant("mpi", default=False, description="Use MPI")

    @when("+mpi")
    def test_mpi_only(self):
        """@when makes a multimethod, which Spack does not see as a test"""
        pass

    @property
    def test_data_dir(self):
        return self.prefix.share.tests


class CMakeBuilder(cmake.CMakeBuilder):
    def cmake_args(self):
        return [self.define("BUILD_TESTING", True)]

    def check(self):
        with working_dir(self.build_directory):
            ctest("--output-on-failure")

# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems import autotools, cmake
from spack_repo.builtin.build_systems.autotools import AutotoolsPackage
from spack_repo.builtin.build_systems.cmake import CMakeBuilder, CMakePackage

from spack.package import *


class Multi(CMakePackage, AutotoolsPackage):
    """Builds with CMake or Autotools."""

    homepage = "https://example.org"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    build_system(
        conditional("cmake", when="@1:"), "autotools", default="cmake"
    )


class AutotoolsBuilder(autotools.AutotoolsBuilder):
    def configure_args(self):
        if self.pkg.run_tests:
            return ["--enable-tests"]
        return []


class CMakeBuilder(CMakeBuilder):
    def cmake_args(self):
        return [self.define("ENABLE_TESTS", False)]

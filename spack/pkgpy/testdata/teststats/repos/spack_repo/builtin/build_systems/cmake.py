# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack.package import BuilderWithDefaults, PackageBase, build_system, register_builder, run_after

from ._checks import execute_build_time_tests


class CMakePackage(PackageBase):
    """Specialized class for packages built using CMake"""

    build_system_class = "CMakePackage"
    default_buildsystem = "cmake"

    build_system("cmake")


@register_builder("cmake")
class CMakeBuilder(BuilderWithDefaults):
    phases = ("cmake", "build", "install")
    package_methods = ("cmake_args", "check")
    package_attributes = ("build_time_test_callbacks",)

    #: Callback names for build-time test
    build_time_test_callbacks = ["check"]

    run_after("build")(execute_build_time_tests)

    def check(self) -> None:
        """Search the CMake-generated files for the targets test and check."""
        pass

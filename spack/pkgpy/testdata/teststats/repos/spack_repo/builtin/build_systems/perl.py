# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack.package import (
    BuilderWithDefaults,
    PackageBase,
    SkipTest,
    build_system,
    extends,
    register_builder,
    run_after,
    test_part,
    when,
)

from ._checks import execute_build_time_tests


class PerlPackage(PackageBase):
    """Specialized class for packages that are built using Perl."""

    build_system("perl")

    with when("build_system=perl"):
        extends("perl")

    def test_use(self):
        """Test 'use module'"""
        if not self.use_modules:
            raise SkipTest("Test requires use_modules package property.")


@register_builder("perl")
class PerlBuilder(BuilderWithDefaults):
    phases = ("configure", "build", "install")
    package_methods = ("configure_args", "check", "test_use")
    package_attributes = ()

    #: Callback names for build-time test
    build_time_test_callbacks = ["check"]

    run_after("build")(execute_build_time_tests)

    def check(self):
        """Runs built-in tests of a Perl package."""
        self.build_executable("test")

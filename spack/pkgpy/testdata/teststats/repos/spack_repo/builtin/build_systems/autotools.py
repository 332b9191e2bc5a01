# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack.package import (
    BuilderWithDefaults,
    PackageBase,
    build_system,
    execute_install_time_tests,
    register_builder,
    run_after,
    working_dir,
)

from ._checks import execute_build_time_tests


class AutotoolsPackage(PackageBase):
    """Specialized class for packages built using GNU Autotools."""

    build_system_class = "AutotoolsPackage"
    default_buildsystem = "autotools"

    build_system("autotools")


@register_builder("autotools")
class AutotoolsBuilder(BuilderWithDefaults):
    """The autotools builder. For a finer tuning you may also override:

        | :py:meth:`~.AutotoolsBuilder.check`           | Run  build time    |
    def test_in_a_docstring(self):
    """

    phases = ("autoreconf", "configure", "build", "install")
    package_methods = ("configure_args", "check", "installcheck")
    package_attributes = (
        "build_time_test_callbacks",
        "install_time_test_callbacks",
    )

    #: Callback names for build-time test
    build_time_test_callbacks = ["check"]

    #: Callback names for install-time test
    install_time_test_callbacks = ["installcheck"]

    run_after("build")(execute_build_time_tests)

    def check(self) -> None:
        """Run "make" on the ``test`` and ``check`` targets, if found."""
        with working_dir(self.build_directory):
            self.pkg._if_make_target_execute("test")
            self.pkg._if_make_target_execute("check")

    run_after("install")(execute_install_time_tests)

    def installcheck(self) -> None:
        """Run "make" on the ``installcheck`` target, if found."""
        with working_dir(self.build_directory):
            self.pkg._if_make_target_execute("installcheck")

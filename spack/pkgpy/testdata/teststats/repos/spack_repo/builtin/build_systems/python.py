# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from typing import Iterable

from spack.package import (
    BuilderWithDefaults,
    PackageBase,
    build_system,
    execute_install_time_tests,
    extends,
    register_builder,
    run_after,
    test_part,
    when,
)


class PythonExtension(PackageBase):
    @property
    def import_modules(self) -> Iterable[str]:
        """Names of modules that the Python package provides."""
        return []

    def test_imports(self) -> None:
        """Attempts to import modules of the installed package."""
        python = self.module.python
        for module in self.import_modules:
            with test_part(
                self,
                f"test_imports_{module}",
                purpose=f"checking import of {module}",
                work_dir="spack-test",
            ):
                python("-c", f"import {module}")


class PythonPackage(PythonExtension):
    """Specialized class for packages that are built using pip."""

    build_system_class = "PythonPackage"
    default_buildsystem = "python_pip"

    #: Callback names for install-time test
    install_time_test_callbacks = ["test_imports"]

    build_system("python_pip")

    with when("build_system=python_pip"):
        extends("python")


@register_builder("python_pip")
class PythonPipBuilder(BuilderWithDefaults):
    phases = ("install",)
    package_methods = ("test_imports",)
    package_attributes = ("archive_files", "build_directory", "install_time_test_callbacks")

    #: Callback names for install-time test
    install_time_test_callbacks = ["test_imports"]

    run_after("install")(execute_install_time_tests)

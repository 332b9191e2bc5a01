# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.python import PythonPackage

from spack.package import *


class PyNoInstallTests(PythonPackage):
    """Imports need a GPU, so no import tests at install time."""

    pypi = "no-install-tests/no-install-tests-1.0.tar.gz"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    # The modules cannot be imported without a GPU.
    install_time_test_callbacks = []  # type: List[str]

# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.python import PythonPackage

from spack.package import *


class PySix(PythonPackage):
    """Python 2 and 3 compatibility utilities."""

    pypi = "six/six-1.16.0.tar.gz"

    version("1.16.0", sha256="1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926")

    depends_on("py-setuptools", type="build")

# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.generic import Package

from spack.package import *


class MyBundle(Package):
    """Installs a script, nothing to test."""

    homepage = "https://example.org"
    url = "https://example.org/my-bundle-1.0.tar.gz"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    test_requires_compiler = True

    def install(self, spec, prefix):
        """Install it.

    def test_in_a_docstring(self):
        pass
"""
        install("script.sh", prefix.bin)

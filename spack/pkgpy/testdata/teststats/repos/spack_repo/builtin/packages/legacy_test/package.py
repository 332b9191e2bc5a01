# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.generic import Package

from spack.package import *


class LegacyTest(Package):
    """Still has the test() method Spack 0.2x ran; Spack 1.x does not."""

    homepage = "https://example.org"

    version("1.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")

    def test(self):
        self.run_test("true")

    def install(self, spec, prefix):
        mkdirp(prefix.bin)

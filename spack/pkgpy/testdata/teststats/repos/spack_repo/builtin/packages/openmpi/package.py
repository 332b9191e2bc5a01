# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.autotools import AutotoolsPackage

from spack.package import *


class Openmpi(AutotoolsPackage):
    """An open source Message Passing Interface implementation."""

    homepage = "https://www.open-mpi.org"

    version("5.0.5", sha256="6588d57c0a4bd299a24103f4e196051b29e8b55fbda49e11d5b3d32030a32776")

    variant("internal-hwloc", default=False, description="Use internal hwloc")

    with when("@5:"):
        provides("mpi@:3.1")
    provides(
        "mpi",  # the MPI standard
        when="@1.6.5:",
    )

    def check(self):
        """The test suite needs a running MPI job launcher."""
        with working_dir(self.build_directory):
            make("check", parallel=False)

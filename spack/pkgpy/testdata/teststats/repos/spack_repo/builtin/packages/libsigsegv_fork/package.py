# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.packages.libsigsegv.package import Libsigsegv

from spack.package import *


class LibsigsegvFork(Libsigsegv):
    """A fork that only changes where the sources come from."""

    homepage = "https://example.org/libsigsegv-fork"
    url = "https://example.org/libsigsegv-fork-2.15.tar.gz"

    version("2.15", sha256="0000000000000000000000000000000000000000000000000000000000000000")

# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.generic import Package

from spack.package import *


class Zlib(Package):
    """A free, general-purpose, legally unencumbered lossless data-compression library."""

    homepage = "https://zlib.net"
    url = "https://zlib.net/fossils/zlib-1.3.1.tar.gz"

    version("1.3.1", sha256="9a93b2b7dfdac77ceba5a558a580e74667dd6fede4585b91eefb60f03b72df23")

    def install(self, spec, prefix):
        configure("--prefix={0}".format(prefix))
        make()
        make("install")

    @run_after("install")
    @on_package_attributes(run_tests=True)
    def check_install(self):
        make("check")

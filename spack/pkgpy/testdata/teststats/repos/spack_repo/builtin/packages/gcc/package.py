# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack_repo.builtin.build_systems.autotools import AutotoolsPackage
from spack_repo.builtin.build_systems.compiler import CompilerPackage

from spack.package import *


class Gcc(AutotoolsPackage, CompilerPackage):
    """The GNU Compiler Collection."""

    homepage = "https://gcc.gnu.org"

    version("12.2.0", sha256="e549cf9cf3594a00e27b6589d4322d70e0720cdd213f39beb4181e06926230ff")

    provides("c", "cxx", when="languages=c,c++")
    provides("c", when="languages=c")
    provides("fortran", when="languages=fortran")

    # Building GCC's own test suite takes hours, so do not.
    build_time_test_callbacks = []  # type: List[str]
    install_time_test_callbacks = []  # type: List[str]

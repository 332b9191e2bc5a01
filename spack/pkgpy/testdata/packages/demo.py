# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
# A package.py written for spack-ghcr's tests, in spack-packages' format. The
# version("0.0.1", sha256="...") in this comment is not a directive.

import platform

from spack_repo.builtin.build_systems.cmake import CMakePackage

from spack.package import *

_extra = {"0.9.0": "9" * 64}


class Demo(CMakePackage):
    """Demo package. Its docstring mentions version("0.0.2", sha256="...")
    and spans lines.
    """

    homepage = (
        "https://demo.example.org"  # a comment between the parts
        "/project"
    )
    url = "https://demo.example.org/demo-1.2.0.tar.gz"
    git = "https://github.com/example/demo.git"

    maintainers("someone")

    license("MIT")

    version("develop", branch="develop")
    version("main", branch="main", get_full_repo=True)
    version("2.0.0rc1", sha256="1111111111111111111111111111111111111111111111111111111111111111")
    version("1.10.0", sha256="2222222222222222222222222222222222222222222222222222222222222222")
    version(
        "1.9.2",
        sha256="3333333333333333333333333333333333333333333333333333333333333333",
        url="https://mirror.example.org/demo-1.9.2.tar.gz",  # moved
    )
    version("1.9.1", sha512="4" * 128)  # computed hash: still a checksum
    version('1.9.0', md5='55555555555555555555555555555555')
    version("1.8.0", "66666666666666666666666666666666")
    version("1.7.0", commit="0123456789abcdef0123456789abcdef01234567")
    version("1.6.0", tag="v1.6.0", commit="fedcba9876543210fedcba9876543210fedcba98")
    version("1.5.0", preferred=False, sha256="7777777777777777777777777777777777777777777777777777777777777777")
    version("1.4.0", sha256="8888888888888888888888888888888888888888888888888888888888888888", deprecated=False)
    version("1.3.0")

    with default_args(deprecated=True):
        version("1.2.1", sha256="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        version(
            "1.2.0",
            sha256="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        )
        with default_args(deprecated=False):
            version("1.1.0", sha256="cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc")
        version("1.0.1", sha256="dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", deprecated=False)

    version("1.0.0", sha256="eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", \
        deprecated=True)

    if platform.machine() == "aarch64":
        version("3.0.0", sha256="ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")

    for ver, sha in _extra.items():
        version(ver, sha256=sha)

    version(str(0.8), sha256="0" * 64)

    with when("@1.9:"):
        depends_on("cmake@3.20:", type="build")
    depends_on("zlib-api")

    variant("shared", default=True, description="Build shared libraries")

    def version(self):
        version("9.9.9", sha256="not a directive: inside a def")

    @property
    def libs(self):
        return find_libraries("libdemo", root=self.prefix, recursive=True)


class CMakeBuilder(cmake.CMakeBuilder):
    def cmake_args(self):
        s = '''a triple-quoted string with version("9.9.8") inside
        over lines'''
        return [self.define("DEMO_DOCS", False), s]

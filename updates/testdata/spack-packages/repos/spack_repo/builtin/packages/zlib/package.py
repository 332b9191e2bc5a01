# Written for spack-ghcr's tests in spack-packages' format.
from spack.package import *


class Zlib(MakefilePackage):
    """A free, general-purpose data-compression library."""

    homepage = "https://zlib.net"
    url = "http://zlib.net/fossils/zlib-1.2.11.tar.gz"

    version("develop", branch="develop")
    version("1.3.1", sha256="1111111111111111111111111111111111111111111111111111111111111111")
    version("1.3", sha256="2222222222222222222222222222222222222222222222222222222222222222")
    version("1.2.13", sha256="3333333333333333333333333333333333333333333333333333333333333333")

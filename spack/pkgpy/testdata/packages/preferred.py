# A package whose maintainers prefer an older series, like cmake in spack-packages.
from spack.package import *


class Preferred(Package):
    homepage = "https://preferred.example.org"
    url = "https://preferred.example.org/preferred-3.31.9.tar.gz"

    version("master", branch="master")
    version("4.1.2", sha256="1111111111111111111111111111111111111111111111111111111111111111")
    version("4.0.4", sha256="2222222222222222222222222222222222222222222222222222222222222222")
    version(
        "3.31.9",
        sha256="3333333333333333333333333333333333333333333333333333333333333333",
        preferred=True,
    )
    version("3.30.9", sha256="4444444444444444444444444444444444444444444444444444444444444444")

    with default_args(deprecated=True):
        version("4.1.0", sha256="5555555555555555555555555555555555555555555555555555555555555555")
        version("3.31.8", sha256="6666666666666666666666666666666666666666666666666666666666666666")

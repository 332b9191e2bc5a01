from spack.package import *


class Broken(Package):
    homepage = "https://broken.example.org"
    version("1.0", sha256="""unterminated

# Copyright Spack Project Developers. See COPYRIGHT file for details.
#
# SPDX-License-Identifier: (Apache-2.0 OR MIT)
from spack.package import GenericBuilder, Package

# These names were moved to spack.package in Package API v2.2
__all__ = ["GenericBuilder", "Package"]

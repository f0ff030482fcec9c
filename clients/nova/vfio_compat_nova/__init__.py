# SPDX-License-Identifier: Apache-2.0
"""vfio-compat integration for OpenStack Nova.

The scheduler filter lives in ``vfio_compat_nova.filter``; importing that
module registers its ``[vfio_compat]`` options with oslo.config. This
package module stays import-light so that tools listing entry points do
not pull in nova.
"""

__version__ = "0.1.0"

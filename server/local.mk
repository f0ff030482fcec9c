# server/: vfio-compatd.

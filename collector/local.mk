# collector/: vfio-compat-collect.

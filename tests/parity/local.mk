# tests/parity/: collector against mdevctl and lspci.

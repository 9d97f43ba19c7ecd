"""The ``ovbuild`` command line."""

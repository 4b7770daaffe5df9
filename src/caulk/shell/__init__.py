"""Shell code analysis: a bash parser and Scorecard's Pinned-Dependencies shell rules.

* :mod:`caulk.shell.parser` parses bash into the node shapes of mvdan.cc/sh that Scorecard reads.
* :mod:`caulk.shell.analyze` finds unpinned downloads and package installs in a script
  (:func:`~caulk.shell.analyze.analyze_script`, shared by the Dockerfile ``RUN`` and workflow
  ``run:`` collectors).
* :mod:`caulk.shell.scripts` finds the repository's shell scripts and analyses them.
"""

"""caulk: seal the seams of a container image's supply chain.

The package is laid out as the data flows (see docs/architecture.md):
sources (``repo``, ``image``, ``registry``) -> models (``dockerfile``, ``workflow``) ->
checks/analyzers (``checks``, ``catalog``, ``vuln``) -> results (``findings``, ``results``)
-> renderers (``render``, ``sbom``).
"""

__version__ = "0.1.0"

"""caulk fix: resolvers (action ref -> commit SHA, image tag -> digest), patchers, generators."""

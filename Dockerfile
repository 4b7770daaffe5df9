# syntax=docker/dockerfile:1
# caulk's own image: multi-stage, digest-pinned, non-root (UID 10001, GID 0), labelled.
# Dependabot (docker ecosystem) keeps the digests current; see .github/dependabot.yml.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm@sha256:34386ef0cb081344d7ec1c103ba398e6e9f64e9ab3a1509accc92a4e24a07258

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY requirements/runtime.txt ./requirements/
RUN python -m venv /opt/caulk \
 && /opt/caulk/bin/pip install --no-compile --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
# Build caulk's own wheel, then install it alone: every dependency came from the locked hashes.
RUN /opt/caulk/bin/pip wheel --no-deps --wheel-dir /tmp/dist . \
 && /opt/caulk/bin/pip install --no-compile --no-deps /tmp/dist/*.whl \
 && rm -rf /tmp/dist

FROM ${PYTHON_IMAGE}
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="caulk" \
      org.opencontainers.image.description="Take a container image and the repository that builds it from insecure defaults to attested defaults." \
      org.opencontainers.image.source="https://github.com/caulk-dev/caulk" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
RUN useradd --system --uid 10001 --gid 0 --home-dir /home/caulk --create-home --shell /usr/sbin/nologin caulk \
 && mkdir -p /work \
 && chown 10001:0 /work \
 && chmod g=u /home/caulk /work
COPY --from=build /opt/caulk /opt/caulk
ENV PATH=/opt/caulk/bin:$PATH PYTHONDONTWRITEBYTECODE=1
WORKDIR /work
USER 10001:0
ENTRYPOINT ["caulk"]
CMD ["--help"]

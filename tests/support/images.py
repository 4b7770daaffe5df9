"""Real test images, built from Debian's archive and cached between runs (test tooling only).

Each image is a *recipe*; its hash keys a directory in the cache
(``$CAULK_TEST_IMAGE_CACHE``, else ``~/.cache/caulk-test-images``), so a second run costs nothing.
Root filesystems come from ``mmdebstrap`` (reference/tools-on-this-machine.md §1: merged-usr
hook, man/info/locale excluded, ``SOURCE_DATE_EPOCH``, ``--skip=output/dev``); distroless-style
content comes from ``apt-get download`` + ``dpkg-deb -x``. Images are written by the small
deterministic writer below (tarfile + gzip), so tests control layers, whiteouts, indexes and
attestation manifests exactly; ``skopeo`` converts to the classic ``docker save`` shape.

Every built image has ``oci`` (an OCI layout directory, tag ``latest``) and, for single-platform
images, ``docker25`` (Docker ≥ 25 ``docker save``: OCI layout + ``manifest.json``, also valid as
``oci-archive:``) and ``classic`` (legacy ``docker save`` written by skopeo).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

EPOCH = 1716163200
CREATED = "2024-05-20T00:00:00Z"
RECIPE_VERSION = "4"  # bump to rebuild every cached image

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
IN_TOTO = "application/vnd.in-toto+json"

# curl + python3 as in the reference's "extra" image (120 packages), plus two small pure-Python
# packages so Python metadata is present: python3-packaging ships a .dist-info, python3-idna an
# .egg-info (122 packages in all).
EXTRA_PACKAGES = ("curl", "python3", "python3-packaging", "python3-idna")
EXTRA_DPKG_COUNT = 122

DISTROLESS_PACKAGES = [
    "base-files",
    "netbase",
    "tzdata",
    "media-types",
    "ca-certificates",
    "libc6",
    "libssl3",
    "libgcc-s1",
    "gcc-12-base",
    "zlib1g",
]

MMDEBSTRAP_BASE = [
    "mmdebstrap",
    "--variant=minbase",
    "--mode=root",
    "--format=tar",
    "--skip=output/dev",
    "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/info/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
    "--dpkgopt=path-include=/usr/share/locale/locale.alias",
]


def cache_root() -> Path:
    env = os.environ.get("CAULK_TEST_IMAGE_CACHE")
    root = Path(env) if env else Path.home() / ".cache" / "caulk-test-images"
    root.mkdir(parents=True, exist_ok=True)
    return root


def tools_available(*tools: str) -> bool:
    return all(shutil.which(t) for t in tools)


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([RECIPE_VERSION, *parts], default=str).encode()).hexdigest()[
        :16
    ]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialize builds of one cache entry across concurrent pytest processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _apt_sources() -> str:
    deb822 = Path("/etc/apt/sources.list.d/debian.sources")
    return str(deb822) if deb822.exists() else "http://deb.debian.org/debian"


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "LC_ALL": "C.UTF-8"}


# ---------------------------------------------------------------------------------------------
# tar layers


@dataclasses.dataclass
class Member:
    """One synthetic tar member. ``kind``: file, dir, symlink, hardlink, char, fifo."""

    name: str
    data: bytes = b""
    kind: str = "file"
    mode: int = 0o644
    linkname: str = ""
    uid: int = 0
    gid: int = 0
    pax: dict[str, str] | None = None


def make_tar(members: Iterable[Member], *, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """A deterministic tar of ``members`` (mtime = EPOCH, in the order given)."""
    buf = io.BytesIO()
    kinds = {
        "file": tarfile.REGTYPE,
        "dir": tarfile.DIRTYPE,
        "symlink": tarfile.SYMTYPE,
        "hardlink": tarfile.LNKTYPE,
        "char": tarfile.CHRTYPE,
        "block": tarfile.BLKTYPE,
        "fifo": tarfile.FIFOTYPE,
    }
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.type = kinds[m.kind]
            info.mode = m.mode if m.kind != "dir" or m.mode != 0o644 else 0o755
            info.mtime = EPOCH
            info.uid, info.gid = m.uid, m.gid
            info.linkname = m.linkname
            if m.pax:
                info.pax_headers = dict(m.pax)
            if m.kind == "file":
                info.size = len(m.data)
                tar.addfile(info, io.BytesIO(m.data))
            else:
                tar.addfile(info)
    return buf.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (mtime 0, no name); isal level 1 when available (10x zlib -6)."""
    try:
        from isal import igzip

        return bytes(igzip.compress(data, compresslevel=1, mtime=0))
    except ImportError:  # pragma: no cover
        import gzip

        return gzip.compress(data, compresslevel=1, mtime=0)


def tar_dir(root: Path) -> bytes:
    """Tar a directory like GNU ``tar --sort=name --mtime=@EPOCH --owner=0 --group=0``."""
    members: list[Member] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        if rel_dir != ".":
            members.append(Member(f"./{rel_dir}/", kind="dir", mode=0o755))
        for name in sorted(filenames + [d for d in dirnames if Path(dirpath, d).is_symlink()]):
            full = Path(dirpath, name)
            rel = f"./{full.relative_to(root).as_posix()}"
            st = full.lstat()
            if full.is_symlink():
                members.append(Member(rel, kind="symlink", linkname=os.readlink(full)))
            elif full.is_file():
                members.append(Member(rel, full.read_bytes(), mode=st.st_mode & 0o7777))
    members.sort(key=lambda m: m.name)
    return make_tar(members, fmt=tarfile.GNU_FORMAT)


# ---------------------------------------------------------------------------------------------
# an image model for the writer


@dataclasses.dataclass
class Layer:
    tar: bytes
    compression: str = "gzip"  # gzip, zstd, none
    created_by: str = "caulk test layer"

    def blob(self) -> tuple[bytes, str]:
        if self.compression == "gzip":
            return gzip_bytes(self.tar), OCI_LAYER_GZIP
        if self.compression == "zstd":
            import zstandard

            return zstandard.ZstdCompressor(level=3).compress(self.tar), OCI_LAYER_ZSTD
        return self.tar, OCI_LAYER_TAR


@dataclasses.dataclass
class ImageSpec:
    layers: list[Layer]
    config: dict[str, Any]
    architecture: str = "amd64"
    os: str = "linux"
    variant: str | None = None
    annotations: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Blobs:
    """Content-addressed blobs collected while writing."""

    blobs: dict[str, bytes] = dataclasses.field(default_factory=dict)

    def add(self, data: bytes) -> str:
        digest = _digest(data)
        self.blobs[digest] = data
        return digest


def image_manifest(spec: ImageSpec, blobs: Blobs) -> dict[str, Any]:
    """Add the image's blobs; return the manifest descriptor (with platform)."""
    layer_descs = []
    diff_ids = []
    history = []
    for layer in spec.layers:
        data, media_type = layer.blob()
        layer_descs.append({"mediaType": media_type, "digest": blobs.add(data), "size": len(data)})
        diff_ids.append(_digest(layer.tar))
        history.append({"created": CREATED, "created_by": layer.created_by})
    config = {
        "architecture": spec.architecture,
        "os": spec.os,
        "created": CREATED,
        "author": "caulk tests",
        "config": spec.config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    if spec.variant:
        config["variant"] = spec.variant
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": OCI_CONFIG,
            "digest": blobs.add(config_bytes),
            "size": len(config_bytes),
        },
        "layers": layer_descs,
    }
    if spec.annotations:
        manifest["annotations"] = spec.annotations
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    platform: dict[str, str] = {"architecture": spec.architecture, "os": spec.os}
    if spec.variant:
        platform["variant"] = spec.variant
    return {
        "mediaType": OCI_MANIFEST,
        "digest": blobs.add(body),
        "size": len(body),
        "platform": platform,
    }


def attestation_manifest(
    subject: dict[str, Any], statements: list[dict[str, Any]], blobs: Blobs
) -> dict[str, Any]:
    """A BuildKit-style attestation manifest for ``subject`` (moby/buildkit attestation-storage)."""
    layers = []
    for statement in statements:
        data = json.dumps(statement, sort_keys=True).encode()
        layers.append(
            {
                "mediaType": IN_TOTO,
                "digest": blobs.add(data),
                "size": len(data),
                "annotations": {"in-toto.io/predicate-type": statement["predicateType"]},
            }
        )
    config = json.dumps(
        {
            "architecture": "unknown",
            "os": "unknown",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
        },
        sort_keys=True,
    ).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": blobs.add(config), "size": len(config)},
        "layers": layers,
    }
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    return {
        "mediaType": OCI_MANIFEST,
        "digest": blobs.add(body),
        "size": len(body),
        "platform": {"architecture": "unknown", "os": "unknown"},
        "annotations": {
            "vnd.docker.reference.digest": subject["digest"],
            "vnd.docker.reference.type": "attestation-manifest",
        },
    }


def index_descriptor(manifests: list[dict[str, Any]], blobs: Blobs) -> dict[str, Any]:
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    body = json.dumps(index, sort_keys=True, separators=(",", ":")).encode()
    return {"mediaType": OCI_INDEX, "digest": blobs.add(body), "size": len(body)}


def write_oci_layout(directory: Path, blobs: Blobs, tagged: dict[str, dict[str, Any]]) -> None:
    """Write blobs and an ``index.json`` naming each descriptor by tag."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    sha_dir = directory / "blobs" / "sha256"
    sha_dir.mkdir(parents=True, exist_ok=True)
    for digest, data in sorted(blobs.blobs.items()):
        (sha_dir / digest.split(":", 1)[1]).write_bytes(data)
    manifests = []
    for tag, desc in tagged.items():
        entry = {k: v for k, v in desc.items() if k != "annotations"}
        entry["annotations"] = {"org.opencontainers.image.ref.name": tag}
        manifests.append(entry)
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    (directory / "index.json").write_text(json.dumps(index, sort_keys=True, indent=2))


def write_docker25_archive(path: Path, spec: ImageSpec, repo_tag: str) -> None:
    """Docker ≥ 25 ``docker save``: OCI layout (uncompressed layers) + manifest.json."""
    blobs = Blobs()
    plain = dataclasses.replace(
        spec, layers=[dataclasses.replace(layer, compression="none") for layer in spec.layers]
    )
    desc = image_manifest(plain, blobs)
    manifest = json.loads(blobs.blobs[desc["digest"]])
    members = [
        Member("blobs/", kind="dir"),
        Member("blobs/sha256/", kind="dir"),
    ]
    for digest, data in sorted(blobs.blobs.items()):
        members.append(Member(f"blobs/sha256/{digest.split(':', 1)[1]}", data))
    index_entry = dict(desc)
    index_entry.pop("platform")
    index_entry["annotations"] = {
        "io.containerd.image.name": f"docker.io/{repo_tag}",
        "org.opencontainers.image.ref.name": repo_tag.rsplit(":", 1)[1],
    }
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [index_entry]}
    docker_manifest = [
        {
            "Config": f"blobs/sha256/{manifest['config']['digest'].split(':', 1)[1]}",
            "RepoTags": [repo_tag],
            "Layers": [
                f"blobs/sha256/{layer['digest'].split(':', 1)[1]}" for layer in manifest["layers"]
            ],
        }
    ]
    repositories = {
        repo_tag.rsplit(":", 1)[0]: {
            repo_tag.rsplit(":", 1)[1]: manifest["config"]["digest"].split(":")[1]
        }
    }
    members += [
        Member("index.json", json.dumps(index, sort_keys=True).encode()),
        Member("manifest.json", json.dumps(docker_manifest, sort_keys=True).encode()),
        Member("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
        Member("repositories", json.dumps(repositories, sort_keys=True).encode()),
    ]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(make_tar(members))
    tmp.replace(path)


# ---------------------------------------------------------------------------------------------
# root filesystems


def mmdebstrap_rootfs(include: tuple[str, ...] = ()) -> bytes:
    """A minbase root filesystem tar (cached)."""
    key = _key("mmdebstrap", include)
    out = cache_root() / "rootfs" / f"minbase-{key}.tar"
    with _locked(out):
        if not out.exists():
            tmp = out.with_suffix(".part")
            cmd = [*MMDEBSTRAP_BASE]
            if include:
                cmd.append("--include=" + ",".join(include))
            cmd += ["bookworm", str(tmp), _apt_sources()]
            subprocess.run(cmd, check=True, env=_env(), capture_output=True)
            tmp.replace(out)
    return out.read_bytes()


def _apt_download(packages: Iterable[str], dest: Path) -> list[Path]:
    subprocess.run(
        ["apt-get", "download", "-q", *packages], cwd=dest, check=True, capture_output=True
    )
    return sorted(dest.glob("*.deb"))


def _control(deb: Path) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True
    ).stdout


def unpack_debs_statusd(debs: list[Path], root: Path) -> None:
    """Unpack ``.deb``s into ``root`` the distroless way: ``var/lib/dpkg/status.d/<pkg>``."""
    status_d = root / "var" / "lib" / "dpkg" / "status.d"
    status_d.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        control = _control(deb).rstrip("\n") + "\n"
        name = next(
            line.split(":", 1)[1].strip()
            for line in control.splitlines()
            if line.startswith("Package:")
        )
        (status_d / name).write_text(control)
        with tempfile.TemporaryDirectory() as ctl:
            subprocess.run(["dpkg-deb", "-e", str(deb), ctl], check=True)
            md5 = Path(ctl, "md5sums")
            if md5.exists():
                (status_d / f"{name}.md5sums").write_bytes(md5.read_bytes())
    # Distroless's merged-usr-free layout keeps /usr/share/doc copyright files; drop the rest.
    for sub in ("usr/share/man", "usr/share/info"):
        shutil.rmtree(root / sub, ignore_errors=True)


def distroless_rootfs() -> bytes:
    key = _key("distroless", DISTROLESS_PACKAGES)
    out = cache_root() / "rootfs" / f"distroless-{key}.tar"
    with _locked(out):
        if not out.exists():
            with tempfile.TemporaryDirectory() as work:
                debs = _apt_download(DISTROLESS_PACKAGES, Path(work))
                root = Path(work, "root")
                root.mkdir()
                unpack_debs_statusd(debs, root)
                etc = root / "etc"
                (etc / "passwd").write_text(
                    "root:x:0:0:root:/root:/sbin/nologin\n"
                    "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
                    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
                )
                (etc / "group").write_text("root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n")
                os_release = etc / "os-release"
                if os_release.is_symlink():
                    os_release.unlink()
                os_release.write_text(
                    'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\n'
                    'VERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\n'
                    'HOME_URL="https://github.com/GoogleContainerTools/distroless"\n'
                )
                (root / "home" / "nonroot").mkdir(parents=True)
                (root / "tmp").mkdir(exist_ok=True)
                out.with_suffix(".part").write_bytes(tar_dir(root))
                out.with_suffix(".part").replace(out)
    return out.read_bytes()


def go_layer() -> tuple[bytes, str]:
    """A layer with Debian's ``shfmt`` (a Go binary, ~1 MB .deb) and its status.d stanza."""
    key = _key("shfmt")
    out = cache_root() / "rootfs" / f"shfmt-{key}.tar"
    meta = out.with_suffix(".version")
    with _locked(out):
        if not out.exists():
            with tempfile.TemporaryDirectory() as work:
                debs = _apt_download(["shfmt"], Path(work))
                root = Path(work, "root")
                root.mkdir()
                unpack_debs_statusd(debs, root)
                version = next(
                    line.split(":", 1)[1].strip()
                    for line in _control(debs[0]).splitlines()
                    if line.startswith("Version:")
                )
                meta.write_text(version)
                out.with_suffix(".part").write_bytes(tar_dir(root))
                out.with_suffix(".part").replace(out)
    return out.read_bytes(), meta.read_text()


# ---------------------------------------------------------------------------------------------
# the images


@dataclasses.dataclass(frozen=True)
class BuiltImage:
    """Where a built image lives. ``oci`` is ``oci:DIR:latest``-readable."""

    name: str
    directory: Path
    facts: dict[str, Any]

    @property
    def oci(self) -> Path:
        return self.directory / "oci"

    @property
    def docker25(self) -> Path:
        return self.directory / "docker25.tar"

    @property
    def classic(self) -> Path:
        return self.directory / "classic.tar"

    @property
    def oci_ref(self) -> str:
        return f"oci:{self.oci}:latest"


def _labels(title: str, base: str) -> dict[str, str]:
    return {
        "org.opencontainers.image.title": title,
        "org.opencontainers.image.source": "https://github.com/caulk-dev/caulk",
        "org.opencontainers.image.base.name": base,
        "org.opencontainers.image.created": CREATED,
    }


def _config(user: str, labels: dict[str, str], **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "Env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG=C.UTF-8",
            "API_TOKEN=hunter2-not-a-secret",
        ],
        "Labels": labels,
        "User": user,
        "WorkingDir": "/",
    }
    config.update(extra)
    return config


def _spec_minbase() -> ImageSpec:
    return ImageSpec(
        [Layer(mmdebstrap_rootfs(), created_by="mmdebstrap --variant=minbase bookworm")],
        _config("root", _labels("minbase", "docker.io/library/debian:bookworm"), Cmd=["/bin/bash"]),
    )


def _spec_extra() -> ImageSpec:
    return ImageSpec(
        [
            Layer(
                mmdebstrap_rootfs(EXTRA_PACKAGES),
                created_by="mmdebstrap --variant=minbase --include="
                + ",".join(EXTRA_PACKAGES)
                + " bookworm",
            )
        ],
        _config(
            "1000:1000",
            _labels("extra", "docker.io/library/debian:bookworm"),
            Entrypoint=["/usr/bin/python3"],
            Cmd=["-V"],
            ExposedPorts={"8080/tcp": {}, "53/udp": {}},
        ),
    )


def _spec_distroless() -> ImageSpec:
    return ImageSpec(
        [Layer(distroless_rootfs(), created_by="distroless-style: dpkg-deb -x, status.d")],
        _config("65532:65532", _labels("distroless", "gcr.io/distroless/base-debian12")),
    )


WHITEOUT_LAYER_2 = [
    Member("opt/", kind="dir"),
    Member("opt/app/", kind="dir"),
    Member("opt/app/old.txt", b"old\n"),
    Member("opt/app/keep/", kind="dir"),
    Member("opt/app/keep/nested.txt", b"nested\n"),
    Member("etc/app.conf", b"secret=1\n"),
    Member("usr/lib/python3/dist-packages/demo-1.0.dist-info/", kind="dir"),
    Member(
        "usr/lib/python3/dist-packages/demo-1.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
    ),
    Member("usr/lib/python3/dist-packages/kept-2.0.dist-info/", kind="dir"),
    Member(
        "usr/lib/python3/dist-packages/kept-2.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: kept\nVersion: 2.0\n",
    ),
    Member(
        "var/lib/dpkg/status.d/demo",
        b"Package: demo\nVersion: 1.0-1\nArchitecture: all\nMaintainer: t <t@example.org>\n"
        b"Description: removed later\n",
    ),
]
WHITEOUT_LAYER_3 = [
    # opaque: everything below opt/app from lower layers disappears; new.txt stays
    Member("opt/app/", kind="dir"),
    Member("opt/app/.wh..wh..opq"),
    Member("opt/app/new.txt", b"new\n"),
    Member("etc/.wh.app.conf"),
    Member("usr/lib/python3/dist-packages/.wh.demo-1.0.dist-info"),
    Member("var/lib/dpkg/status.d/.wh.demo"),
    # a whiteout of a file from the base layer (distroless's zlib1g)
    Member("var/lib/dpkg/status.d/.wh.zlib1g"),
    Member("var/lib/dpkg/status.d/.wh.zlib1g.md5sums"),
]


def _spec_whiteouts() -> ImageSpec:
    return ImageSpec(
        [
            Layer(distroless_rootfs(), created_by="distroless base"),
            Layer(make_tar(WHITEOUT_LAYER_2), compression="zstd", created_by="COPY app /opt/app"),
            Layer(make_tar(WHITEOUT_LAYER_3), compression="none", created_by="RUN rm -rf ..."),
        ],
        _config("65532", _labels("whiteouts", "gcr.io/distroless/base-debian12")),
    )


def _spec_gobinary() -> tuple[ImageSpec, str]:
    layer, version = go_layer()
    return (
        ImageSpec(
            [
                Layer(distroless_rootfs(), created_by="distroless base"),
                Layer(layer, created_by="dpkg-deb -x shfmt"),
            ],
            _config(
                "65532:65532",
                _labels("gobinary", "gcr.io/distroless/base-debian12"),
                Entrypoint=["/usr/bin/shfmt"],
            ),
        ),
        version,
    )


def slsa_v1(mode_max: bool, subject: str) -> dict[str, Any]:
    internal: dict[str, Any] = {"builderPlatform": "linux/amd64"}
    metadata: dict[str, Any] = {
        "buildkit_completeness": {"request": mode_max, "resolvedDependencies": mode_max}
    }
    if mode_max:
        internal["buildConfig"] = {"llbDefinition": [{"id": "step0", "op": {}}]}
        metadata["buildkit_metadata"] = {"source": {"locations": {}}, "layers": {}}
    return {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "pkg:docker/caulk/multiarch@latest", "digest": {"sha256": subject}}],
        "predicate": {
            "buildDefinition": {
                "buildType": "https://mobyproject.org/buildkit@v1",
                "externalParameters": {"request": {"frontend": "dockerfile.v0"}},
                "internalParameters": internal,
                "resolvedDependencies": [
                    {
                        "uri": "pkg:docker/debian@bookworm?platform=linux%2Famd64",
                        "digest": {"sha256": "0" * 64},
                    }
                ],
            },
            "runDetails": {"builder": {"id": ""}, "metadata": metadata},
        },
    }


def slsa_v02(mode_max: bool, subject: str) -> dict[str, Any]:
    predicate: dict[str, Any] = {
        "builder": {"id": ""},
        "buildType": "https://mobyproject.org/buildkit@v1",
        "materials": [
            {
                "uri": "pkg:docker/debian@bookworm?platform=linux%2Farm64",
                "digest": {"sha256": "1" * 64},
            }
        ],
        "invocation": {"configSource": {}, "parameters": {"frontend": "dockerfile.v0"}},
        "metadata": {
            "completeness": {"parameters": mode_max, "environment": True, "materials": False}
        },
    }
    if mode_max:
        predicate["buildConfig"] = {"llbDefinition": []}
    return {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "pkg:docker/caulk/multiarch@latest", "digest": {"sha256": subject}}],
        "predicate": predicate,
    }


def spdx_statement(subject: str) -> dict[str, Any]:
    return {
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://spdx.dev/Document",
        "subject": [{"name": "pkg:docker/caulk/multiarch@latest", "digest": {"sha256": subject}}],
        "predicate": {
            "spdxVersion": "SPDX-2.3",
            "SPDXID": "SPDXRef-DOCUMENT",
            "name": "sbom",
            "packages": [],
        },
    }


def _write_multiarch(directory: Path) -> dict[str, Any]:
    """linux/amd64 (distroless, SBOM + SLSA v1 max) and linux/arm64/v8 (tiny, SLSA v0.2 min)."""
    blobs = Blobs()
    amd64 = image_manifest(
        ImageSpec(
            [Layer(distroless_rootfs())],
            _config("65532:65532", _labels("multiarch", "gcr.io/distroless/base-debian12")),
        ),
        blobs,
    )
    arm64 = image_manifest(
        ImageSpec(
            [
                Layer(
                    make_tar(
                        [
                            Member("etc/", kind="dir"),
                            Member("etc/os-release", b'ID=debian\nVERSION_ID="12"\n'),
                            Member("etc/arch", b"arm64\n"),
                        ]
                    )
                )
            ],
            _config("0", _labels("multiarch", "gcr.io/distroless/base-debian12")),
            architecture="arm64",
            variant="v8",
        ),
        blobs,
    )
    hex_amd = amd64["digest"].split(":")[1]
    hex_arm = arm64["digest"].split(":")[1]
    att_amd = attestation_manifest(amd64, [spdx_statement(hex_amd), slsa_v1(True, hex_amd)], blobs)
    att_arm = attestation_manifest(arm64, [slsa_v02(False, hex_arm)], blobs)
    index = index_descriptor([amd64, arm64, att_amd, att_arm], blobs)
    write_oci_layout(directory / "oci", blobs, {"latest": index})
    return {
        "index_digest": index["digest"],
        "amd64_digest": amd64["digest"],
        "arm64_digest": arm64["digest"],
        "attestation_amd64": att_amd["digest"],
        "attestation_arm64": att_arm["digest"],
    }


def _finish_single(directory: Path, name: str, spec: ImageSpec) -> dict[str, Any]:
    blobs = Blobs()
    desc = image_manifest(spec, blobs)
    write_oci_layout(directory / "oci", blobs, {"latest": desc})
    write_docker25_archive(directory / "docker25.tar", spec, f"caulk/{name}:latest")
    if tools_available("skopeo"):
        # skopeo 1.9 cannot put zstd layers in a docker-archive: convert a gzip-only copy
        gzip_spec = dataclasses.replace(
            spec, layers=[dataclasses.replace(x, compression="gzip") for x in spec.layers]
        )
        with tempfile.TemporaryDirectory() as tmp:
            gzip_blobs = Blobs()
            gzip_desc = image_manifest(gzip_spec, gzip_blobs)
            write_oci_layout(Path(tmp), gzip_blobs, {"latest": gzip_desc})
            subprocess.run(
                [
                    "skopeo",
                    "copy",
                    "-q",
                    f"oci:{tmp}:latest",
                    f"docker-archive:{directory / 'classic.tar'}:caulk/{name}:latest",
                ],
                check=True,
                capture_output=True,
            )
    return {
        "manifest_digest": desc["digest"],
        "diff_ids": [_digest(layer.tar) for layer in spec.layers],
    }


IMAGES = ("minbase", "extra", "distroless", "whiteouts", "gobinary", "multiarch")


def build(name: str) -> BuiltImage:
    """Build (or reuse from the cache) the test image ``name``."""
    if name not in IMAGES:
        raise KeyError(name)
    # an image is rebuilt whenever this recipe file changes (root filesystems have their own keys)
    recipe = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    directory = cache_root() / "images" / f"{name}-{_key(name, recipe)}"
    facts_file = directory / "facts.json"
    with _locked(directory):
        if not facts_file.exists():
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            facts: dict[str, Any]
            if name == "multiarch":
                facts = _write_multiarch(directory)
            elif name == "gobinary":
                spec, version = _spec_gobinary()
                facts = _finish_single(directory, name, spec)
                facts["shfmt_version"] = version
            else:
                spec = {
                    "minbase": _spec_minbase,
                    "extra": _spec_extra,
                    "distroless": _spec_distroless,
                    "whiteouts": _spec_whiteouts,
                }[name]()
                facts = _finish_single(directory, name, spec)
            facts_file.write_text(json.dumps(facts, sort_keys=True, indent=2))
    return BuiltImage(name, directory, json.loads(facts_file.read_text()))


def can_build() -> bool:
    """mmdebstrap, dpkg-deb and apt-get present (and root, for ``--mode=root``)."""
    return tools_available("mmdebstrap", "dpkg-deb", "apt-get") and os.geteuid() == 0


if __name__ == "__main__":  # pragma: no cover - manual: python tests/support/images.py
    import sys
    import time

    for image_name in sys.argv[1:] or IMAGES:
        start = time.monotonic()
        built = build(image_name)
        print(f"{image_name}: {built.directory} ({time.monotonic() - start:.1f} s)")

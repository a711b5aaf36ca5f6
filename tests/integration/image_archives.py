"""Builds image archives from scratch (no Docker) and runs `berth image import/export`."""
import gzip
import hashlib
import io
import json
import subprocess
import tarfile

from helpers import BERTH_BIN


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer_tar(files: dict) -> bytes:
    """A layer: an uncompressed tar of {path: bytes}."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def image_config(layers: list, label: str = "") -> bytes:
    """A config whose diff_ids match the (uncompressed) layers, as docker load checks."""
    diff_ids = [sha256(gzip.decompress(l) if l[:2] == b"\x1f\x8b" else l) for l in layers]
    return json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/hello"], "Labels": {"made-by": label or "berth-tests"}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "berth tests"} for _ in layers],
    }, sort_keys=True).encode()


def _add(t: tarfile.TarFile, name: str, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    t.addfile(info, io.BytesIO(data))


def docker_save_tar(path, repo_tag="app:v1", layers=None, label="", gzip_first_layer=False):
    """Writes a `docker save` archive; returns (config digest, [layer digests as stored])."""
    if layers is None:
        layers = [layer_tar({"hello": f"hello {label}\n".encode()}), layer_tar({"etc/motd": b"berth\n"})]
    if gzip_first_layer:
        layers = [gzip.compress(layers[0], mtime=0)] + layers[1:]
    config = image_config(layers, label)
    cfg_hex = sha256(config)[7:]
    names = []
    with tarfile.open(path, mode="w") as t:
        _add(t, cfg_hex + ".json", config)
        for i, data in enumerate(layers):
            name = f"{hashlib.sha256(data).hexdigest()}/layer.tar"
            names.append(name)
            _add(t, name, data)
        entry = {"Config": cfg_hex + ".json", "RepoTags": [repo_tag] if repo_tag else None, "Layers": names}
        _add(t, "manifest.json", json.dumps([entry]).encode())
    return sha256(config), [sha256(l) for l in layers]


def oci_layout_tar(path, ref_name="v1", label="oci"):
    """Writes an OCI image layout tarball; returns the manifest's digest."""
    layer = gzip.compress(layer_tar({"hello": b"oci\n"}), mtime=0)
    config = image_config([layer], label)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config),
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(layer),
                    "size": len(layer)}],
    }).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(manifest),
        "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": ref_name}}]}).encode()
    with tarfile.open(path, mode="w") as t:
        _add(t, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        _add(t, "index.json", index)
        for blob in (manifest, config, layer):
            _add(t, "blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob)
    return sha256(manifest)


def berth_image(*args, data_dir):
    """Runs `berth image ARGS --data-dir DIR`; returns the CompletedProcess."""
    return subprocess.run([BERTH_BIN, "image", *map(str, args), "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120)


def import_image(data_dir, tar_path, repository):
    p = berth_image("import", tar_path, "--repository", repository, data_dir=data_dir)
    assert p.returncode == 0, p.stderr
    return p.stdout

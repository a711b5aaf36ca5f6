#!/usr/bin/env bash
# Builds the berth container image from the already-built binary:
#   1. the runtime base berth-local/berth-runtime:bookworm, if missing: Debian bookworm minbase
#      with berth's shared libraries (mmdebstrap from the machine's own Debian mirror, then
#      docker import);
#   2. berth-local/berth:latest: docker/Dockerfile with build/berth copied in (stripped).
#
#   scripts/build.sh && docker/build-image.sh [--force-base]
#   docker-compose up -d            # see docker-compose.yml at the repository top
#
# Environment: BERTH_BIN (default build/berth), BASE_IMAGE, IMAGE (default berth-local/berth:latest).
set -euo pipefail
cd "$(dirname "$0")/.."

BERTH_BIN="${BERTH_BIN:-build/berth}"
BASE_IMAGE="${BASE_IMAGE:-berth-local/berth-runtime:bookworm}"
IMAGE="${IMAGE:-berth-local/berth:latest}"
SUITE=bookworm
# What `ldd build/berth` needs beyond minbase (libstdc++6, libgcc-s1, zlib are in it already).
PACKAGES="libsqlite3-0,libspdlog1.10,libfmt9,libarchive13,libssl3,ca-certificates"
FORCE_BASE=0
for arg in "$@"; do
    case "$arg" in
        --force-base) FORCE_BASE=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

[ -x "$BERTH_BIN" ] || { echo "error: $BERTH_BIN not found: build berth first (scripts/build.sh)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "error: no Docker daemon reachable" >&2; exit 1; }

FLAGS=()
[ "$FORCE_BASE" = 1 ] && FLAGS+=(--force)
SUITE="$SUITE" scripts/debian-image.sh "$BASE_IMAGE" "$PACKAGES" "${FLAGS[@]}" --change 'CMD ["bash"]'

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# A context of two files: the Dockerfile and the binary (not the whole repository).
mkdir -p "$WORK/ctx"
cp docker/Dockerfile "$WORK/ctx/Dockerfile"
if command -v strip >/dev/null 2>&1; then
    strip --strip-debug -o "$WORK/ctx/berth" "$BERTH_BIN"
else
    cp "$BERTH_BIN" "$WORK/ctx/berth"
fi
DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --label "org.opencontainers.image.version=$("$BERTH_BIN" --version 2>/dev/null | head -1)" \
    -t "$IMAGE" "$WORK/ctx" >/dev/null
echo "built $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE") bytes)"

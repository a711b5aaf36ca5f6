#!/usr/bin/env bash
# Builds the local base image of examples/flask-app: Debian bookworm (minbase) with python3-flask,
# made from Debian's apt archive with mmdebstrap and loaded with `docker import`. Nothing is
# pulled from a container registry, so it works on a machine that can only reach a Debian mirror.
#
#   examples/flask-app/build-base-image.sh            # builds the tag if it is missing (idempotent)
#   examples/flask-app/build-base-image.sh --force    # rebuilds it
#
# Environment: BASE_IMAGE (tag, default berth-local/python-flask:bookworm), SUITE (default
# bookworm), EXTRA_PACKAGES (more packages to include, comma separated).
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-berth-local/python-flask:bookworm}"
SUITE="${SUITE:-bookworm}"
PACKAGES="python3-flask${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"
FORCE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

FLAGS=()
[ "$FORCE" = 1 ] && FLAGS+=(--force)
# The image is made by the repository's scripts/debian-image.sh (mmdebstrap + docker import).
SUITE="$SUITE" exec "$(dirname "$0")/../../scripts/debian-image.sh" "$BASE_IMAGE" "$PACKAGES" "${FLAGS[@]}" \
    --change 'ENV PYTHONUNBUFFERED=1' \
    --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
    --change 'CMD ["python3"]'

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

if ! docker info >/dev/null 2>&1; then
    echo "error: no Docker daemon reachable (is dockerd running?)" >&2
    exit 1
fi

if [ "$FORCE" = 0 ] && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    echo "$BASE_IMAGE already exists ($(docker image inspect --format '{{.Id}}' "$BASE_IMAGE"))"
    exit 0
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "installing mmdebstrap from the Debian archive"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q mmdebstrap
fi

# Use the same Debian mirror(s) as this machine's apt: every enabled sources file that names a
# Debian archive is pasted as is into the image's sources (third-party repositories are left out).
MIRRORS=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    if grep -v '^[[:space:]]*#' "$f" | grep -Eq '(deb|URIs:).*debian'; then
        MIRRORS+=("$f")
    fi
done
if [ "${#MIRRORS[@]}" = 0 ]; then
    echo "no Debian entry in /etc/apt/sources.list*: using mmdebstrap's default mirror"
fi

# Apt options of this machine that matter for reaching its mirror (proxies, snapshot dates).
APTOPTS=(--aptopt='Acquire::Check-Valid-Until "false"')
for key in Acquire::http::Proxy Acquire::https::Proxy; do
    val="$(apt-config dump "$key" 2>/dev/null | sed -n "s/^$key \"\(.*\)\";$/\1/p" | head -1)"
    [ -n "$val" ] && APTOPTS+=(--aptopt="$key \"$val\"")
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
echo "building $BASE_IMAGE: mmdebstrap --variant=minbase --include=$PACKAGES $SUITE (mirrors: ${MIRRORS[*]:-default})"
$SUDO mmdebstrap --variant=minbase --include="$PACKAGES" --quiet \
    "${APTOPTS[@]}" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    "$SUITE" "$WORK/rootfs.tar" "${MIRRORS[@]}"

docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PYTHONUNBUFFERED=1' \
    --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
    --change 'CMD ["python3"]' \
    --message "mmdebstrap --variant=minbase --include=$PACKAGES $SUITE" \
    "$WORK/rootfs.tar" "$BASE_IMAGE" >/dev/null
echo "built $BASE_IMAGE in $(( $(date +%s) - START )) s ($(docker image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes)"

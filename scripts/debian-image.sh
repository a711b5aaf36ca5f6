#!/usr/bin/env bash
# Makes a Docker image of Debian (minbase) with the given packages, from this machine's own
# Debian mirror with mmdebstrap and `docker import`: nothing is pulled from a registry.
#
#   scripts/debian-image.sh IMAGE PACKAGES [--force] [--change 'INSTRUCTION']...
#
# PACKAGES is comma separated. Without --force an existing IMAGE is kept. Each --change is
# passed to `docker import` (ENV, CMD...). SUITE defaults to bookworm.
set -euo pipefail

IMAGE="$1"
PACKAGES="$2"
shift 2
SUITE="${SUITE:-bookworm}"
FORCE=0
CHANGES=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'ENV LANG=C.UTF-8')
while [ $# -gt 0 ]; do
    case "$1" in
        --force) FORCE=1 ;;
        --change) CHANGES+=(--change "$2"); shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

if ! docker info >/dev/null 2>&1; then
    echo "error: no Docker daemon reachable (is dockerd running?)" >&2
    exit 1
fi
if [ "$FORCE" = 0 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "$IMAGE already exists ($(docker image inspect --format '{{.Id}}' "$IMAGE"))"
    exit 0
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "installing mmdebstrap from the Debian archive"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q mmdebstrap
fi

# The same Debian mirror(s) as this machine's apt: every enabled sources file that names a
# Debian archive is used as is (third-party repositories are left out).
MIRRORS=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    if grep -v '^[[:space:]]*#' "$f" | grep -Eq '(deb|URIs:).*debian'; then
        MIRRORS+=("$f")
    fi
done
[ "${#MIRRORS[@]}" = 0 ] && echo "no Debian entry in /etc/apt/sources.list*: using mmdebstrap's default mirror"

# Apt options of this machine that matter for reaching its mirror (proxies, snapshot dates).
APTOPTS=(--aptopt='Acquire::Check-Valid-Until "false"')
for key in Acquire::http::Proxy Acquire::https::Proxy; do
    val="$(apt-config dump "$key" 2>/dev/null | sed -n "s/^$key \"\(.*\)\";$/\1/p" | head -1)"
    [ -n "$val" ] && APTOPTS+=(--aptopt="$key \"$val\"")
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
echo "building $IMAGE: mmdebstrap --variant=minbase --include=$PACKAGES $SUITE"
$SUDO mmdebstrap --variant=minbase --include="$PACKAGES" --quiet "${APTOPTS[@]}" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    "$SUITE" "$WORK/rootfs.tar" "${MIRRORS[@]}"
docker import "${CHANGES[@]}" --message "mmdebstrap --variant=minbase --include=$PACKAGES $SUITE" \
    "$WORK/rootfs.tar" "$IMAGE" >/dev/null
echo "built $IMAGE in $(( $(date +%s) - START )) s ($(docker image inspect --format '{{.Size}}' "$IMAGE") bytes)"

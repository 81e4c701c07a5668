#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh - the PMM-shaped stand-in image, from Debian packages only.
#
#   tests/pmm-shape/build.sh 2|3      -> localhost/pmmha-shape:2.42.0 | :3.0.0
#
# Two layers, each cached and keyed by a hash of its inputs:
#   base    debootstrap --variant=minbase bookworm + apt-get install of
#           ./packages from this machine's own apt mirror, as a rootfs tar
#           under $SHAPE_CACHE (default /var/tmp/pmmha-shape), imported as
#           localhost/pmmha-shape-base:<key>. From nothing ~1-2 min.
#   image   the base + the payload (./payload, the variant's version files,
#           labels) with podman build, no network: seconds. Its key (a hash of
#           every file in this directory and the variant) is the label
#           pmmha.shape.key; an image whose key matches is reused.
# Needs root, debootstrap, podman. Prints the image reference last.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VARIANT=${1:?usage: build.sh 2|3}
CACHE=${SHAPE_CACHE:-/var/tmp/pmmha-shape}
case $VARIANT in
    2) VERSION=2.42.0 ;;
    3) VERSION=3.0.0 ;;
    *) echo "build.sh: variant must be 2 or 3" >&2; exit 2 ;;
esac
# PMM_SHAPE_REPO: another repository for the image (a second user of this
# machine testing another tests/pmm-shape at the same time)
IMAGE=${PMM_SHAPE_REPO:-localhost/pmmha-shape}:$VERSION
t0=$(date +%s)
log() { echo "[shape-build +$(($(date +%s) - t0))s] $*" >&2; }

. "$HERE/../lib/apt-mirror.sh" # apt_uri

base_key() { cat "$HERE/packages" "$HERE/base.sh" | sha256sum | cut -c1-16; }
image_key() {
    (cd "$HERE" && find . -type f ! -name '*.swp' ! -name README.md -print0 | sort -z | xargs -0 sha256sum; echo "variant $VARIANT") |
        sha256sum | cut -c1-16
}

ensure_base() { # prints the base image reference
    local key tar ref mirror secmirror
    key=$(base_key)
    ref=localhost/pmmha-shape-base:$key
    tar=$CACHE/base-$key.tar
    if podman image exists "$ref"; then
        echo "$ref"
        return 0
    fi
    mkdir -p "$CACHE"
    if [[ ! -s $tar ]]; then
        mirror=${SHAPE_MIRROR:-$(apt_uri "")}
        secmirror=${SHAPE_SECMIRROR:-$(apt_uri -security)}
        [[ -n $mirror ]] || { echo "build.sh: no Debian mirror in this machine's apt sources" >&2; return 1; }
        log "base $key: debootstrap + apt from $mirror (log $CACHE/base-$key.log)"
        "$HERE/base.sh" "$CACHE/rootfs-$key" "$mirror" "$secmirror" "$HERE/packages" "$tar.tmp" \
            >"$CACHE/base-$key.log" 2>&1 || { tail -20 "$CACHE/base-$key.log" >&2; return 1; }
        mv -f "$tar.tmp" "$tar"
        # older bases are dead weight
        find "$CACHE" -maxdepth 1 -name 'base-*.tar' ! -name "base-$key.tar" -delete
        log "base tar $(du -h "$tar" | cut -f1)"
    fi
    log "podman import $tar -> $ref"
    podman import -q --message "pmmha-shape base $key" "$tar" "$ref" >/dev/null
    echo "$ref"
}

build_image() {
    local key base ctx old
    key=$(image_key)
    if [[ $(podman image inspect --format '{{index .Labels "pmmha.shape.key"}}' "$IMAGE" 2>/dev/null) == "$key" ]]; then
        log "$IMAGE is up to date (key $key)"
        echo "$IMAGE"
        return 0
    fi
    base=$(ensure_base)
    ctx=$(mktemp -d "$CACHE/ctx.XXXXXX")
    trap 'rm -rf "$ctx"' RETURN
    cp -a "$HERE/payload" "$ctx/payload"
    mkdir -p "$ctx/payload/usr/share/percona-dashboards"
    echo "$VERSION" >"$ctx/payload/usr/share/percona-dashboards/VERSION"
    mkdir -p "$ctx/payload/etc/pmm-shape"
    echo "$VERSION" >"$ctx/payload/etc/pmm-shape/version"
    echo "$VARIANT" >"$ctx/payload/etc/pmm-shape/variant"
    sed -e "s|@BASE@|$base|" -e "s|@VERSION@|$VERSION|g" -e "s|@KEY@|$key|" \
        "$HERE/Containerfile.in" >"$ctx/Containerfile"
    old=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
    log "podman build $IMAGE (key $key) on $base"
    podman build -q --layers=false --pull=never --network=none -f "$ctx/Containerfile" -t "$IMAGE" "$ctx" >/dev/null
    if [[ -n $old && $old != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]]; then
        podman rmi "$old" >/dev/null 2>&1 || true
    fi
    log "built $IMAGE"
    echo "$IMAGE"
}

build_image

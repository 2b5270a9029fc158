#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler from Debian bookworm's `kubernetes`
# source package, once per machine: the result is cached under ~/.cache/golive/kubernetes-<version>/bin,
# keyed by version. Needs a deb-src entry for bookworm main, golang-go, rsync, jq and dpkg-dev.
# Test tooling only: golive itself never runs these binaries.
set -euo pipefail
version="${GOLIVE_K8S_VERSION:-1.20.2}"
cache="${GOLIVE_K8S_CACHE:-${HOME}/.cache/golive/kubernetes-${version}}"
binaries=(kube-apiserver kube-controller-manager kube-scheduler)

built() {
  for b in "${binaries[@]}"; do [ -x "${cache}/bin/${b}" ] || return 1; done
  [ "$(cat "${cache}/bin/VERSION" 2>/dev/null)" = "v${version}" ]
}
if built; then
  echo "kubernetes v${version} already built in ${cache}/bin"
  exit 0
fi
for tool in go rsync jq dpkg-source apt-get; do
  command -v "$tool" >/dev/null || { echo "build-kubernetes: '$tool' is missing (apt-get install golang-go rsync jq dpkg-dev)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/golive-k8s-build-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "downloading Debian's kubernetes source package into ${work}"
apt-get source --download-only kubernetes >/dev/null || {
  echo "build-kubernetes: 'apt-get source kubernetes' failed: add a deb-src entry for bookworm main and run apt-get update" >&2
  exit 2
}
dsc="$(ls ./*.dsc | head -1)"
case "$dsc" in
  *"really${version}"* | *"_${version}-"*) ;;
  *) echo "build-kubernetes: ${dsc} is not kubernetes ${version}" >&2; exit 2 ;;
esac
dpkg-source --no-check -x "$dsc" src >/dev/null

# There is no git tree: the version comes from a file, as the release tooling allows.
major="${version%%.*}"
minor="${version#*.}"; minor="${minor%%.*}"
cat > version.env <<VERSION
KUBE_GIT_VERSION='v${version}'
KUBE_GIT_MAJOR='${major}'
KUBE_GIT_MINOR='${minor}'
KUBE_GIT_COMMIT='debian-bookworm'
KUBE_GIT_TREE_STATE='clean'
VERSION
echo "building ${binaries[*]} (about 15 minutes on 2 cores)"
cd src
# make generates the files a plain `go build` lacks; GOFLAGS keeps the vendored modules.
KUBE_GIT_VERSION_FILE="${work}/version.env" GOFLAGS=-mod=vendor GOTOOLCHAIN=local \
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >"${work}/make.log" 2>&1 || {
  tail -40 "${work}/make.log" >&2
  echo "build-kubernetes: make failed (log above)" >&2
  exit 1
}
mkdir -p "${cache}/bin.tmp"
for b in "${binaries[@]}"; do cp "_output/bin/${b}" "${cache}/bin.tmp/${b}"; done
echo "v${version}" > "${cache}/bin.tmp/VERSION"
rm -rf "${cache}/bin"
mv "${cache}/bin.tmp" "${cache}/bin"
echo "kubernetes v${version} built into ${cache}/bin"

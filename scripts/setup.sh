#!/usr/bin/env bash
# Installs the Debian packages mbrl builds against, only those that are missing.
set -euo pipefail

packages=(
  gcc make pkg-config
  libdnnl-dev          # matrix work (oneDNN)
  libmujoco-dev        # physics
  libcjson-dev         # JSON headers and configs
  libcriterion-dev     # tests
  libplplot-dev plplot-driver-cairo   # PNG plots
  fonts-dejavu-core    # a font for the text in plots (cairo renders it through fontconfig)
  libavcodec-dev libavformat-dev libswscale-dev libavutil-dev   # MP4 video (H.264 by libx264)
  libegl-dev           # EGL headers; libEGL itself is opened with dlopen when a video is drawn
  libegl-mesa0 libgl1-mesa-dri   # Mesa's EGL and its software OpenGL (llvmpipe) for video
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "mbrl: installing missing packages: ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

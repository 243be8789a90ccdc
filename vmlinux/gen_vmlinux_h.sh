#!/usr/bin/env bash
# Regenerate vmlinux/vmlinux.h from the running kernel's BTF.
# The committed copy is x86_64; CO-RE relocations make the program built
# against it load on other kernels that have BTF.
set -euo pipefail
btf=${1:-/sys/kernel/btf/vmlinux}
out=${2:-$(dirname "$0")/vmlinux.h}
if [ ! -r "$btf" ]; then
	echo "gen_vmlinux_h: $btf not readable: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y is needed)" >&2
	exit 1
fi
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from $btf"

#!/bin/sh
# Publishes the NativeAOT warren binary to out/warren.
set -eu
cd "$(dirname "$0")/.."
dotnet publish src/Warren.Cli -c Release -o out --nologo -v quiet >/dev/null
echo "built $(pwd)/out/warren"

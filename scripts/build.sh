#!/bin/sh
# Publishes the NativeAOT warren binary to out/warren.
set -eu
cd "$(dirname "$0")/.."
dotnet publish src/Warren.Cli -c Release -o out --nologo -v quiet -clp:ErrorsOnly
echo "built $(pwd)/out/warren"

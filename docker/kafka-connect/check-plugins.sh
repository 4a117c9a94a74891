#!/usr/bin/env bash
# Reads the output of Kafka's plugin lister (`org.apache.kafka.tools.ConnectPluginPath list`, KIP-898) on standard
# input: a tab-separated row per plugin class, whose first seven fields are pluginName, firstAlias, secondAlias,
# pluginVersion, pluginType, isLoadable and hasManifest. Prints the row of each class named as an argument, and fails
# unless every one of them is there, loadable and with its service manifest: the image build fails, not a learner's
# worker. Plain bash on purpose: the Connect image (ubi9-minimal) is not known to have awk.
set -u
declare -A ok=()
rows=0
while IFS= read -r line; do
  rows=$((rows + 1))
  IFS=$'\t' read -r name _alias1 _alias2 _version _type loadable manifest _rest <<<"$line"
  for wanted in "$@"; do
    [ "$name" = "$wanted" ] || continue
    printf '%s\n' "$line"
    if [ "$loadable" = true ] && [ "$manifest" = true ]; then ok[$wanted]=1; fi
  done
done
missing=()
for wanted in "$@"; do
  [ -n "${ok[$wanted]:-}" ] || missing+=("$wanted")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-plugins: not listed as loadable with a service manifest (read ${rows} rows): ${missing[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# usage: tools/scripts/new-project.sh <apps|libs> <name> <tag>   — writes project.json and package.json
set -euo pipefail
kind=$1; name=$2; tag=$3
dir="$kind/$name"; mkdir -p "$dir/src"
type=$([ "$kind" = apps ] && echo application || echo library)
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "projectType": "$type",
  "sourceRoot": "$dir/src",
  "tags": ["$tag"],
  "targets": {
    "test": { "command": "jest --selectProjects unit int --rootDir . $dir", "options": { "cwd": "{workspaceRoot}" } },
    "lint": { "command": "eslint $dir", "options": { "cwd": "{workspaceRoot}" } }
  }
}
JSON
cat > "$dir/package.json" <<JSON
{ "name": "@twokey/$name", "version": "0.1.0", "private": true, "main": "src/$([ "$kind" = apps ] && echo main || echo index).ts" }
JSON

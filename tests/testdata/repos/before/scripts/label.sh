#!/bin/sh
# Labels a pull request by the paths it touches (placeholder).
echo "labelling"

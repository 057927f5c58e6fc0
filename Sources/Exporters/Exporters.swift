// Exporters: multi-episode datasets (scan, manifests, selection, split, leakage audit) and the
// training sets built from them (Qwen3-Omni JSON-QA records with media and sensor NPZ, the
// model-neutral window index). See README.md in this folder for the map.

// Metrics: see README.md in this folder for what this layer owns.

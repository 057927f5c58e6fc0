// Metrics: scoring for the XperienceKit task suite, usable on its own by any Swift project.
//
// Every function here is a plain, synchronous function over value types. Inputs are
// validated up front (lengths, finiteness, label ranges) and rejected with a typed
// `MetricsError`; nothing traps on data that came from outside. Sums, means and variances
// accumulate in Float64 whatever the storage type of the inputs. Result structs are
// `Codable` and their JSON keys are the keys of the reference suite's `metrics.json`.
// See README.md in this folder for the layout and an example.

import ArgumentParser

/// The benchmark areas. Add one line per area.
let benchAreas: [ParsableCommand.Type] = [
    BenchHDF5.self,
    BenchFeatures.self,
]

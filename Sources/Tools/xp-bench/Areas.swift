import ArgumentParser

/// The benchmark areas. Add one line per area.
let benchAreas: [ParsableCommand.Type] = [
    BenchHeads.self,
]

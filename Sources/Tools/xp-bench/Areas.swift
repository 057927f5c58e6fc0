import ArgumentParser

/// The benchmark areas. Add one line per area.
let benchAreas: [ParsableCommand.Type] = [
    BenchHDF5.self,
    BenchMedia.self,
    BenchFeatures.self,
    BenchHeads.self,
    BenchSuite.self,
    BenchQA.self,
    BenchExport.self,
    BenchEval.self,
    BenchBaselines.self,
    BenchSlurm.self,
    BenchDiagnose.self,
    BenchReport.self,
]

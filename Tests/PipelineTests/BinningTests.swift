import Testing
@testable import Pipeline

@Suite("Pipeline: binning")
struct BinningTests {
    @Test("placeholder")
    func placeholder() { #expect(Binning.pack(costs: [3, 1, 2], bins: 2) == [[0], [1, 2]]) }
}

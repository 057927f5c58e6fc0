import Foundation
import Testing
@testable import TaskContracts

@Suite struct SplitTests {
    @Test func chronologicalPointRoundsHalfToEven() {
        #expect(chronologicalSplitPoint(count: 1161, testFraction: 0.3) == 813)
        #expect(chronologicalSplitPoint(count: 1144, testFraction: 0.3) == 801)
        #expect(chronologicalSplitPoint(count: 5, testFraction: 0.3) == 4)  // 3.5 → 4
        #expect(chronologicalSplitPoint(count: 15, testFraction: 0.3) == 10)  // 10.5 → 10
        #expect(chronologicalSplitPoint(count: 2, testFraction: 0.9) == 1)  // clipped to [1, n−1]
    }

    @Test func heldOutEpisodesKeepSessionsTogether() throws {
        let sessions = ["s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4", "s5", "s5", "s6", "s6", "s7", "s7", "s8", "s8"]
        let a = try EpisodeAssignment.bySession(sessions: sessions, seed: 3)
        var roleOf: [String: Set<SplitRole>] = [:]
        for (s, r) in zip(sessions, a.roles) { roleOf[s, default: []].insert(r) }
        #expect(roleOf.values.allSatisfy { $0.count == 1 })
        #expect(a.roles.contains(.train) && a.roles.contains(.test) && a.roles.contains(.validation))
        #expect(a == (try EpisodeAssignment.bySession(sessions: sessions, seed: 3)))
        #expect(throws: SuiteError.self) { try EpisodeAssignment.bySession(sessions: ["only", "only"]) }
        let two = try EpisodeAssignment.bySession(sessions: ["a", "b"])
        #expect(Set(two.roles) == [.train, .test])
    }

    @Test func objectNamesCanonicalise() {
        #expect(ObjectNames.canonical("  Digital   Scale ") == "scale")
        #expect(ObjectNames.canonical("The Coffee Mug") == "cup")
        #expect(ObjectNames.canonical("Kettle") == "kettle")
    }

    @Test func npzHasZipStructureAndCRC() {
        #expect(NPZ.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        let data = NPZ.encode([("a", Data([1, 2, 3]))])
        #expect(data.prefix(4) == Data([0x50, 0x4b, 0x03, 0x04]))
        #expect(data.suffix(22).prefix(4) == Data([0x50, 0x4b, 0x05, 0x06]))
    }
}

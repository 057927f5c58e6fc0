import Foundation
import Testing
import XPCore

@Suite("Parallel")
struct ParallelTests {
    @Test("Results land at their index whatever the width; indices outside the order stay nil")
    func resultsByIndex() {
        for width in [1, 2, 5] {
            #expect(Parallel.map(9, width: width) { $0 * $0 } == (0..<9).map { $0 * $0 })
            let partial = Parallel.run(count: 5, order: [4, 1], width: width) { $0 + 10 }
            #expect(partial == [nil, 11, nil, nil, 14])
        }
    }

    @Test("With width 1 the jobs run in the given order; the completion count reaches the job count, one call at a time")
    func orderAndCompletion() {
        final class Log: @unchecked Sendable { let lock = NSLock(); var started: [Int] = []; var counts: [Int] = []; var inside = 0; var overlap = false }
        let log = Log()
        _ = Parallel.map(6, width: 1, order: [5, 3, 1, 0, 2, 4]) { i in log.lock.lock(); log.started.append(i); log.lock.unlock() }
        #expect(log.started == [5, 3, 1, 0, 2, 4])
        let seen = Log()
        _ = Parallel.map(20, width: 4, completed: { done in
            seen.lock.lock(); seen.inside += 1; if seen.inside > 1 { seen.overlap = true }; seen.lock.unlock()
            usleep(200)
            seen.lock.lock(); seen.counts.append(done); seen.inside -= 1; seen.lock.unlock()
        }) { i in usleep(UInt32(100 * (i % 3))); return i }
        #expect(seen.counts == Array(1...20))
        #expect(!seen.overlap)
    }
}

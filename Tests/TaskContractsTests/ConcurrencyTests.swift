import Foundation
import Testing
@testable import TaskContracts

/// The suite's side-by-side task runner, on plain work (no BLAS), so it can run beside the
/// other tests. That the side-by-side suite equals a one-after-the-other run with one BLAS
/// thread, file for file, is checked with the tools (Docs/heads-and-suite-performance.md).
@Suite("Side-by-side tasks")
struct ConcurrencyTests {
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var started: [Int] = []
        func record(_ i: Int) { lock.lock(); started.append(i); lock.unlock() }
    }

    @Test(arguments: [1, 2, 3, 8])
    func resultsComeBackByIndexWhateverTheWidth(width: Int) throws {
        let log = Log()
        let order = [4, 0, 6, 1, 5, 2, 3]
        let results = try SuiteRunner.runConcurrently(7, width: width, order: order) { i -> Int in
            log.record(i)
            // Uneven work, so that later starts can finish first.
            var x = 0
            for k in 0..<((7 - i) * 20_000) { x &+= k ^ i }
            return i * i + (x == -1 ? 1 : 0)
        }
        #expect(results == (0..<7).map { $0 * $0 })
        #expect(log.started.sorted() == Array(0..<7), "every index runs exactly once")
        if width > 1 { #expect(log.started.first.map { order.prefix(width).contains($0) } == true, "starts follow the given order") }
    }

    struct Boom: Error, Equatable { let index: Int }

    @Test func theFirstErrorByIndexIsRethrownAfterEveryBodyEnded() {
        let log = Log()
        #expect(throws: Boom(index: 2)) {
            _ = try SuiteRunner.runConcurrently(6, width: 2, order: [5, 4, 3, 2, 1, 0]) { i -> Int in
                log.record(i)
                if i == 2 || i == 4 { throw Boom(index: i) }
                return i
            }
        }
        #expect(log.started.count == 6)
    }

    @Test func costliestTasksStartFirst() {
        let tasks = TaskID.allCases
        let order = SuiteRunner.schedulingOrder(tasks).map { tasks[$0] }
        #expect(order.prefix(2) == [.temporalOrder, .misalignmentDetection])
        #expect(Array(order.dropFirst(2)) == tasks.filter { $0 != .temporalOrder && $0 != .misalignmentDetection })
        #expect(SuiteRunner.schedulingOrder([.timelineAction]) == [0])
    }
}

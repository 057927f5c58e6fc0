import Dispatch
import Foundation

/// Index-parallel work on a fixed number of threads: the one mechanism the layers share for
/// "run these N jobs `width` at a time and give me the results by index" (the suite's tasks,
/// an episode's video streams, a dataset's episodes).
///
/// ```swift
/// let sizes = Parallel.map(files.count, width: 4) { i in fileSize(files[i]) }
/// ```
public enum Parallel {
    /// Calls `body` once for each index of `order` (default `0..<count`), at most `width` calls
    /// at a time, starting them in `order`'s order (so costly jobs listed first start first).
    /// Returns each result at its index in `0..<count`; an index not in `order` is nil.
    /// `completed(done)` runs after each call with the number finished so far, one call at a
    /// time. With `width` ≤ 1 (or one job) everything runs on the calling thread, in order.
    public static func run<T>(count: Int, order: [Int]? = nil, width: Int, completed: (@Sendable (Int) -> Void)? = nil,
                              _ body: @Sendable (Int) -> T) -> [T?] {
        let order = order ?? Array(0..<count)
        let slots = Slots<T>(count)
        if width <= 1 || order.count <= 1 {
            for (k, i) in order.enumerated() {
                slots.values[i] = body(i)
                completed?(k + 1)
            }
            return slots.values
        }
        DispatchQueue.concurrentPerform(iterations: min(width, order.count)) { _ in
            while let i = slots.take(from: order) {
                let value = body(i)
                slots.store(value, at: i, completed: completed)
            }
        }
        return slots.values
    }

    /// ``run(count:order:width:completed:_:)`` over every index `0..<count`.
    public static func map<T>(_ count: Int, width: Int, order: [Int]? = nil, completed: (@Sendable (Int) -> Void)? = nil,
                              _ body: @Sendable (Int) -> T) -> [T] {
        run(count: count, order: order, width: width, completed: completed, body).map { $0! }
    }

    /// One worker count for "one per core unless told": `requested` when positive, else the
    /// active cores, never more than `jobs` (and at least 1).
    public static func width(requested: Int, jobs: Int) -> Int {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return max(1, min(jobs, requested > 0 ? requested : cores))
    }

    /// The shared state of one run; every access is under `lock`, and `values` is read only
    /// after every worker has returned.
    private final class Slots<T>: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var done = 0
        var values: [T?]
        init(_ n: Int) { values = Array(repeating: nil, count: n) }

        func take(from order: [Int]) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < order.count else { return nil }
            next += 1
            return order[next - 1]
        }

        func store(_ value: T, at i: Int, completed: (@Sendable (Int) -> Void)?) {
            lock.lock()
            defer { lock.unlock() }
            values[i] = value
            done += 1
            completed?(done)
        }
    }
}

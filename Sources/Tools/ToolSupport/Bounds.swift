import ArgumentParser
import Foundation

/// The allowed values of the numeric options. Each tool states its ranges once (a `Limits`
/// enum beside its options, also quoted in `--help`) and checks them in `validate()`, so an
/// out-of-range value is a usage error (exit 2) before any work, never a hang or an
/// allocation of gigabytes.
///
/// ```swift
/// enum Limits { static let threads = 0...64 }
/// @Option(parsing: .unconditional, help: "Decoder threads (0 = automatic; \(Bounds.text(Limits.threads)).")
/// var threads = 0
/// func validate() throws { try Bounds.check(threads, "--threads", in: Limits.threads) }
/// ```
///
/// Declare numeric options with `parsing: .unconditional`: otherwise swift-argument-parser
/// reads a negative value such as `--window -5` as an unknown flag and reports a missing value.
public enum Bounds {
    /// `range` as it appears in messages and help: `[0, 64]`.
    public static func text<T: BinaryInteger>(_ range: ClosedRange<T>) -> String { "[\(range.lowerBound), \(range.upperBound)]" }

    /// `range` as it appears in messages and help: `[0, 1]`, `[0.5, 2.5]`.
    public static func text(_ range: ClosedRange<Double>) -> String { "[\(number(range.lowerBound)), \(number(range.upperBound))]" }

    /// Throws a usage error naming `option`, `range` and `value` unless `range` holds `value`.
    public static func check<T: BinaryInteger>(_ value: T, _ option: String, in range: ClosedRange<T>) throws(ValidationError) {
        guard range.contains(value) else {
            throw ValidationError("\(option) must lie in \(text(range)), found \(value)")
        }
    }

    /// The same check for an optional option; nil (not given) passes.
    public static func check<T: BinaryInteger>(_ value: T?, _ option: String, in range: ClosedRange<T>) throws(ValidationError) {
        if let value { try check(value, option, in: range) }
    }

    /// Throws a usage error unless `value` is a finite number in `range` (NaN and infinities
    /// are refused whatever the range).
    public static func check(_ value: Double, _ option: String, in range: ClosedRange<Double>) throws(ValidationError) {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(option) must lie in \(text(range)) (a finite number), found \(value)")
        }
    }

    /// A number without a trailing `.0` when it is whole.
    static func number(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

/// A comma-separated list of seeds, as `--seeds 7,8,9` takes it.
public enum SeedList {
    /// Parses `text` into its seeds, in order. Every entry must be a non-negative integer
    /// (surrounding spaces allowed); an empty entry (`7,,8`, `,`, `""`) or more than
    /// `count.upperBound` seeds is a usage error that names `option`.
    public static func parse(_ text: String, option: String, count: ClosedRange<Int>) throws(ValidationError) -> [UInt64] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var seeds: [UInt64] = []
        for (i, part) in parts.enumerated() {
            guard let seed = UInt64(part) else {
                let found = part.isEmpty ? "an empty entry at position \(i + 1)" : "'\(part)'"
                throw ValidationError("\(option) must be comma-separated non-negative integers such as 7,8,9; found \(found) in '\(text)'")
            }
            seeds.append(seed)
        }
        guard count.contains(seeds.count) else {
            throw ValidationError("\(option) must list between \(count.lowerBound) and \(count.upperBound) seeds, found \(seeds.count)")
        }
        return seeds
    }
}

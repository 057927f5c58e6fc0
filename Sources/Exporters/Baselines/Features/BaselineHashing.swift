import Foundation
import WindowAlign

/// The hashed features of the multi-episode baselines (`run_128_task_baselines.py` and
/// `run_dense_multiscale_hierarchical_baselines.py`): `stable_hash(text, m)` is the
/// little-endian uint64 of the 8-byte BLAKE2b digest of the UTF-8 text, modulo m.
///
/// These differ from the suite's text block (``hashedTextFeatures(_:dimensions:)``): tokens
/// are `[a-z0-9]+` (no underscore), the bucket comes from all 8 bytes, the sign from a second
/// hash in a `sign:` namespace, and each side of a comparison has its own namespace.
///
/// Test vectors (Python's `hashlib`): `hashOneHot("train", 4, "split")` = (2, −1), `val` (2, −1),
/// `test` (3, −1); provenance `exact_sparse_window` (2, +1), `overlap_nearest_sparse_window`
/// (5, +1), `gap_nearest_sparse_window` (3, +1).
public enum BaselineHashing {
    /// `int.from_bytes(blake2b(text, digest_size=8), "little") % modulo`.
    public static func stableHash(_ text: String, modulo: Int) -> Int {
        let digest = (try? BLAKE2b.hash(Array(text.utf8), digestLength: 8)) ?? []
        var word: UInt64 = 0
        for (i, byte) in digest.enumerated() { word |= UInt64(byte) << (8 * UInt64(i)) }
        return Int(word % UInt64(max(modulo, 1)))
    }

    /// The bucket and sign of one token (or value) in `namespace`: bucket
    /// `stable_hash("{ns}:{v}", dim)`, sign +1 when `stable_hash("sign:{ns}:{v}", 2) == 0`.
    public static func bucket(_ value: String, dimensions: Int, namespace: String) -> (index: Int, sign: Float) {
        (stableHash("\(namespace):\(value)", modulo: dimensions), stableHash("sign:\(namespace):\(value)", modulo: 2) == 0 ? 1 : -1)
    }

    /// `hash_onehot(v, d, ns)`: one entry ±1 at the value's bucket.
    public static func hashOneHot(_ value: String, dimensions: Int, namespace: String) -> [Float] {
        var v = [Float](repeating: 0, count: dimensions)
        guard dimensions > 0 else { return v }
        let b = bucket(value, dimensions: dimensions, namespace: namespace)
        v[b.index] = b.sign
        return v
    }

    /// The tokens `re.findall(r"[a-z0-9]+", text.lower())`: maximal runs of ASCII lower-case
    /// letters and digits in the lower-cased text (Unicode lower-casing, like Python's).
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for s in text.lowercased().unicodeScalars {
            let v = s.value
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                current.append(s)
            } else if !current.isEmpty {
                out.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }
}

/// `hash_tokens(text, dim, namespace)` with a cache of token buckets: every token adds its
/// sign at its bucket, and the vector is L2-normalised when it is not zero. The cache makes
/// the 3,808-row featurisation cheap (the same option and question words recur on every row).
/// Not thread-safe: one per featurising thread.
public final class TokenHasher {
    public let dimensions: Int
    public let namespace: String
    private var cache: [String: (Int, Float)] = [:]

    /// A hasher for `dimensions` buckets in `namespace` (`row_text`, `caption_candidate`, ...).
    public init(dimensions: Int, namespace: String) {
        self.dimensions = dimensions
        self.namespace = namespace
    }

    /// The bucket and sign of `token`.
    public func bucket(_ token: String) -> (Int, Float) {
        if let hit = cache[token] { return hit }
        let b = BaselineHashing.bucket(token, dimensions: dimensions, namespace: namespace)
        cache[token] = (b.index, b.sign)
        return (b.index, b.sign)
    }

    /// The L2-normalised signed bag of `text`'s tokens. Counts accumulate exactly (they are
    /// small integers in Float32, as NumPy's); the norm is taken in Float64.
    public func vector(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: dimensions)
        guard dimensions > 0 else { return v }
        for token in BaselineHashing.tokens(text) {
            let (i, s) = bucket(token)
            v[i] += s
        }
        var norm = 0.0
        for x in v { norm += Double(x) * Double(x) }
        norm = norm.squareRoot()
        if norm > 0 { for i in v.indices { v[i] = Float(Double(v[i]) / norm) } }
        return v
    }
}

/// Hashed bag-of-words text features (the reference `hashed_text`): tokens `[a-zA-Z0-9_]+` of
/// the lower-cased text, each hashed with 8-byte BLAKE2b into one of `dimensions` buckets
/// (`uint32_le(d[0..<4]) mod dimensions`) with sign +1 when `d[4]` is odd and −1 otherwise;
/// the vector is L2-normalised when it is not zero. Empty text gives the zero vector.
public func hashedTextFeatures(_ text: String, dimensions: Int = 128) -> [Float] {
    guard dimensions > 0 else { return [] }
    var vec = [Double](repeating: 0, count: dimensions)
    for token in hashTokens(text) {
        let (bucket, sign) = tokenBucket(token, dimensions: dimensions)
        vec[bucket] += sign
    }
    var norm = 0.0
    for v in vec { norm += v * v }
    norm = norm.squareRoot()
    if norm > 0 { for i in vec.indices { vec[i] /= norm } }
    return vec.map { Float($0) }
}

/// The bucket and sign of one token, from its 8-byte BLAKE2b digest of the UTF-8 bytes.
public func tokenBucket(_ token: String, dimensions: Int = 128) -> (bucket: Int, sign: Double) {
    let d = BLAKE2b.hashUnchecked(Array(token.utf8), digestLength: 8)
    let word = UInt32(d[0]) | UInt32(d[1]) << 8 | UInt32(d[2]) << 16 | UInt32(d[3]) << 24
    let bucket = Int(word % UInt32(max(dimensions, 1)))
    return (bucket, d[4] & 1 == 1 ? 1 : -1)
}

/// The tokens the reference hashes: maximal runs of ASCII letters, digits and `_` in the
/// lower-cased text (Python `re.findall(r"[a-zA-Z0-9_]+", text.lower())`).
public func hashTokens(_ text: String) -> [String] {
    var tokens: [String] = []
    var current = String.UnicodeScalarView()
    for s in text.lowercased().unicodeScalars {
        let v = s.value
        let isWord = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F
        if isWord {
            current.append(s)
        } else if !current.isEmpty {
            tokens.append(String(current))
            current = String.UnicodeScalarView()
        }
    }
    if !current.isEmpty { tokens.append(String(current)) }
    return tokens
}

/// The per-frame caption text the reference hashes: the frame's objects followed by its
/// interaction, joined by single spaces (`" ".join(objects + [interaction])`).
public func frameCaptionText(objects: [String], interaction: String) -> String {
    (objects + [interaction]).joined(separator: " ")
}

// The media context of a Qwen3-Omni record (spec exporters.md §2.3): which frames the clip covers
// and which of them the mosaic samples.

/// Python floor division (`a // b`), for a positive divisor rounding toward −∞.
@inline(__always)
func pythonFloorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// The reference's `context_span(start, end_incl, n_frames, C)`: `contextFrames` frames centred on
/// the label window `[start, endInclusive]`, shifted to stay inside `0..<frameCount`.
///
/// 1. `center = (start + end_incl) // 2`
/// 2. `ctx_start = max(0, center − C // 2)`
/// 3. `ctx_end = min(n_frames − 1, ctx_start + C − 1)`
/// 4. `ctx_start = max(0, ctx_end − C + 1)`
///
/// All divisions are Python floor divisions. For an episode shorter than `C` the span is the whole
/// episode. Degenerate inputs (`frameCount ≤ 0`) give what the formula gives, clamped so the range
/// is valid: `0...max(0, ctx_end)`.
///
/// ```swift
/// contextSpan(start: 440, endInclusive: 459, frameCount: 5821, contextFrames: 120)  // 389...508
/// ```
public func contextSpan(start: Int, endInclusive: Int, frameCount: Int, contextFrames: Int) -> ClosedRange<Int> {
    let center = pythonFloorDiv(start + endInclusive, 2)
    var ctxStart = max(0, center - pythonFloorDiv(contextFrames, 2))
    let ctxEnd = min(frameCount - 1, ctxStart + contextFrames - 1)
    ctxStart = max(0, ctxEnd - contextFrames + 1)
    // `ClosedRange` needs lower ≤ upper; the formula only breaks that for an empty episode or C ≤ 0.
    return ctxStart...max(ctxStart, ctxEnd)
}

/// The frames the mosaic samples from a context: numpy's
/// `linspace(contextStart, contextEnd, min(maxFrames, contextEnd − contextStart + 1)).astype(int)`.
///
/// Computed as numpy does (`start + k·step` in Double with `step = (end − start)/(num − 1)`, the last
/// value set to `end` exactly) and truncated toward zero (`Int(x)`, numpy's `astype(int)`).
/// Empty when the context is empty or `maxFrames ≤ 0` (numpy would return an empty array for
/// `num = 0` and raise for a negative count).
///
/// ```swift
/// mosaicFrameIndices(contextStart: 389, contextEnd: 508, maxFrames: 16)  // [389, 396, 404, ..., 500, 508]
/// ```
public func mosaicFrameIndices(contextStart: Int, contextEnd: Int, maxFrames: Int) -> [Int] {
    let num = min(maxFrames, contextEnd - contextStart + 1)
    guard num > 0 else { return [] }
    if num == 1 { return [contextStart] }
    let a = Double(contextStart), b = Double(contextEnd)
    let step = (b - a) / Double(num - 1)
    var out: [Int] = []
    out.reserveCapacity(num)
    for k in 0..<(num - 1) { out.append(Int(Double(k) * step + a)) }
    out.append(Int(b))
    return out
}

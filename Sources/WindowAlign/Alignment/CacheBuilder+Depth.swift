import EpisodeIO
import Foundation

extension CacheBuilder {
    // MARK: Depth

    struct DepthMeta: Codable { var rows: Int; var sourceRows: Int; var scaling: String }

    mutating func buildDepth() {
        let start = ContinuousClock.now
        let block = "depth_confidence"
        let reader: DepthReader
        do { reader = try episode.depthReader(frames: n) } catch {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: "depth/depth", note: "\(error)", zeroFrames: n))
            return
        }
        let info = reader.info
        // The release stores confidence as uint8 0…255, so one episode-wide factor is 1/255.
        let scaling: ConfidenceScaling = strict ? .fixed(1.0 / 255) : .perFrame
        let scalingName = strict ? "episode-1/255" : "per-frame"
        // The reference's `c.min(initial=0)` is always 0; strict keeps the true minimum.
        let minimum: ConfidenceMinimum = strict ? .observed : .numpyInitialZero
        let rows = min(n, info.frames)
        var d = StreamDiagnostics(block: block, present: true, source: "depth/depth" + (info.hasConfidence ? ", depth/confidence" : ""),
                                  sourceRows: info.frames, alignedFrames: rows, zeroFrames: n - rows)
        d.note = "confidence scale: \(scalingName); confidence min: \(minimum.rawValue)" + (info.hasConfidence ? "" : "; no confidence (zeros)")
        var key: String? = nil
        if let store {
            do {
                var parts = ["depth-v1", "n=\(n)", "shape=\(info.frames)x\(info.height)x\(info.width)", "conf=\(info.hasConfidence)",
                             "min=\(info.depthMin.map { "\($0)" } ?? "-")", "max=\(info.depthMax.map { "\($0)" } ?? "-")",
                             "scaling=\(scalingName)", "cmin=\(minimum.rawValue)", "grid=\(DepthFeatures.gridSize)"]
                let samples = min(16, info.frames)
                for s in 0..<samples {
                    let row = samples > 1 ? (info.frames - 1) * s / (samples - 1) : 0
                    let f = try reader.read(row..<(row + 1))
                    parts.append(ContentFingerprint.hex(ContentFingerprint.bytes(f.depth) + (f.confidence ?? [])))
                }
                key = ContentFingerprint.key(parts)
                if let key, let hit = store.load(kind: "depth", key: key, cols: DepthFeatures.dimension, as: DepthMeta.self), hit.cache.rows == n {
                    sources[block] = .perFrame(hit.cache)
                    d.cache = "hit"
                    d.seconds = Self.elapsed(since: start)
                    diagnostics.append(d)
                    return
                }
            } catch {
                d.note = (d.note ?? "") + "; cache key failed: \(error)"
            }
        }
        var out = [Float](repeating: 0, count: n * DepthFeatures.dimension)
        // One extractor per core: the frames of a block are split between them (reading stays
        // on this thread, the HDF5 library being serial).
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let extractors = ExtractorPool((0..<workers).map { _ in
            DepthFeatureExtractor(depthMin: info.depthMin ?? DepthFeatures.defaultDepthMin,
                                  depthMax: info.depthMax ?? DepthFeatures.defaultDepthMax, confidenceScaling: scaling,
                                  confidenceMinimum: minimum)
        })
        let hw = info.height * info.width
        let blockSize = 64
        var failed: String? = nil
        var k = 0
        let dim = DepthFeatures.dimension
        // Two buffers: while the cores compute block i, a reader thread fills block i + 1 (the
        // HDF5 calls stay serial behind the library's lock).
        let empty = DepthFrames(range: 0..<0, height: info.height, width: info.width, depth: [], confidence: nil)
        var current = DepthBlockBuffer(empty)
        var upcoming = DepthBlockBuffer(empty)
        let readQueue = DispatchQueue(label: "depth-prefetch")
        if rows > 0 { current.fill(reader, 0..<min(rows, blockSize)) }
        while k < rows {
            let range = k..<min(rows, k + blockSize)
            if let error = current.error {
                failed = "rows from \(range.lowerBound) unreadable: \(error)"
                break
            }
            let nextRange = range.upperBound..<min(rows, range.upperBound + blockSize)
            let prefetch = DispatchGroup()
            if !nextRange.isEmpty {
                let buffer = upcoming
                readQueue.async(group: prefetch) { buffer.fill(reader, nextRange) }
            }
            let block = current.frames
            let errors = LockedErrors()
            out.withUnsafeMutableBufferPointer { ob in
                let target = UncheckedPointer(ob.baseAddress)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let extractor = extractors.items[w]
                    var f = range.lowerBound + w
                    while f < range.upperBound {
                        let o = (f - range.lowerBound) * hw
                        do {
                            let v = try extractor.features(depth: block.depth[o..<(o + hw)], width: info.width, height: info.height,
                                                           confidence: block.confidence.map { $0[o..<(o + hw)] })
                            if let base = target.pointer {
                                for i in 0..<dim { base[f * dim + i] = v[i] }
                            }
                        } catch {
                            errors.add("frame \(f): \(error)")
                        }
                        f += workers
                    }
                }
            }
            prefetch.wait()
            if let first = errors.first {
                failed = first
                break
            }
            k = range.upperBound
            swap(&current, &upcoming)
            progress("depth", k, rows)
        }
        if let failed {
            d.note = (d.note ?? "") + "; " + failed
            d.alignedFrames = k
            d.zeroFrames = n - k
        }
        guard let cache = try? PerFrameCache(values: out, rows: n, cols: DepthFeatures.dimension) else { return }
        sources[block] = .perFrame(cache)
        if let store, let key, failed == nil {
            do {
                try store.store(kind: "depth", key: key, cache: cache, meta: DepthMeta(rows: n, sourceRows: info.frames, scaling: scalingName))
                d.cache = "built"
            } catch { d.note = (d.note ?? "") + "; cache not written: \(error)" }
        }
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

    /// One depth block being read or computed on; a class so the prefetching thread can fill it.
    final class DepthBlockBuffer: @unchecked Sendable {
        var frames: DepthFrames
        var error: String?
        init(_ frames: DepthFrames) { self.frames = frames }
        func fill(_ reader: DepthReader, _ range: Range<Int>) {
            do throws(EpisodeError) { try reader.read(range, into: &frames); error = nil } catch { self.error = "\(error)" }
        }
    }

}

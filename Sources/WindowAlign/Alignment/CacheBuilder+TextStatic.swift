import EpisodeIO
import Foundation

extension CacheBuilder {
    // MARK: Text

    mutating func buildText() {
        let start = ContinuousClock.now
        let block = "caption_objects_interaction_text"
        guard let table = captionTable else {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: "caption", note: captionNote, zeroFrames: n))
            return
        }
        do {
            var memo: [String: [Float]] = [:]
            var out = [Float](repeating: 0, count: n * 128)
            let rows = min(n, table.frames.count)
            for k in 0..<rows {
                let info = table.frames[k]
                let text = frameCaptionText(objects: info.objects ?? [], interaction: info.interaction ?? "")
                let v: [Float]
                if let m = memo[text] { v = m } else {
                    v = hashedTextFeatures(text, dimensions: 128)
                    memo[text] = v
                }
                out.replaceSubrange((k * 128)..<((k + 1) * 128), with: v)
            }
            let cache = try PerFrameCache(values: out, rows: n, cols: 128)
            sources[block] = .perFrame(cache)
            diagnostics.append(StreamDiagnostics(block: block, present: true, source: "caption (objects, interaction)", sourceRows: table.frames.count,
                                                 alignedFrames: rows, zeroFrames: n - rows, seconds: Self.elapsed(since: start)))
        } catch {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: "caption", note: "\(error)", zeroFrames: n))
        }
    }

    // MARK: Static blocks

    mutating func buildStatic() {
        do {
            let cloud = try episode.pointCloud()
            let features = try PointCloudStats.features(cloud.filtered.map { Float($0) })
            sources["slam_point_cloud"] = .staticVector(features)
            diagnostics.append(StreamDiagnostics(block: "slam_point_cloud", present: true, source: "slam/point_cloud",
                                                 note: "\(cloud.filteredCount) of \(cloud.rawCount) points within the 95th-percentile distance",
                                                 sourceRows: cloud.rawCount, alignedFrames: n))
        } catch {
            diagnostics.append(StreamDiagnostics(block: "slam_point_cloud", present: false, source: "slam/point_cloud", note: "\(error)", zeroFrames: n))
        }
        if let calibration {
            let vector = calibration.canonicalVector
            if vector.count == Calibration.canonicalLength {
                sources["calibration"] = .staticVector(vector)
                diagnostics.append(StreamDiagnostics(block: "calibration", present: true, source: "calibration/", sourceRows: vector.count, alignedFrames: n))
            } else {
                diagnostics.append(StreamDiagnostics(block: "calibration", present: false, source: "calibration/",
                                                     note: "expected \(Calibration.canonicalLength) numbers, found \(vector.count); zero-filled to keep the schema",
                                                     sourceRows: vector.count, zeroFrames: n))
            }
        } else {
            diagnostics.append(StreamDiagnostics(block: "calibration", present: false, source: "calibration/", note: calibrationNote, zeroFrames: n))
        }
    }
}


import CZstd
import Foundation

/// Streams the lines of a JSON Lines file, plain or zstd-compressed (`.zst`, any number of
/// frames, with or without a recorded size), in chunks: a multi-gigabyte `dataset.jsonl`
/// (every record carries the 1,200 options and the prompt) is read without holding it.
///
/// Lines are split at `\n` and handed over with surrounding ASCII whitespace removed (Python's
/// `line.strip()` in `load_jsonl`); blank lines are skipped. Each line's 1-based number in
/// the file is passed along for messages.
struct JSONLinesReader {
    let url: URL
    static let chunk = 8 << 20

    /// Calls `body` with each non-blank line's number and bytes, in file order.
    func forEachLine(_ body: (_ line: Int, _ bytes: UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw EvalError.cannotRead(file: url.path, detail: "the file does not exist or is not readable")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var lineNumber = 0

        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            var a = 0, b = line.count
            while a < b, Self.isSpace(line[a]) { a += 1 }
            while b > a, Self.isSpace(line[b - 1]) { b -= 1 }
            if a < b { try body(lineNumber, UnsafeBufferPointer(rebasing: line[a..<b])) }
        }
        func feed(_ data: UnsafeBufferPointer<UInt8>, final: Bool) throws {
            var start = 0
            var i = 0
            while i < data.count {
                if data[i] == 0x0A {
                    lineNumber += 1
                    if pending.isEmpty {
                        try emit(UnsafeBufferPointer(rebasing: data[start..<i]))
                    } else {
                        pending.append(contentsOf: data[start..<i])
                        try pending.withUnsafeBufferPointer { try emit($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = i + 1
                }
                i += 1
            }
            pending.append(contentsOf: data[start..<data.count])
            if final, !pending.isEmpty {
                lineNumber += 1
                try pending.withUnsafeBufferPointer { try emit($0) }
                pending.removeAll()
            }
        }

        if url.pathExtension == "zst" {
            try decompress(handle) { try feed($0, final: false) }
            try feed(UnsafeBufferPointer(start: nil, count: 0), final: true)
        } else {
            while true {
                let data: Data
                do { data = try handle.read(upToCount: Self.chunk) ?? Data() } catch {
                    throw EvalError.cannotRead(file: url.path, detail: error.localizedDescription)
                }
                if data.isEmpty { break }
                try data.withUnsafeBytes { try feed($0.bindMemory(to: UInt8.self), final: false) }
            }
            try feed(UnsafeBufferPointer(start: nil, count: 0), final: true)
        }
    }

    /// Python's whitespace among single bytes (line ends, tab, FS–US, space).
    static func isSpace(_ b: UInt8) -> Bool { (0x09...0x0D).contains(b) || (0x1C...0x20).contains(b) }

    /// zstd streaming decompression of the whole file, in output chunks.
    func decompress(_ handle: FileHandle, _ out: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let stream = ZSTD_createDStream() else { throw EvalError.cannotRead(file: url.path, detail: "zstd: cannot create a decompression stream") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        let outSize = ZSTD_DStreamOutSize()
        var output = [UInt8](repeating: 0, count: outSize)
        var lastResult = 0
        var sawInput = false
        while true {
            let data: Data
            do { data = try handle.read(upToCount: Int(ZSTD_DStreamInSize())) ?? Data() } catch {
                throw EvalError.cannotRead(file: url.path, detail: error.localizedDescription)
            }
            if data.isEmpty { break }
            sawInput = true
            try data.withUnsafeBytes { raw in
                var input = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
                var produced = 0
                repeat {
                    produced = try output.withUnsafeMutableBytes { o in
                        var ob = ZSTD_outBuffer(dst: o.baseAddress, size: outSize, pos: 0)
                        let r = ZSTD_decompressStream(stream, &ob, &input)
                        if ZSTD_isError(r) != 0 {
                            throw EvalError.cannotRead(file: url.path, detail: "zstd: \(String(cString: ZSTD_getErrorName(r)))")
                        }
                        lastResult = r
                        return ob.pos
                    }
                    if produced > 0 { try output.withUnsafeBufferPointer { try out(UnsafeBufferPointer(rebasing: $0[0..<produced])) } }
                } while input.pos < input.size || produced == outSize
            }
        }
        guard sawInput, lastResult == 0 else {
            throw EvalError.cannotRead(file: url.path, detail: sawInput ? "zstd: the file ends inside a frame (truncated?)" : "empty file, not a zstd frame")
        }
    }
}

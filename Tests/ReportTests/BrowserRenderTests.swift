import CZlib
import Foundation
import Report
import Testing

/// Whether Debian's `chromium` is on PATH (the report's render test needs it; the bootstrap
/// script installs it with --with-browser).
enum Browser {
    static let path: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/chromium"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()
}

/// The report rendered by headless Chromium: a PNG of the stated size, no console errors,
/// and not blank (the decoded pixels are not all one colour).
@Suite("Report in a browser")
struct BrowserRenderTests {
    @Test("headless Chromium renders the suite report to a 1280 × 2000 PNG, no console errors, not blank",
          .enabled(if: Browser.path != nil, "needs Debian's chromium on PATH (absent); run scripts/bootstrap.sh --with-browser"),
          .timeLimit(.minutes(1)))
    func render() throws {
        let folder = try TestFolders.suite()
        let page = folder.appendingPathComponent("report.html")
        _ = try RunReport.write(RunReport.Options(folder: folder), to: page)
        let png = folder.appendingPathComponent("shot.png")
        let profile = folder.appendingPathComponent("profile")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Browser.path))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0",
                             "--screenshot=\(png.path)", "--window-size=1280,2000", page.absoluteString]
        let errPipe = Pipe()
        process.standardError = errPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(log)")
        #expect(!log.contains("Uncaught") && !log.contains("ERROR:CONSOLE"), "\(log)")
        let image = try PNGImage(Data(contentsOf: png))
        #expect(image.width == 1280 && image.height == 2000)
        #expect(image.distinctPixels > 16, "the screenshot is blank or nearly so (\(image.distinctPixels) colours)")
    }
}

/// A minimal PNG reader: IHDR, the IDAT stream inflated with zlib, the five filters undone;
/// enough to count distinct pixels of an 8-bit RGB or RGBA screenshot.
struct PNGImage {
    var width = 0, height = 0
    var distinctPixels = 0

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(_ data: Data) throws {
        let b = [UInt8](data)
        guard b.count > 33, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Failure(description: "not a PNG") }
        func u32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        var offset = 8, idat: [UInt8] = [], depth = 0, colorType = 0
        while offset + 8 <= b.count {
            let length = u32(offset), type = String(decoding: b[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let start = offset + 8
            guard start + length <= b.count else { throw Failure(description: "truncated chunk \(type)") }
            if type == "IHDR" {
                width = u32(start)
                height = u32(start + 4)
                depth = Int(b[start + 8])
                colorType = Int(b[start + 9])
            } else if type == "IDAT" {
                idat += b[start..<(start + length)]
            }
            offset = start + length + 4
        }
        guard depth == 8, colorType == 2 || colorType == 6 else { throw Failure(description: "depth \(depth), colour type \(colorType)") }
        let channels = colorType == 6 ? 4 : 3, stride = width * channels
        var raw = [UInt8](repeating: 0, count: (stride + 1) * height)
        var size = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            idat.withUnsafeBufferPointer { input in uncompress(out.baseAddress, &size, input.baseAddress, uLong(input.count)) }
        }
        guard status == Z_OK, Int(size) == raw.count else { throw Failure(description: "inflate failed (\(status))") }
        var previous = [UInt8](repeating: 0, count: stride), row = previous
        var colours = Set<UInt32>()
        for y in 0..<height {
            let base = y * (stride + 1), filter = raw[base]
            for x in 0..<stride {
                let a = x >= channels ? Int(row[x - channels]) : 0, up = Int(previous[x]), c = x >= channels ? Int(previous[x - channels]) : 0
                let v = Int(raw[base + 1 + x])
                let predicted: Int
                switch filter {
                case 1: predicted = a
                case 2: predicted = up
                case 3: predicted = (a + up) / 2
                case 4:
                    let p = a + up - c, pa = abs(p - a), pb = abs(p - up), pc = abs(p - c)
                    predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? up : c)
                default: predicted = 0
                }
                row[x] = UInt8((v + predicted) & 0xFF)
            }
            if y % 8 == 0 {
                for x in Swift.stride(from: 0, to: stride, by: channels * 4) {
                    colours.insert(UInt32(row[x]) << 16 | UInt32(row[x + 1]) << 8 | UInt32(row[x + 2]))
                }
            }
            previous = row
        }
        distinctPixels = colours.count
    }
}

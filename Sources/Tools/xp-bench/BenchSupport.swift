import Foundation

#if canImport(Glibc)
import Glibc
#endif

// What every benchmark area shares: statistics, memory and load readings, JSON output, and
// running the Python counterparts in Benchmarks/.

/// Median of `values` (mean of the two middle ones for an even count; NaN when empty).
func benchMedian(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Peak resident memory of this process (VmHWM), in MB.
func benchPeakRSSMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}

/// The one-minute load average (how busy the machine was while measuring), or −1.
func benchLoadAverage() -> Double {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) > 0 ? loads[0] : -1
}

/// User + system CPU seconds of this process, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

/// Pretty, key-sorted JSON of a benchmark report.
func benchJSON(_ object: [String: Any]) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// `Benchmarks/<name>` relative to the working directory (the package root), or nil.
func benchScript(_ name: String) -> String? {
    let path = FileManager.default.currentDirectoryPath + "/Benchmarks/" + name
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

/// The first executable called `name` on PATH.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs `exe` with `args` and returns its exit status and output: stdout and stderr together
/// (tools such as `ffmpeg -benchmark` report on stderr), or stdout alone with stderr dropped
/// (for JSON printed by the Python counterparts).
func runProcess(_ exe: String, _ args: [String], includeStderr: Bool = true) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = includeStderr ? pipe : FileHandle.nullDevice
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A Python interpreter that can import `modules` (e.g. "numpy, h5py"): `XP_PYTHON`, then
/// `python3` on PATH, then the system one (distribution packages such as python3-opencv
/// install there).
func findPython(importing modules: String) -> String? {
    var candidates: [String] = []
    if let p = ProcessInfo.processInfo.environment["XP_PYTHON"], !p.isEmpty { candidates.append(p) }
    if let p = findExecutable("python3") { candidates.append(p) }
    candidates.append("/usr/bin/python3")
    for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
        if let r = try? runProcess(c, ["-c", "import \(modules)"]), r.status == 0 { return c }
    }
    return nil
}

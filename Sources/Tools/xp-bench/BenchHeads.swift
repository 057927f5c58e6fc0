import ArgumentParser
import Foundation
import ToolSupport
import Heads
import XPCore

/// `xp-bench heads`: training speed of the heads on the reference suite's shapes, against the
/// same formulas in NumPy (`Benchmarks/heads.py`) when python3 with numpy is available.
struct BenchHeads: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: "Softmax regression, MLP and dual ridge on random data of the suite's shapes.",
        discussion: """
            Shapes: softmax 801 x 8546 -> 18 classes for 400 epochs; MLP 813 x 8546 -> 18 classes for \
            80 epochs; dual ridge 811 x 8546 -> 1260 targets. Reports medians over repeats after one \
            warm-up, sgemm rates measured in the same run, peak RSS and numpy/swift time ratios (and PyTorch/swift for the MLP when PyTorch is installed).

            Example:
              swift run -c release xp-bench heads --repeats 3
            """)

    @Option(parsing: .unconditional, help: "Timed repeats per workload (after one warm-up), in \(Bounds.text(Limits.repeats)).")
    var repeats = 3

    @Option(parsing: .unconditional, help: "Softmax epochs, in \(Bounds.text(Limits.epochs)).")
    var softmaxEpochs = 400

    @Option(parsing: .unconditional, help: "MLP epochs, in \(Bounds.text(Limits.epochs)).")
    var mlpEpochs = 80

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        static let repeats = 1...100
        static let epochs = 1...10_000
    }

    func validate() throws {
        try Bounds.check(repeats, "--repeats", in: Limits.repeats)
        try Bounds.check(softmaxEpochs, "--softmax-epochs", in: Limits.epochs)
        try Bounds.check(mlpEpochs, "--mlp-epochs", in: Limits.epochs)
    }

    @Option(help: "Path of Benchmarks/heads.py (default: found from the working directory or the source tree).")
    var pythonScript: String?

    @Flag(help: "Skip the Python comparison.")
    var noPython = false

    func run() throws {
        // Training alternates BLAS calls with its own two-thread passes; idle BLAS workers must
        // not poll the cores meanwhile (see BLASConfiguration.shortenIdleSpin).
        BLASConfiguration.shortenIdleSpin()
        var report: [String: Any] = ["area": "heads", "repeats": repeats, "warmup": 1,
                                     "blas_threads": BLASConfiguration.threads,
                                     "blas_thread_timeout": BLASConfiguration.threadTimeout]

        // Data (fixed seed): standard normal features, uniform labels.
        var rng = SeededGenerator(seed: 2024)
        let d = 8546, classes = 18
        func features(_ n: Int) throws -> Matrix { try Matrix(rows: n, cols: d, storage: rng.normalFloats(count: n * d)) }
        let xs = try features(801)
        let ys = (0..<801).map { _ in rng.integer(below: classes) }
        let xm = try features(813)
        let ym = (0..<813).map { _ in rng.integer(below: classes) }
        let xr = try features(811)
        let yr = try Matrix(rows: 811, cols: 1260, storage: rng.normalFloats(count: 811 * 1260))

        // sgemm reference rates: a big square GEMM and the two skinny GEMMs of a softmax epoch.
        let big = 2048
        let a = try Matrix(rows: big, cols: big, storage: rng.normalFloats(count: big * big))
        let bigTiming = try measure(repeats: repeats) { _ = try a.matmul(a) }
        let bigRate = 2 * pow(Double(big), 3) / bigTiming.median / 1e9
        let bigBestRate = 2 * pow(Double(big), 3) / bigTiming.best / 1e9
        let w = try Matrix(rows: d, cols: classes, storage: rng.normalFloats(count: d * classes))
        let g = try Matrix(rows: 801, cols: classes, storage: rng.normalFloats(count: 801 * classes))
        let wt = w.transposed()
        let skinnyLoops = 20
        // The pair in the n×C layout (X·W, Xᵀ·G) and in the C×n layout the direct solver uses
        // (Wᵀ·Xᵀ, Gᵀ·X): same flops, different BLAS kernels.
        let rowMajorPair = try measure(repeats: repeats) {
            for _ in 0..<skinnyLoops {
                _ = try xs.matmul(w)
                _ = try xs.matmul(g, transposeSelf: true)
            }
        }
        let skinnyPair = try measure(repeats: repeats) {
            for _ in 0..<skinnyLoops {
                _ = try wt.matmul(xs, transposeOther: true)
                _ = try g.matmul(xs, transposeSelf: true)
            }
        }
        let flopsPerEpoch = 2.0 * 2 * 801 * Double(d) * Double(classes)
        let skinnyRate = flopsPerEpoch * Double(skinnyLoops) / skinnyPair.median / 1e9
        let skinnyBestRate = flopsPerEpoch * Double(skinnyLoops) / skinnyPair.best / 1e9
        let rowMajorRate = flopsPerEpoch * Double(skinnyLoops) / rowMajorPair.median / 1e9
        var sgemmReport: [String: Any] = [
            "square_2048_gflops": round3(bigRate), "square_2048_gflops_best": round3(bigBestRate),
            "softmax_pair_cxn_layout_gflops": round3(skinnyRate), "softmax_pair_cxn_layout_gflops_best": round3(skinnyBestRate),
            "softmax_pair_nxc_layout_gflops": round3(rowMajorRate),
        ]

        // Softmax regression: the direct form (two skinny sgemm per epoch, as the reference) and
        // the default automatic choice, which is the Gram form at this shape.
        var sc = LinearHeadConfig.softmaxDefault
        sc.epochs = softmaxEpochs
        sc.solver = .direct
        let direct = try measure(repeats: repeats) {
            _ = try SoftmaxRegression.train(x: xs, labels: ys, classCount: classes, config: sc)
        }
        let directSeconds = direct.median
        let directRate = flopsPerEpoch * Double(softmaxEpochs) / directSeconds / 1e9
        let directBestRate = flopsPerEpoch * Double(softmaxEpochs) / direct.best / 1e9
        sc.solver = .automatic
        let resolved = sc.solver.resolved(n: 801, d: d, c: classes, epochs: softmaxEpochs)
        let softmaxTiming = try measure(repeats: repeats) {
            _ = try SoftmaxRegression.train(x: xs, labels: ys, classCount: classes, config: sc)
        }
        let softmaxSeconds = softmaxTiming.median, softmaxBest = softmaxTiming.best
        let effectiveRate = flopsPerEpoch * Double(softmaxEpochs) / softmaxSeconds / 1e9
        report["softmax"] = [
            "shape": "801x8546 -> 18", "epochs": softmaxEpochs,
            "direct": [
                "seconds": round3(directSeconds),
                "best_seconds": round3(direct.best),
                "gflops_two_gemms_per_epoch": round3(directRate),
                "fraction_of_square_sgemm": round3(directRate / bigRate),
                "fraction_of_same_shape_sgemm": round3(directRate / skinnyRate),
                "fraction_of_square_sgemm_best_vs_best": round3(directBestRate / bigBestRate),
                "fraction_of_same_shape_sgemm_best_vs_best": round3(directBestRate / skinnyBestRate),
            ],
            "default_solver": resolved.rawValue,
            "default": [
                "seconds": round3(softmaxSeconds),
                "effective_gflops_reference_count": round3(effectiveRate),
                "effective_fraction_of_square_sgemm": round3(effectiveRate / bigRate),
                "speedup_over_direct": round3(directSeconds / softmaxSeconds),
            ],
        ]

        // MLP classifier.
        var mc = MLPConfig()
        mc.epochs = mlpEpochs
        let mlpTiming = try measure(repeats: repeats) {
            _ = try MLP.train(x: xm, targets: .classes(ym, classCount: classes), config: mc)
        }
        let mlpSeconds = mlpTiming.median
        // GEMM flops per row and epoch as performed: two d-wide products (forward, and dA1ᵀ·xhat
        // which yields both the first-layer and the LayerNorm gradients) plus the 128-wide layers.
        // A straightforward backward (also forming dLn = dA1·W1) would do a third d-wide product.
        let h = 128.0, o = Double(classes)
        let performed = Double(mlpEpochs) * 813 * (4 * Double(d) * h + 6 * h * h + 6 * h * o)
        let straightforward = Double(mlpEpochs) * 813 * (6 * Double(d) * h + 6 * h * h + 6 * h * o)
        report["mlp"] = ["shape": "813x8546 -> 18", "epochs": mlpEpochs, "seconds": round3(mlpSeconds),
                         "best_seconds": round3(mlpTiming.best),
                         "fraction_of_square_sgemm_performed_best_vs_best": round3(performed / mlpTiming.best / 1e9 / bigBestRate),
                         "ms_per_epoch": round3(mlpSeconds / Double(mlpEpochs) * 1000),
                         "gflops_performed": round3(performed / mlpSeconds / 1e9),
                         "gflops_straightforward_count": round3(straightforward / mlpSeconds / 1e9),
                         "fraction_of_square_sgemm_performed": round3(performed / mlpSeconds / 1e9 / bigRate)]

        // Dual ridge (reference solve).
        let ridgeTiming = try measure(repeats: repeats) { _ = try RidgeRegression.fitReference(x: xr, y: yr, lambda: 10) }
        let ridgeSeconds = ridgeTiming.median
        // K = XaXaᵀ by syrk (n²(d+1) flops), W = Xaᵀα (2n(d+1)k), LU solve (2n³/3 + 2n²k).
        let n = 811.0, da = Double(d + 1), k = 1260.0
        let ridgeFlops = n * n * da + 2 * n * da * k + 2 * n * n * n / 3 + 2 * n * n * k
        report["ridge_dual"] = ["shape": "811x8546 -> 1260", "seconds": round3(ridgeSeconds), "best_seconds": round3(ridgeTiming.best),
                                "gflops": round3(ridgeFlops / ridgeSeconds / 1e9)]

        // The square sgemm again: on a shared machine the rate drifts during the run.
        let bigEnd = try measure(repeats: repeats) { _ = try a.matmul(a) }
        sgemmReport["square_2048_gflops_at_end"] = round3(2 * pow(Double(big), 3) / bigEnd.median / 1e9)
        report["sgemm"] = sgemmReport
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            report["load_average_at_end"] = String(load.split(separator: " ").prefix(3).joined(separator: " "))
        }

        // Python counterpart.
        if noPython {
            report["python"] = "skipped (--no-python)"
        } else if let script = locateScript() {
            report["python"] = runPython(script: script, repeats: repeats, swiftSeconds: [
                "softmax": softmaxSeconds, "mlp": mlpSeconds, "ridge_dual": ridgeSeconds,
            ], swiftBest: ["softmax": softmaxBest, "mlp": mlpTiming.best, "ridge_dual": ridgeTiming.best])
        } else {
            report["python"] = "Benchmarks/heads.py not found; pass --python-script"
        }
        report["peak_rss_mib"] = round3(benchPeakRSSMegabytes())
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Median and best wall time over `repeats` runs after one warm-up.
    struct Timing {
        var median: Double
        var best: Double
    }

    private func measure(repeats: Int, _ body: () throws -> Void) throws -> Timing {
        try body() // warm-up
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        let m = times.count / 2
        return Timing(median: times.count % 2 == 1 ? times[m] : (times[m - 1] + times[m]) / 2, best: times[0])
    }

    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    private func locateScript() -> String? {
        var candidates: [String] = []
        if let pythonScript { candidates.append(pythonScript) }
        candidates.append(FileManager.default.currentDirectoryPath + "/Benchmarks/heads.py")
        // Sources/Tools/xp-bench/BenchHeads.swift → package root is four levels up.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent("Benchmarks/heads.py").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    private func runPython(script: String, repeats: Int, swiftSeconds: [String: Double], swiftBest: [String: Double]) -> Any {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--repeats", String(repeats),
                             "--softmax-epochs", String(softmaxEpochs), "--mlp-epochs", String(mlpEpochs)]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return "python3 not runnable: \(error)" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              var result = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            return "python run failed (status \(process.terminationStatus)): \(String(decoding: errData.suffix(400), as: UTF8.self))"
        }
        var ratios: [String: Double] = [:], bestRatios: [String: Double] = [:]
        for (key, swift) in swiftSeconds {
            guard let entry = result[key] as? [String: Any] else { continue }
            if let seconds = entry["seconds"] as? Double { ratios[key] = round3(seconds / swift) }
            if let best = entry["best_seconds"] as? Double, let swiftB = swiftBest[key] { bestRatios[key] = round3(best / swiftB) }
        }
        result["ratio_numpy_over_swift"] = ratios
        result["ratio_numpy_over_swift_best_vs_best"] = bestRatios
        // PyTorch (the reference's own framework) for the MLP, when it is installed.
        if let entry = result["torch_mlp"] as? [String: Any], let swift = swiftSeconds["mlp"] {
            var torch: [String: Double] = [:]
            if let seconds = entry["seconds"] as? Double { torch["mlp"] = round3(seconds / swift) }
            if let best = entry["best_seconds"] as? Double, let swiftB = swiftBest["mlp"] { torch["mlp_best_vs_best"] = round3(best / swiftB) }
            result["ratio_torch_over_swift"] = torch
        }
        return result
    }

}

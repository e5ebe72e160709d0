#if canImport(Glibc)
import Glibc
#endif

/// A progress bar with rate and ETA on standard error, shown only when
/// standard error is a terminal and the run has lasted about a second, so
/// scripts and CI logs stay clean (cli.md). Redraws at most ten times a
/// second; `finish()` erases it.
///
/// `@unchecked Sendable`: a replay updates it from one of its threads; the
/// calls never overlap (one thread reports at a time, and `finish()` comes
/// after the replay returned), so no lock is needed.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let unit: Unit
    private let enabled: Bool
    private let start = ProgressBar.now()
    private var lastDraw = 0.0
    private var drawn = false

    /// How amounts are shown.
    enum Unit {
        case bytes, items(String)
    }

    init(_ label: String, unit: Unit) {
        self.label = label
        self.unit = unit
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` out of `total` (0 when unknown).
    func update(_ done: Int64, of total: Int64) {
        guard enabled else { return }
        let now = ProgressBar.now()
        let elapsed = now - start
        guard elapsed >= 1, now - lastDraw >= 0.1 else { return }
        lastDraw = now
        let rate = Double(done) / elapsed
        var line = "\r\u{1B}[2K\(label) "
        if total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
            line += "\(Int(fraction * 100))% "
        }
        line += "\(format(done)) at \(format(Int64(rate)))/s"
        if total > 0, rate > 0 {
            line += ", ETA \(Int((Double(total - done) / rate).rounded(.up)))s"
        }
        write(line)
        drawn = true
    }

    /// Erases the bar.
    func finish() {
        if drawn { write("\r\u{1B}[2K") }
    }

    private func format(_ amount: Int64) -> String {
        switch unit {
        case .bytes: return HumanFormat.bytes(amount)
        case .items(let noun): return "\(amount) \(noun)"
        }
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Seconds on the monotonic clock, for rates and elapsed times.
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

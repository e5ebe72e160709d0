import Foundation
import LedgerTestSupport
import PatientLedger

/// What one run of the built `ledger` executable did.
struct LedgerRun {
    var status: Int32
    var standardOutput: String
    var standardError: String

    var outputLines: [String] { standardOutput.split(separator: "\n").map(String.init) }
    var errorLines: [String] { standardError.split(separator: "\n").map(String.init) }
}

/// Runs the `ledger` executable that `swift test` built next to the test
/// bundle (`.build/<triple>/debug/ledger`) with `arguments`.
func runLedger(_ arguments: String...) throws -> LedgerRun {
    let scratch = TemporaryDirectory("ledger-run")
    let outPath = scratch.appending("stdout")
    let errPath = scratch.appending("stderr")
    writeFile(outPath, [])
    writeFile(errPath, [])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try ledgerExecutable())
    process.arguments = arguments
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    try process.run()
    process.waitUntilExit()
    return LedgerRun(status: process.terminationStatus,
                     standardOutput: String(decoding: readFile(outPath), as: UTF8.self),
                     standardError: String(decoding: readFile(errPath), as: UTF8.self))
}

struct MissingLedgerExecutable: Error, CustomStringConvertible {
    var directory: String
    var description: String { "no `ledger` executable in \(directory); build it with `swift build`" }
}

/// The path of the built `ledger`: in the directory of the running test binary.
func ledgerExecutable() throws -> String {
    let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
    // On Darwin the binary sits inside `X.xctest/Contents/MacOS/`.
    while directory.pathComponents.contains(where: { $0.hasSuffix(".xctest") }) {
        directory.deleteLastPathComponent()
    }
    let path = directory.appendingPathComponent("ledger").path
    guard FileManager.default.isExecutableFile(atPath: path) else { throw MissingLedgerExecutable(directory: directory.path) }
    return path
}

/// 2026-01-01T00:00:00Z in Unix epoch milliseconds.
let january1: Int64 = 1_767_225_600_000

/// A ledger directory written by the library: outpatient visits of patients
/// `P0`...`P96` (round robin) at `timestamps`, appended in batches of up to
/// 1,000 and closed cleanly (so the index snapshot is written too).
func makeLedger(timestamps: [Int64]) throws -> TemporaryDirectory {
    let directory = TemporaryDirectory("ledger-tool")
    let ledger = try Ledger.open(at: directory.path)
    var start = 0
    while start < timestamps.count {
        var batch: [PatientEvent] = []
        for i in start..<min(start + 1_000, timestamps.count) {
            batch.append(PatientEvent(patient: "P\(i % 97)", time: EventTime(millisecondsSince1970: timestamps[i]),
                                      id: "visit-\(i)", body: .visit(Visit(kind: .outpatient))))
        }
        try ledger.append(batch)
        start += 1_000
    }
    try ledger.close()
    return directory
}

/// A ledger of `count` records one second apart from 2026-01-01T00:00:00Z.
func makeLedger(count: Int) throws -> TemporaryDirectory {
    try makeLedger(timestamps: (0..<count).map { january1 + Int64($0) * 1000 })
}

/// The path of the log's first segment file.
func firstSegment(of ledger: TemporaryDirectory) -> String {
    ledger.appending("log/00000000000000000000.seg")
}

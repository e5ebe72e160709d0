#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PatientLedger

/// `ledger import LEDGER FILE...`: appends JSON Lines events
/// (``Ledger/importJSONLines(_:options:progress:)``).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append events from JSON Lines files (creates the ledger if absent).",
        discussion: """
            Each FILE holds one event per line in the interchange format of events.md;
            `-` reads standard input. By default every line of every file is checked
            first, and if any is invalid nothing is appended: each invalid line is
            reported on standard error as FILE:LINE: message (at most 100, then a
            count) and the exit status is 65. With --skip-invalid the valid lines are
            appended, the invalid ones reported the same way, and the status is 0.
            Events whose `id` is already in the ledger are acknowledged, not stored
            again, so an interrupted import can simply be run again.

            Prints `imported N events (M duplicates skipped)`.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, fhir }

    @OptionGroup var location: LedgerArgument

    @Argument(help: ArgumentHelp("JSON Lines files to import; - for standard input.", valueName: "FILE"))
    var files: [String]

    @Option(help: "The input format: jsonl (events.md). fhir is not available yet.")
    var format: Format = .jsonl

    @Flag(help: "Append the valid lines even when some are invalid.")
    var skipInvalid = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one FILE (or - for standard input)") }
        guard format == .jsonl else { throw ValidationError("--format fhir is not available in this version") }
    }

    func run() throws {
        let paths = location.paths
        var sources: [ImportSource] = []
        for file in files {
            sources.append(file == "-" ? .bytes(name: "-", readStandardInput()) : .file(file))
        }
        let ledger: Ledger
        do throws(LedgerError) {
            ledger = try Ledger.open(at: paths.root)
        } catch {
            throw failure(error, in: paths)
        }
        let bar = ProgressBar("importing", unit: .bytes)
        let report: ImportReport
        do throws(LedgerError) {
            report = try ledger.importJSONLines(sources, options: ImportOptions(skipInvalid: skipInvalid)) { done, total in
                bar.update(done, of: total)
            }
            bar.finish()
            try ledger.close()
        } catch {
            bar.finish()
            throw failure(error, in: paths)
        }
        for problem in report.problems { StandardError.writeLine(problem.description) }
        if report.invalidLines > report.problems.count {
            StandardError.writeLine("... and \(report.invalidLines - report.problems.count) more invalid lines")
        }
        if report.invalidLines > 0 && !skipInvalid {
            StandardError.report("nothing imported: \(report.invalidLines) invalid line\(report.invalidLines == 1 ? "" : "s")")
            throw ExitStatus.invalidData
        }
        print("imported \(report.imported) events (\(report.duplicates) duplicates skipped)")
    }

    private func readStandardInput() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n > 0 { bytes += chunk[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return bytes
    }
}

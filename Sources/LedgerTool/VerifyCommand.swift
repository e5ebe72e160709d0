import ArgumentParser
import PatientLedger

/// `ledger verify LEDGER`: checks every byte of the ledger's log with
/// ``SegmentLog/verify(at:)`` and reports each problem as `FILE:OFFSET: reason`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum, position continuity and index, and that every record is an event.",
        discussion: """
            Reads the whole log without modifying it (safe beside a running writer) and
            prints what it checked on standard output. Each problem goes to standard
            error as `FILE:OFFSET: reason`; notes, which are not damage (such as a torn
            tail the next writer's open will cut), as `note: FILE:OFFSET: reason`.

            Exit status: 0 when no problem was found (notes allowed), 1 when any was,
            74 when the ledger does not exist or cannot be read.
            """
    )

    @OptionGroup var location: LedgerArgument

    func run() throws {
        let paths = location.paths
        let report: VerificationReport
        let bar = ProgressBar("verifying", unit: .bytes)
        do {
            report = try SegmentLog.verify(at: paths.log) { checked, total in bar.update(checked, of: total) }
            bar.finish()
        } catch {
            bar.finish()
            throw failure(error, in: paths)
        }
        for problem in report.problems { StandardError.writeLine(problem.description) }
        for note in report.notes { StandardError.writeLine("note: " + note.description) }

        print("verified \(paths.log)")
        print(HumanFormat.table([
            ("segments", String(report.segments)),
            ("blocks", String(report.blocks)),
            ("records", String(report.records)),
            ("bytes", "\(HumanFormat.bytes(report.segmentBytes)) (\(report.segmentBytes) bytes)"),
            ("index entries", String(report.indexEntries)),
        ], indent: "  "))
        if !report.notes.isEmpty {
            print("\(count(report.notes.count, "note")) (not damage), on standard error")
        }
        guard report.isClean else {
            print("\(count(report.problems.count, "problem")) found, on standard error")
            throw ExitStatus.corruptionFound
        }
        // The bytes are sound; now every record must be an event.
        let events: EventVerificationReport
        let eventBar = ProgressBar("decoding events", unit: .items("events"))
        do throws(LedgerError) {
            events = try Ledger.verifyEvents(at: paths.root) { done, total in eventBar.update(Int64(done), of: Int64(total)) }
            eventBar.finish()
        } catch {
            eventBar.finish()
            throw failure(error, in: paths)
        }
        for problem in events.problems { StandardError.writeLine("\(paths.log): \(problem)") }
        print(HumanFormat.table([
            ("events decoded", String(events.records)),
            ("unrecognized types", "\(events.unrecognized) (written by a newer PatientLedger; carried, not damage)"),
        ], indent: "  "))
        guard events.problems.isEmpty else {
            print("\(count(events.problems.count, "record")) that \(events.problems.count == 1 ? "is" : "are") not an event, on standard error")
            throw ExitStatus.corruptionFound
        }
        print("no problems found")
    }

    private func count(_ n: Int, _ noun: String) -> String {
        n == 1 ? "1 \(noun)" : "\(n) \(noun)s"
    }
}

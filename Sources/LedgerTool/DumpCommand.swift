import ArgumentParser

import PatientLedger

/// `ledger dump LEDGER`: events as JSON Lines in the interchange format, in
/// log order (``Ledger/events(from:includingErased:)``).
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print events as JSON Lines (the interchange format), in log order.",
        discussion: """
            Writes the canonical form of events.md: keys in the specification's order,
            times in UTC. Events of a patient stored before their `erase` are left out;
            the erase records themselves are kept (the audit record). Importing a dump
            into an empty ledger gives an identical dump. Records written by a newer
            PatientLedger are printed as {"type":"unrecognized",...} lines, which
            import refuses. Opens the ledger read-only: safe beside a running writer.
            """
    )

    @OptionGroup var location: LedgerArgument

    @Option(help: "Start at this log position (0 is the first record).")
    var from: UInt64 = 0

    @Option(help: "Only this patient's events.")
    var patient: String?

    @Option(help: "Print at most N events.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() throws {
        let paths = location.paths
        var output = StandardOutput()
        do throws(LedgerError) {
            try dump(into: &output)
            output.flush()
        } catch {
            output.flush()
            throw failure(error, in: paths)
        }
    }

    private func dump(into output: inout StandardOutput) throws(LedgerError) {
        let ledger = try Ledger.open(at: location.paths.root, options: .readOnly)
        var printed = 0
        func emit(_ stored: StoredEvent) {
            output.withBuffer { buffer in
                EventJSON.append(stored.event, to: &buffer)
                buffer.append(UInt8(ascii: "\n"))
            }
            printed += 1
        }
        if let patient {
            for stored in try ledger.exportedEvents(of: patient, from: from) {
                if let limit, printed >= limit { break }
                emit(stored)
            }
        } else {
            let cursor = ledger.events(from: from)
            while limit.map({ printed < $0 }) ?? true, let stored = try cursor.next() { emit(stored) }
        }
    }
}

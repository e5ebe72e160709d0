import ArgumentParser
import PatientLedger

/// `ledger stats LEDGER [--json]`: size and content figures of a ledger, from
/// ``Ledger/statistics()`` on a read-only handle.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print counts, sizes, compression ratio and time span of a ledger.",
        discussion: """
            Opens the ledger read-only (safe beside a running writer) and reads only its
            indexes. Events are the records stored in the log (erased ones and erase
            records included); patients are those with a visible event. Times are UTC; a time
            outside years 0001-9999 prints as its millisecond count (null in JSON).

            With --json, one object on one line, with these keys in this order:
              events            number of events (records)
              patients          patients with at least one visible (not erased) event
              segments          number of segment files
              bytesOnDisk       bytes of the ledger's files (log and index)
              rawBytes          uncompressed block payload bytes
              compressionRatio  raw bytes over stored block bytes, or null
              firstTime         earliest event time, "YYYY-MM-DDTHH:MM:SS[.sss]Z", or null
              lastTime          latest event time, or null
            A missing value (an empty ledger) is null.
            """
    )

    @OptionGroup var location: LedgerArgument

    @Flag(help: "Print one JSON object with stable keys instead of a table.")
    var json = false

    func run() throws {
        let paths = location.paths
        let figures: LedgerStatistics
        do throws(LedgerError) {
            figures = try Ledger.open(at: paths.root, options: .readOnly).statistics()
        } catch {
            throw failure(error, in: paths)
        }
        print(json ? Self.json(figures) : Self.table(figures, paths: paths))
    }

    static func json(_ figures: LedgerStatistics) -> String {
        let stats = figures.log
        return JSONValue.object([
            ("events", .unsigned(stats.records)),
            ("patients", .integer(Int64(figures.patients))),
            ("segments", .integer(Int64(stats.segments))),
            ("bytesOnDisk", .integer(figures.bytesOnDisk)),
            ("rawBytes", .integer(stats.rawBytes)),
            ("compressionRatio", .optional(stats.compressionRatio, JSONValue.number)),
            ("firstTime", .optional(stats.firstTimestamp.flatMap(UTCTime.format), JSONValue.string)),
            ("lastTime", .optional(stats.lastTimestamp.flatMap(UTCTime.format), JSONValue.string)),
        ]).text
    }

    static func table(_ figures: LedgerStatistics, paths: LedgerPaths) -> String {
        let stats = figures.log
        func size(_ bytes: Int64) -> String { "\(HumanFormat.bytes(bytes)) (\(bytes) bytes)" }
        func time(_ millis: Int64?) -> String {
            guard let millis else { return "-" }
            return UTCTime.format(millis: millis) ?? "\(millis) ms since 1970 (outside years 0001-9999)"
        }
        return "ledger \(paths.root)\n" + HumanFormat.table([
            ("events", String(stats.records)),
            ("patients", String(figures.patients)),
            ("segments", String(stats.segments)),
            ("bytes on disk", size(figures.bytesOnDisk)),
            ("raw bytes", size(stats.rawBytes)),
            ("compression ratio", stats.compressionRatio.map { HumanFormat.fixed($0, places: 2) } ?? "-"),
            ("first time", time(stats.firstTimestamp)),
            ("last time", time(stats.lastTimestamp)),
        ], indent: "  ")
    }
}

import ArgumentParser
import PatientLedger

/// `ledger replay LEDGER [--as-of TIME] [--json]`: every projection rebuilt
/// from position 0 and the cohort summary, from ``Ledger/replay(asOf:progress:)``.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild every patient's projection from position 0 and print the cohort summary.",
        discussion: """
            Reads the whole log once without taking the writer's lock (an import may run
            beside it), folds every patient's state and replaces the projection checkpoint
            LEDGER/projections/patients.ckpt, which `ledger patient` then serves from. The
            as-of time T defaults to the largest time among the visible events (erase
            records included).

            With --json, one object on one line, keys in this order: asOf, events (records
            stored, erased events and erase records included), patients (existing as of T),
            erasedPatients, seconds, eventsPerSecond, metrics (returnVisitRate,
            followUpResponseRate, contentReadRate, contentCompletionRate, meanPDC,
            pdcAdherentShare, meanCheckinAdherence, satisfactionMean, nps; null when the
            denominator is empty) and tagCounts (keys sorted by code point).
            """
    )

    @OptionGroup var location: LedgerArgument

    @OptionGroup var asOf: AsOfArgument

    @Flag(help: "Print one JSON object with stable keys instead of a table.")
    var json = false

    func run() throws {
        let paths = location.paths
        let time = try asOf.time()
        let bar = ProgressBar("replaying", unit: .items("events"))
        let summary: ReplaySummary
        do throws(LedgerError) {
            let ledger = try Ledger.open(at: paths.root, options: .readOnlyWritingCheckpoints)
            summary = try ledger.replay(asOf: time) { done, total in bar.update(Int64(done), of: Int64(total)) }
        } catch {
            bar.finish()
            throw failure(error, in: paths)
        }
        bar.finish()
        print(json ? ProjectionJSON.replay(summary).text : Self.table(summary, paths: paths))
    }

    static func table(_ s: ReplaySummary, paths: LedgerPaths) -> String {
        let m = s.metrics
        var out = "ledger \(paths.root) as of \(s.asOf)\n" + HumanFormat.table([
            ("events", String(s.events)),
            ("patients", String(s.patients)),
            ("erased patients", String(s.erasedPatients)),
            ("seconds", HumanFormat.fixed(s.seconds, places: 3)),
            ("events per second", HumanFormat.fixed(s.eventsPerSecond, places: 0)),
        ], indent: "  ")
        out += "\nmetrics\n" + HumanFormat.table([
            ("return visit rate", ProjectionJSON.human(m.returnVisitRate)),
            ("follow-up response rate", ProjectionJSON.human(m.followUpResponseRate)),
            ("content read rate", ProjectionJSON.human(m.contentReadRate)),
            ("content completion rate", ProjectionJSON.human(m.contentCompletionRate)),
            ("mean PDC", ProjectionJSON.human(m.meanPDC)),
            ("PDC adherent share", ProjectionJSON.human(m.pdcAdherentShare)),
            ("mean check-in adherence", ProjectionJSON.human(m.meanCheckinAdherence)),
            ("satisfaction mean", ProjectionJSON.human(m.satisfactionMean)),
            ("NPS", m.nps.map { HumanFormat.fixed($0, places: 1) } ?? "-"),
        ], indent: "  ")
        let tags = CodePointOrder.sorted(m.tagCounts.keys)
        out += "\ntags\n"
        out += tags.isEmpty ? "  -" : HumanFormat.table(tags.map { ($0, String(m.tagCounts[$0]!)) }, indent: "  ")
        return out
    }
}

import ArgumentParser
import PatientLedger

/// `ledger patient LEDGER ID [--as-of TIME] [--json]`: one patient's
/// profile, tags and adherence, from ``Ledger/projection(of:asOf:)``.
struct PatientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patient",
        abstract: "Print one patient's profile, tags and adherence as of a time.",
        discussion: """
            Served from the projection checkpoint that `ledger replay` writes, caught up with
            the events stored since (no replay; the checkpoint is rewritten when the catch-up
            was long, and rebuilt, with a note on standard error, when it is missing or
            damaged). For a T before the patient's latest event, only that patient's events
            are read again, through the per-patient index. The as-of time T defaults to the
            largest time among the ledger's visible events. An unknown or erased patient (or
            one with no event at or before T): exit 65 and `no such patient: ID`.

            With --json, one object on one line with the keys of cli.md in its order; lists
            and dictionary keys sorted by code point, a missing value null.
            """
    )

    @OptionGroup var location: LedgerArgument

    @Argument(help: ArgumentHelp("The patient id.", valueName: "ID"))
    var patient: String

    @OptionGroup var asOf: AsOfArgument

    @Flag(help: "Print one JSON object with stable keys instead of a table.")
    var json = false

    func run() throws {
        let paths = location.paths
        let time = try asOf.time()
        let projection: PatientProjection
        do throws(LedgerError) {
            projection = try Ledger.open(at: paths.root, options: .readOnlyWritingCheckpoints).projection(of: patient, asOf: time)
        } catch {
            if error.kind == .notFound && error.path == nil {
                StandardError.report(error.message)
                throw ExitStatus.invalidData
            }
            throw failure(error, in: paths)
        }
        print(json ? ProjectionJSON.patient(projection).text : Self.table(projection))
    }

    static func table(_ p: PatientProjection) -> String {
        let profile = p.profile
        func t(_ time: EventTime?) -> String { time?.description ?? "-" }
        func list(_ items: [String]) -> String { items.isEmpty ? "-" : CodePointOrder.sorted(items).joined(separator: ", ") }
        let byKind = CodePointOrder.sorted(profile.visits.byKind.keys.map(\.rawValue))
            .map { kind in "\(kind) \(profile.visits.byKind[VisitKind(rawValue: kind)!]!)" }
        let pdc = CodePointOrder.sorted(p.adherence.pdc.keys)
            .map { "\($0) \(ProjectionJSON.human(p.adherence.pdc[$0]!))" }
        let a = profile.appointments
        let c = profile.consent
        return "patient \(p.patient) as of \(p.asOf)\n" + HumanFormat.table([
            ("sex", profile.sex?.rawValue ?? "-"),
            ("birth year", profile.birthYear.map(String.init) ?? "-"),
            ("conditions", list(profile.conditions)),
            ("condition groups", list(profile.conditionGroups.map(\.rawValue))),
            ("visits", "\(profile.visits.count) (first \(t(profile.visits.first)), last \(t(profile.visits.last)))"),
            ("visits by kind", byKind.isEmpty ? "-" : byKind.joined(separator: ", ")),
            ("appointments", "scheduled \(a.scheduled.count), attended \(a.attended.count), no-show \(a.noshow.count), cancelled \(a.cancelled.count)"),
            ("next appointment", t(profile.nextAppointment)),
            ("messages", "outbound \(profile.messages.outbound), inbound \(profile.messages.inbound), last outbound \(t(profile.messages.lastOutbound))"),
            ("reads", "\(profile.reads.count) (contents \(profile.reads.contents), completed \(profile.reads.completed))"),
            ("check-ins", String(profile.checkins.count)),
            ("surveys", String(profile.surveys.count)),
            ("consent", "messaging \(c.messaging), research \(c.research), sharing \(c.sharing)"),
            ("programs", list(profile.programs)),
            ("tags", list(p.tags)),
            ("PDC", pdc.isEmpty ? "-" : pdc.joined(separator: ", ")),
            ("check-in adherence", ProjectionJSON.human(p.adherence.checkinAdherence)),
            ("follow-up response rate", ProjectionJSON.human(p.adherence.followUpResponseRate)),
            ("content read rate", ProjectionJSON.human(p.adherence.contentReadRate)),
            ("content completion rate", ProjectionJSON.human(p.adherence.contentCompletionRate)),
        ], indent: "  ")
    }
}

import ArgumentParser
import PatientLedger

/// Shared pieces of `ledger replay` and `ledger patient`: the `--as-of`
/// option and the JSON of projections (cli.md).
/// The `--as-of TIME` option of `replay` and `patient`.
struct AsOfArgument: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The as-of time T, e.g. 2026-03-01T00:00:00Z.", valueName: "TIME"))
    var asOf: String?

    /// The `--as-of` value as a time, nil when absent; a bad one reports and exits 64.
    func time() throws -> EventTime? {
        guard let asOf else { return nil }
        do throws(EventValidationError) {
            return try EventTime(parsing: asOf)
        } catch {
            StandardError.report("bad --as-of time '\(asOf)': \(error)")
            throw ExitStatus.usage
        }
    }
}

enum ProjectionJSON {
    static func time(_ t: EventTime) -> JSONValue { .string(t.description) }
    static func time(_ t: EventTime?) -> JSONValue { .optional(t) { .string($0.description) } }

    /// Integral values within ±2^53 as ints, others as numbers (as events.md prints them).
    static func value(_ x: Double) -> JSONValue {
        if x.isFinite && x.magnitude <= 9_007_199_254_740_992 && x == x.rounded(.towardZero) { return .integer(Int64(x)) }
        return .number(x)
    }

    /// A rate or mean: always a JSON number (`1.0`), null when missing.
    static func rate(_ x: Double?) -> JSONValue { .optional(x, JSONValue.number) }

    static func strings(_ list: some Sequence<String>) -> JSONValue { .array(CodePointOrder.sorted(list).map(JSONValue.string)) }

    static func object<V>(_ dictionary: [String: V], _ transform: (V) -> JSONValue) -> JSONValue {
        .object(CodePointOrder.sorted(dictionary.keys).map { ($0, transform(dictionary[$0]!)) })
    }

    static func checkinValues(_ values: CheckinValues) -> JSONValue {
        switch values {
        case .bp(let s, let d): .object([("systolic", value(s)), ("diastolic", value(d))])
        case .glucose(let v): .object([("mmol", value(v))])
        case .weight(let v): .object([("kg", value(v))])
        case .steps(let v): .object([("count", value(v))])
        case .heartrate(let v): .object([("bpm", value(v))])
        case .habit(let v): .object([("done", value(v))])
        }
    }

    static func patient(_ p: PatientProjection) -> JSONValue {
        let profile = p.profile
        let v = profile.visits
        let a = profile.appointments
        let checkins = Dictionary(uniqueKeysWithValues: profile.checkins.latest.map { ($0.key.rawValue, $0.value) })
        return .object([
            ("patient", .string(p.patient)),
            ("asOf", time(p.asOf)),
            ("sex", .optional(profile.sex) { .string($0.rawValue) }),
            ("birthYear", .optional(profile.birthYear) { .integer(Int64($0)) }),
            ("conditions", strings(profile.conditions)),
            ("conditionGroups", strings(profile.conditionGroups.map(\.rawValue))),
            ("visits", .object([
                ("count", .integer(Int64(v.count))),
                ("first", time(v.first)),
                ("last", time(v.last)),
                ("byKind", object(Dictionary(uniqueKeysWithValues: v.byKind.map { ($0.key.rawValue, $0.value) })) { .integer(Int64($0)) }),
            ])),
            ("appointments", .object([
                ("scheduled", strings(a.scheduled)),
                ("attended", strings(a.attended)),
                ("noshow", strings(a.noshow)),
                ("cancelled", strings(a.cancelled)),
            ])),
            ("nextAppointment", time(profile.nextAppointment)),
            ("messages", .object([
                ("outbound", .integer(Int64(profile.messages.outbound))),
                ("inbound", .integer(Int64(profile.messages.inbound))),
                ("lastOutbound", time(profile.messages.lastOutbound)),
            ])),
            ("reads", .object([
                ("count", .integer(Int64(profile.reads.count))),
                ("contents", .integer(Int64(profile.reads.contents))),
                ("completed", .integer(Int64(profile.reads.completed))),
            ])),
            ("checkins", .object([
                ("count", .integer(Int64(profile.checkins.count))),
                ("latest", object(checkins) { .object([("time", time($0.time)), ("values", checkinValues($0.values))]) }),
            ])),
            ("surveys", .object([
                ("count", .integer(Int64(profile.surveys.count))),
                ("latest", object(profile.surveys.latest) { .object([("time", time($0.time)), ("score", .optional($0.score, value))]) }),
            ])),
            ("consent", .object([
                ("messaging", .bool(profile.consent.messaging)),
                ("research", .bool(profile.consent.research)),
                ("sharing", .bool(profile.consent.sharing)),
            ])),
            ("programs", strings(profile.programs)),
            ("tags", strings(p.tags)),
            ("adherence", .object([
                ("pdc", object(p.adherence.pdc) { rate($0) }),
                ("checkinAdherence", rate(p.adherence.checkinAdherence)),
                ("followUpResponseRate", rate(p.adherence.followUpResponseRate)),
                ("contentReadRate", rate(p.adherence.contentReadRate)),
                ("contentCompletionRate", rate(p.adherence.contentCompletionRate)),
            ])),
        ])
    }

    static func metrics(_ m: CohortMetrics) -> JSONValue {
        .object([
            ("returnVisitRate", rate(m.returnVisitRate)),
            ("followUpResponseRate", rate(m.followUpResponseRate)),
            ("contentReadRate", rate(m.contentReadRate)),
            ("contentCompletionRate", rate(m.contentCompletionRate)),
            ("meanPDC", rate(m.meanPDC)),
            ("pdcAdherentShare", rate(m.pdcAdherentShare)),
            ("meanCheckinAdherence", rate(m.meanCheckinAdherence)),
            ("satisfactionMean", rate(m.satisfactionMean)),
            ("nps", rate(m.nps)),
        ])
    }

    static func replay(_ s: ReplaySummary) -> JSONValue {
        .object([
            ("asOf", time(s.asOf)),
            ("events", .unsigned(s.events)),
            ("patients", .integer(Int64(s.patients))),
            ("erasedPatients", .integer(Int64(s.erasedPatients))),
            ("seconds", .number(s.seconds)),
            ("eventsPerSecond", .number(s.eventsPerSecond)),
            ("metrics", metrics(s.metrics)),
            ("tagCounts", object(s.metrics.tagCounts) { .integer(Int64($0)) }),
        ])
    }

    /// A rate for a table: fixed with four places, `-` when missing.
    static func human(_ x: Double?) -> String { x.map { HumanFormat.fixed($0, places: 4) } ?? "-" }
}

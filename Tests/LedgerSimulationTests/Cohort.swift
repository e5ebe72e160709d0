import LedgerEvents
import LedgerSimulation

/// The 2,000-patient, 365-day cohort most tests look at, generated once.
enum Cohort {
    static let generated: (events: [PatientEvent], summary: CohortSummary) = {
        var events: [PatientEvent] = []
        events.reserveCapacity(100_000)
        let summary = CohortGenerator(patients: 2000, days: 365, seed: 1).generate { events.append($0) }
        return (events, summary)
    }()

    static var events: [PatientEvent] { generated.events }
    static var summary: CohortSummary { generated.summary }

    /// Each event once (re-sent copies dropped), per patient, in time order
    /// (ties in arrival order).
    static let byPatient: [String: [PatientEvent]] = {
        var seen = Set<String>()
        var result: [String: [PatientEvent]] = [:]
        for e in events {
            if let id = e.id {
                if seen.contains(id) { continue }
                seen.insert(id)
            }
            result[e.patient, default: []].append(e)
        }
        for key in result.keys {
            result[key] = result[key]!.enumerated()
                .sorted { $0.element.time < $1.element.time || ($0.element.time == $1.element.time && $0.offset < $1.offset) }
                .map(\.element)
        }
        return result
    }()

    /// The condition group of an ICD-10 code (metrics.md), or nil.
    static func group(_ code: String) -> String? {
        let head = String(code.filter { $0 != "." }.prefix(3))
        switch head {
        case "E10"..."E14": return "diabetes"
        case "I10"..."I16": return "hypertension"
        case "I20"..."I25": return "coronary"
        case "I50": return "heart-failure"
        case "N18": return "ckd"
        case "J44": return "copd"
        case "J45": return "asthma"
        case "C00"..."C97": return "cancer"
        case "E00"..."E07": return "thyroid"
        case "F32"..."F33": return "depression"
        case "O00"..."O9A", "Z33"..."Z34": return "pregnancy"
        default: return nil
        }
    }
}

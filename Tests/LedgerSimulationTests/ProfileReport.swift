import Testing
import LedgerEvents
import LedgerSimulation

/// Prints the 2,000-patient cohort's profile (the figures of Docs/CohortModel.md).
@Suite struct ProfileReport {
    @Test func printProfile() {
        let s = Cohort.summary
        var out: [String] = []
        out.append("events \(s.events) distinct \(s.distinctEvents) patients \(s.patients) per patient \(Double(s.events) / Double(s.patients))")
        out.append("re-sent \(s.duplicates) delayed \(s.delayed) outOfOrder \(s.outOfOrder) withoutId \(s.withoutId)")
        for (t, n) in s.eventsByType.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            out.append("  \(t): \(n) (\(Double(n) / Double(s.patients)) per patient)")
        }
        var groups: [String: Set<String>] = [:]
        var visitKinds: [String: Int] = [:]
        var purposes: [String: Int] = [:]
        var programs: [String: Int] = [:]
        var surveys: [String: Int] = [:]
        var delivered: [String: Set<String>] = [:], read: [String: Set<String>] = [:]
        var channels: [String: Int] = [:]
        for e in Cohort.events {
            switch e.body {
            case .register(let r): for c in r.conditions ?? [] { if let g = Cohort.group(c) { groups[g, default: []].insert(e.patient) } }
            case .visit(let v):
                visitKinds[v.kind.rawValue, default: 0] += 1
                for c in v.diagnoses ?? [] { if let g = Cohort.group(c) { groups[g, default: []].insert(e.patient) } }
            case .message(let m):
                purposes[m.purpose?.rawValue ?? "inbound", default: 0] += 1
                channels[m.channel.rawValue, default: 0] += 1
                if m.direction == .outbound, let c = m.content { delivered[c, default: []].insert(e.patient) }
            case .read(let r): read[r.content, default: []].insert(e.patient)
            case .enroll(let en): programs[en.program, default: 0] += 1
            case .survey(let v): surveys[v.survey, default: 0] += 1
            default: break
            }
        }
        out.append("prevalence: " + groups.sorted { $0.value.count > $1.value.count }.map { "\($0.key) \(Double($0.value.count) / 20)%" }.joined(separator: ", "))
        out.append("visits: \(visitKinds.sorted { $0.key < $1.key })")
        out.append("messages: \(purposes.sorted { $0.key < $1.key })")
        out.append("channels: \(channels.sorted { $0.key < $1.key })")
        out.append("enrolments: \(programs.sorted { $0.key < $1.key })")
        out.append("surveys: \(surveys.sorted { $0.key < $1.key })")
        let rates = delivered.map { ($0.key, Double($0.value.intersection(read[$0.key] ?? []).count) / Double($0.value.count), $0.value.count) }
        out.append("read rates: " + rates.sorted { $0.0 < $1.0 }.map { "\($0.0) \(Int($0.1 * 100))% of \($0.2)" }.joined(separator: ", "))
        print(out.map { "ProfileReport: " + $0 }.joined(separator: "\n"))
    }
}

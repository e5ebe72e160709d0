import Testing
import LedgerEvents
import LedgerSimulation

@Suite struct DeterminismTests {
    static func run(_ generator: CohortGenerator) -> ([PatientEvent], CohortSummary) {
        var events: [PatientEvent] = []
        let summary = generator.generate { events.append($0) }
        return (events, summary)
    }

    @Test func sameArgumentsGiveTheSameSequence() {
        let a = Self.run(CohortGenerator(patients: 300, days: 120, seed: 42))
        let b = Self.run(CohortGenerator(patients: 300, days: 120, seed: 42))
        #expect(a.0.count > 3_000)
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
    }

    @Test func anotherSeedGivesAnotherCohort() {
        let a = Self.run(CohortGenerator(patients: 300, days: 120, seed: 42)).0
        let b = Self.run(CohortGenerator(patients: 300, days: 120, seed: 43)).0
        #expect(a != b)
        // Not merely shifted: the registers themselves differ.
        let registersA = a.filter { $0.type == .register }.map(render)
        let registersB = b.filter { $0.type == .register }.map(render)
        #expect(Set(registersA) != Set(registersB))
    }

    @Test func anotherEndMovesTheWindow() {
        let end = EventTime(millisecondsSince1970: EventTimeFormat.days(year: 2024, month: 12, day: 31) * 86_400_000 + 86_399_999)
        let generator = CohortGenerator(patients: 50, days: 30, seed: 1, end: end)
        let events = Self.run(generator).0
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { $0.time >= generator.start && $0.time <= end })
        #expect(generator.start.description == "2024-12-02T00:00:00Z")
    }

    /// A patient's events come from their own random streams: generating more
    /// patients does not change the first ones' events (only how the upstream
    /// delays and re-sends interleave them).
    @Test func aPatientsEventsDoNotDependOnTheCohortSize() {
        func distinct(_ events: [PatientEvent], patients: Int) -> [String] {
            Set(events.filter { Int($0.patient.dropFirst())! <= patients }.map(render)).sorted()
        }
        let small = Self.run(CohortGenerator(patients: 40, days: 90, seed: 9)).0
        let large = Self.run(CohortGenerator(patients: 120, days: 90, seed: 9)).0
        #expect(distinct(small, patients: 40) == distinct(large, patients: 40))
    }

    @Test func emptyAndTinyCohorts() {
        let none = Self.run(CohortGenerator(patients: 0, days: 10))
        #expect(none.0.isEmpty)
        #expect(none.1.events == 0 && none.1.patients == 0)
        let one = Self.run(CohortGenerator(patients: 1, days: 1, seed: 3))
        #expect(one.1.events == one.0.count)
        #expect(one.0.allSatisfy { $0.patient == "P000001" })
    }

    @Test func anErrorFromTheReaderStopsGeneration() {
        struct Stop: Error {}
        var count = 0
        #expect(throws: Stop.self) {
            try CohortGenerator(patients: 100, days: 60).generate { _ in
                count += 1
                if count == 500 { throw Stop() }
            }
        }
        #expect(count == 500)
    }
}

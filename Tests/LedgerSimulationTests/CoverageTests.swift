import Testing
import LedgerEvents
import LedgerSimulation

/// The 2,000-patient, 365-day cohort uses every event type, every optional
/// key (present and absent) and every enumerated value of events.md.
@Suite struct CoverageTests {
    @Test func everyEventTypeAppears() {
        let types = Set(Cohort.events.map(\.type))
        for type in EventType.allCases { #expect(types.contains(type), "\(type)") }
        for type in EventType.allCases { #expect(Cohort.summary.count(of: type) == Cohort.events.filter { $0.type == type }.count) }
        #expect(Cohort.summary.events == Cohort.events.count)
        #expect(Cohort.summary.patients == 2000)
    }

    @Test func everyOptionalKeyAndValueAppears() {
        var seen = Set<String>()
        func mark(_ key: String, _ present: Bool) { seen.insert(key + (present ? "+" : "-")) }
        for e in Cohort.events {
            mark("id", e.id != nil)
            mark("actor", e.actor != nil)
            switch e.body {
            case .register(let r):
                mark("sex", r.sex != nil); mark("birthYear", r.birthYear != nil); mark("conditions", r.conditions != nil)
                if let s = r.sex { seen.insert("sex=" + s.rawValue) }
            case .visit(let v):
                seen.insert("kind=" + v.kind.rawValue)
                mark("department", v.department != nil); mark("diagnoses", v.diagnoses != nil)
                mark("appointment", v.appointment != nil); mark("discharge", v.discharge != nil)
            case .appointment(let a):
                seen.insert("status=" + a.status.rawValue)
                mark("scheduledFor", a.scheduledFor != nil)
            case .message(let m):
                seen.insert("direction=" + m.direction.rawValue)
                seen.insert("channel=" + m.channel.rawValue)
                if let p = m.purpose { seen.insert("purpose=" + p.rawValue) }
                mark("content", m.content != nil); mark("survey", m.survey != nil); mark("journey", m.journeyStep != nil)
            case .read(let r):
                mark("read.message", r.message != nil)
                if r.progress >= 0.9 { seen.insert("read.complete") } else { seen.insert("read.partial") }
            case .checkin(let c):
                seen.insert("metric=" + c.metric.rawValue)
                mark("program", c.program != nil)
            case .survey(let s):
                seen.insert("survey=" + s.survey)
                mark("score", s.score != nil); mark("survey.message", s.message != nil)
                if s.answers.isEmpty { seen.insert("answers.empty") }
            case .dispense(let d):
                seen.insert("daysSupply=\(d.daysSupply)")
            case .consent(let c):
                seen.insert("scope=\(c.scope.rawValue):\(c.granted)")
            case .enroll(let en):
                switch en.plan {
                case .checkin(_, let every): seen.insert("everyDays=\(every)")
                case .journey: seen.insert("enroll=journey")
                }
            case .tag(let t):
                seen.insert("op=" + t.op.rawValue)
            default:
                break
            }
        }
        var expected: [String] = []
        for key in ["id", "actor", "sex", "birthYear", "conditions", "department", "diagnoses", "appointment", "discharge",
                    "scheduledFor", "content", "survey", "journey", "read.message", "program", "score", "survey.message"] {
            expected += [key + "+", key + "-"]
        }
        expected += Sex.allCases.map { "sex=" + $0.rawValue }
        expected += VisitKind.allCases.map { "kind=" + $0.rawValue }
        expected += AppointmentStatus.allCases.map { "status=" + $0.rawValue }
        expected += Direction.allCases.map { "direction=" + $0.rawValue }
        expected += Channel.allCases.map { "channel=" + $0.rawValue }
        expected += Purpose.allCases.map { "purpose=" + $0.rawValue }
        expected += Metric.allCases.map { "metric=" + $0.rawValue }
        expected += ["phq9", "satisfaction", "nps", "gad7", "cat", "intake"].map { "survey=" + $0 }
        expected += ConsentScope.allCases.flatMap { ["scope=\($0.rawValue):true", "scope=\($0.rawValue):false"] }
        expected += ["daysSupply=30", "daysSupply=90", "everyDays=1", "everyDays=7", "enroll=journey", "op=add", "op=remove",
                     "read.complete", "read.partial", "answers.empty"]
        let missing = expected.filter { !seen.contains($0) }
        #expect(missing.isEmpty, "missing: \(missing)")
    }

    @Test func journeysOfTheRoadmap() {
        // Cardiology discharge -> day 3 care, day 7 rehab video, day 30
        // satisfaction survey, day 90 return-visit reminder.
        var cardioSteps: [Int: Set<String>] = [:]
        var enrolled = 0
        for (_, events) in Cohort.byPatient {
            var start: EventTime?
            for e in events {
                if case .enroll(let en) = e.body, en.program == "cardio-discharge", case .journey = en.plan {
                    start = e.time
                    enrolled += 1
                }
                if case .message(let m) = e.body, let js = m.journeyStep, js.journey == "cardio-discharge", let s = start {
                    let day = Int(e.time.day - s.day)
                    cardioSteps[js.step, default: []].insert("\(day):\(m.purpose!.rawValue):\(m.content ?? m.survey ?? "")")
                }
            }
        }
        #expect(enrolled >= 5)
        #expect(cardioSteps[1] == ["3:care:"])
        #expect(cardioSteps[2] == ["7:education:rehab-video-1"])
        #expect(cardioSteps[3] == ["30:survey:satisfaction"])
        #expect(cardioSteps[4] == ["90:reminder:"])
    }
}

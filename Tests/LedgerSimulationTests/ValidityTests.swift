import Testing
import LedgerEvents
import LedgerSimulation

/// The generated events obey events.md (the rules checkable without the
/// validator) and are consistent with each other.
@Suite struct ValidityTests {
    @Test func everyEventObeysTheEventRules() {
        var broken: [String] = []
        for e in Cohort.events {
            let v = violations(e)
            if !v.isEmpty && broken.count < 20 { broken.append("\(v): \(render(e))") }
        }
        #expect(broken.isEmpty, "\(broken.joined(separator: "\n"))")
    }

    @Test func patientIdsAndEventIds() {
        let patients = Set(Cohort.events.map(\.patient))
        #expect(patients.count == 2000)
        #expect(patients.allSatisfy { $0.count == 7 && $0.hasPrefix("P") && $0.dropFirst().allSatisfy(\.isNumber) })
        #expect(patients.contains("P000001") && patients.contains("P002000"))
        // Most events carry an id; an id names one event only (a re-send is an exact copy).
        var byId: [String: PatientEvent] = [:]
        var withId = 0
        for e in Cohort.events {
            guard let id = e.id else { continue }
            withId += 1
            #expect(id.hasPrefix("e-" + e.patient + "-"))
            if let first = byId[id] { #expect(first == e) } else { byId[id] = e }
        }
        let share = Double(withId) / Double(Cohort.events.count)
        #expect(share > 0.9 && share < 0.99)
    }

    @Test func timesLieInTheWindowWithRealisticHours() {
        let start = CohortGenerator(patients: 1).start
        let end = CohortGenerator.defaultEnd
        var clinic = 0, clinicTotal = 0, withMilliseconds = 0
        for e in Cohort.events {
            #expect(e.time >= start && e.time <= end)
            if e.time.millisecondsSince1970 % 1000 != 0 { withMilliseconds += 1 }
            if case .visit(let v) = e.body, v.kind == .outpatient || v.kind == .checkup {
                clinicTotal += 1
                let hour = e.time.millisecondsSince1970 % 86_400_000 / 3_600_000
                if (7...17).contains(hour) { clinic += 1 }
            }
        }
        #expect(clinic == clinicTotal)
        #expect(withMilliseconds > Cohort.events.count / 10 && withMilliseconds < Cohort.events.count * 9 / 10)
    }

    @Test func everyPatientHistoryStartsWithARegister() {
        for (patient, events) in Cohort.byPatient {
            #expect(events.first?.type == .register, "\(patient)")
            // After an erase, a new history starts with a register too.
            for (i, e) in events.enumerated() where e.type == .erase && i + 1 < events.count {
                #expect(events[i + 1].type == .register, "\(patient) after erase")
            }
        }
    }

    @Test func scheduledAppointmentsAndVisits() {
        for (patient, events) in Cohort.byPatient {
            var booked = Set<String>()
            for e in events {
                switch e.body {
                case .appointment(let a):
                    if a.status == .scheduled {
                        #expect(a.scheduledFor! > e.time, "\(patient)")
                        booked.insert(a.appointment)
                    } else {
                        #expect(booked.contains(a.appointment), "\(patient): \(a.status) of an unknown appointment")
                    }
                case .visit(let v):
                    if let id = v.appointment, id.hasPrefix("a-") { #expect(booked.contains(id), "\(patient)") }
                    if let d = v.discharge { #expect(v.kind == .inpatient && d > e.time) }
                    if v.kind == .inpatient { #expect(v.discharge != nil) }
                default:
                    break
                }
            }
        }
    }

    @Test func messagesReadsAndSurveysReferToEachOther() {
        let journeySteps = ["cardio-discharge": 4, "general-discharge": 2]
        for (patient, events) in Cohort.byPatient {
            var outbound: [String: Message] = [:]
            var enrolledJourneys = Set<String>()
            for e in events {
                switch e.body {
                case .message(let m):
                    #expect(outbound[m.message] == nil, "\(patient): message id reused")
                    if m.direction == .outbound {
                        #expect(m.purpose != nil)
                        outbound[m.message] = m
                    } else {
                        #expect(m.purpose == nil && m.content == nil && m.survey == nil && m.journeyStep == nil)
                    }
                    if let js = m.journeyStep {
                        #expect(js.step >= 1 && js.step <= journeySteps[js.journey]!)
                        #expect(enrolledJourneys.contains(js.journey), "\(patient): step of a journey not enrolled")
                    }
                    if m.purpose == .survey { #expect(m.survey != nil) }
                    if m.purpose == .education || m.purpose == .marketing { #expect(m.content != nil) }
                case .read(let r):
                    if let id = r.message {
                        #expect(outbound[id]?.content == r.content, "\(patient): read names \(id)")
                    }
                case .survey(let s):
                    if let id = s.message {
                        #expect(outbound[id]?.survey == s.survey, "\(patient): survey names \(id)")
                    }
                case .enroll(let en):
                    if case .journey = en.plan { enrolledJourneys.insert(en.program) }
                case .unenroll(let u):
                    enrolledJourneys.remove(u.program)
                default:
                    break
                }
            }
        }
    }

    /// Nothing is sent to a patient who withdrew messaging consent (until
    /// they grant it again): what ROADMAP item 1 asks of journeys.
    @Test func noOutboundMessageWhileMessagingIsWithdrawn() {
        var withdrawals = 0
        for (patient, events) in Cohort.byPatient {
            var allowed = true
            for e in events {
                switch e.body {
                case .consent(let c) where c.scope == .messaging:
                    if !c.granted { withdrawals += 1 }
                    allowed = c.granted
                case .message(let m) where m.direction == .outbound:
                    #expect(allowed, "\(patient): \(render(e))")
                case .erase:
                    allowed = true
                default:
                    break
                }
            }
        }
        #expect(withdrawals > 5)
    }

    @Test func checkinPlansAreEnrolledBeforeTheirCheckinsNameThem() {
        for (patient, events) in Cohort.byPatient {
            var metricOf: [String: Metric] = [:]
            for e in events {
                switch e.body {
                case .enroll(let en):
                    if case .checkin(let metric, _) = en.plan { metricOf[en.program] = metric }
                case .checkin(let c):
                    if let p = c.program { #expect(metricOf[p] == c.metric, "\(patient): \(render(e))") }
                default:
                    break
                }
            }
        }
    }
}

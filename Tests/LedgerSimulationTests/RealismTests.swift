import Testing
import LedgerEvents
import LedgerSimulation

/// The cohort exercises the rules of metrics.md with realistic rates.
@Suite struct RealismTests {
    @Test func conditionPrevalenceOfAGeneralAdultPanel() {
        var patientsIn: [String: Set<String>] = [:]
        for e in Cohort.events {
            var codes: [String] = []
            if case .register(let r) = e.body { codes = r.conditions ?? [] }
            if case .visit(let v) = e.body { codes = v.diagnoses ?? [] }
            for c in codes { if let g = Cohort.group(c) { patientsIn[g, default: []].insert(e.patient) } }
        }
        func share(_ g: String) -> Double { Double(patientsIn[g]?.count ?? 0) / 2000 }
        #expect((0.24...0.37).contains(share("hypertension")), "\(share("hypertension"))")
        #expect((0.09...0.15).contains(share("diabetes")), "\(share("diabetes"))")
        #expect((0.06...0.12).contains(share("depression")), "\(share("depression"))")
        #expect((0.04...0.08).contains(share("coronary")))
        #expect((0.005...0.04).contains(share("heart-failure")))
        #expect((0.005...0.04).contains(share("pregnancy")))
        for g in ["ckd", "copd", "asthma", "cancer", "thyroid"] { #expect(share(g) > 0.01, "\(g)") }
        // Ages of an adult panel.
        let years = Cohort.events.compactMap { e -> Int? in if case .register(let r) = e.body { return r.birthYear } else { return nil } }
        #expect(years.allSatisfy { (1931...2008).contains($0) })
        #expect(years.filter { $0 <= 1961 }.count > years.count / 5)
    }

    @Test func contentReadRatesLieBetween15And70Percent() {
        var delivered: [String: Set<String>] = [:]
        var read: [String: Set<String>] = [:]
        var partial = 0, complete = 0
        for e in Cohort.events {
            if case .message(let m) = e.body, m.direction == .outbound, let c = m.content { delivered[c, default: []].insert(e.patient) }
            if case .read(let r) = e.body {
                read[r.content, default: []].insert(e.patient)
                if r.progress >= 0.9 { complete += 1 } else { partial += 1 }
            }
        }
        var checked = 0
        for (content, patients) in delivered where patients.count >= 50 {
            let rate = Double(patients.intersection(read[content] ?? []).count) / Double(patients.count)
            #expect((0.15...0.70).contains(rate), "\(content): \(rate) of \(patients.count)")
            checked += 1
        }
        #expect(checked >= 10)
        #expect(partial > complete / 3 && complete > partial / 3)
    }

    @Test func refillsAreMonthlyOrNinetyDayWithEarlyAndLateOnes() {
        var fills: [String: [(day: Int64, supply: Int, cls: String)]] = [:]
        for (patient, events) in Cohort.byPatient {
            for e in events { if case .dispense(let d) = e.body { fills[patient + "|" + d.medication, default: []].append((e.time.day, d.daysSupply, d.therapeuticClass)) } }
        }
        var early = 0, late = 0, onTime = 0
        for (_, f) in fills where f.count >= 2 {
            for i in 1..<f.count {
                let gap = Int(f[i].day - f[i - 1].day) - f[i - 1].supply
                if gap < 0 { early += 1 } else if gap > 7 { late += 1 } else { onTime += 1 }
            }
        }
        #expect(early > 100 && late > 100 && onTime > early && onTime > late, "early \(early) late \(late) on time \(onTime)")
        let supplies = Set(fills.values.flatMap { $0.map(\.supply) })
        #expect(supplies.isSuperset(of: [30, 90]))
        // Different medications of one class for one patient (switches,
        // metformin + glipizide).
        var sameClass = 0
        for (patient, events) in Cohort.byPatient {
            var medsByClass: [String: Set<String>] = [:]
            for e in events { if case .dispense(let d) = e.body { medsByClass[d.therapeuticClass, default: []].insert(d.medication) } }
            if medsByClass.values.contains(where: { $0.count >= 2 }) { sameClass += 1; _ = patient }
        }
        #expect(sameClass >= 20, "\(sameClass)")
    }

    @Test func checkinPlansDailyAndWeeklyWithLapses() {
        var everyDays = Set<Int>()
        var lapses = 0, unenrolls = 0, reenrolls = 0
        for (_, events) in Cohort.byPatient {
            var daily: [String: Int64] = [:]       // program -> enrol day (daily plans)
            var last: [String: Int64] = [:]        // program -> last check-in day
            var enrolled = Set<String>()
            for e in events {
                switch e.body {
                case .enroll(let en):
                    if case .checkin(_, let every) = en.plan {
                        everyDays.insert(every)
                        if enrolled.contains(en.program) { reenrolls += 1 }
                        enrolled.insert(en.program)
                        if every == 1 { daily[en.program] = e.time.day } else { daily[en.program] = nil }
                    }
                case .unenroll(let u):
                    if enrolled.remove(u.program) != nil { unenrolls += 1 }
                    daily[u.program] = nil
                case .checkin(let c):
                    if let p = c.program, daily[p] != nil {
                        if let l = last[p], e.time.day - l >= 7 { lapses += 1 }
                        last[p] = e.time.day
                    }
                default:
                    break
                }
            }
        }
        #expect(everyDays.isSuperset(of: [1, 3, 7]))
        #expect(lapses >= 20, "\(lapses)")
        #expect(unenrolls >= 20 && reenrolls >= 5, "unenrolls \(unenrolls) re-enrolments \(reenrolls)")
    }

    @Test func followUpsAreAnsweredWithinSevenDaysOrNot() {
        var answered = 0, late = 0, never = 0
        let end = CohortGenerator.defaultEnd
        for (_, events) in Cohort.byPatient {
            for (i, e) in events.enumerated() {
                guard case .message(let m) = e.body, m.direction == .outbound, m.purpose == .followup || m.purpose == .survey else { continue }
                guard e.time.millisecondsSince1970 + 14 * 86_400_000 < end.millisecondsSince1970 else { continue }
                var answerTime: EventTime?
                for later in events[(i + 1)...] where later.time > e.time {
                    switch later.body {
                    case .message(let r) where r.direction == .inbound: answerTime = later.time
                    case .survey(let s) where s.message == m.message || (m.survey != nil && s.survey == m.survey): answerTime = later.time
                    case .read(let r) where r.message == m.message || (m.content != nil && r.content == m.content): answerTime = later.time
                    default: break
                    }
                    if answerTime != nil { break }
                }
                if let t = answerTime {
                    if t.millisecondsSince1970 - e.time.millisecondsSince1970 <= 7 * 86_400_000 { answered += 1 } else { late += 1 }
                } else {
                    never += 1
                }
            }
        }
        let rate = Double(answered) / Double(answered + late + never)
        #expect((0.15...0.6).contains(rate), "\(rate)")
        #expect(late > 20 && never > 100)
    }

    @Test func surveysAndRiskSignals() {
        var phq9 = 0, phq9Severe = 0, q9 = 0, satisfaction: [Double] = [], nps: [Double] = []
        var bpCrisis = 0, glucoseLow = 0, glucoseHigh = 0
        for e in Cohort.events {
            switch e.body {
            case .survey(let s):
                switch s.survey {
                case "phq9":
                    phq9 += 1
                    let sum = s.answers.reduce(0) { $0 + $1.value }
                    if sum >= 20 { phq9Severe += 1 }
                    if s.answer("q9")! >= 1 { q9 += 1 }
                case "satisfaction": satisfaction.append(s.answer("score")!)
                case "nps": nps.append(s.answer("score")!)
                default: break
                }
            case .checkin(let c):
                switch c.values {
                case .bp(let sys, let dia): if sys >= 180 || dia >= 120 { bpCrisis += 1 }
                case .glucose(let g): if g < 3 { glucoseLow += 1 } else if g >= 16.7 { glucoseHigh += 1 }
                default: break
                }
            default:
                break
            }
        }
        #expect(phq9 > 200 && phq9Severe > 0 && q9 > 0)
        let meanSatisfaction = satisfaction.reduce(0, +) / Double(satisfaction.count)
        #expect((7.0...9.0).contains(meanSatisfaction), "\(meanSatisfaction)")
        let promoters = Double(nps.filter { $0 >= 9 }.count), detractors = Double(nps.filter { $0 <= 6 }.count)
        let score = 100 * (promoters - detractors) / Double(nps.count)
        #expect((10.0...60.0).contains(score), "\(score)")
        #expect(bpCrisis > 0 && glucoseLow > 0 && glucoseHigh > 0)
    }

    @Test func visitsTiersInpatientStaysAndLostPatients() {
        var tiers = [0, 0, 0] // first, return, long-term
        var stays = 0, postDischargeMessages = 0
        var lost = 0
        let end = CohortGenerator.defaultEnd
        for (_, events) in Cohort.byPatient {
            let visits = events.filter { $0.type == .visit }
            if visits.count == 1 { tiers[0] += 1 } else if visits.count >= 3 && visits.last!.time.day - visits.first!.time.day >= 180 { tiers[2] += 1 } else if visits.count > 1 { tiers[1] += 1 }
            var discharge: EventTime?
            for e in events {
                if case .visit(let v) = e.body, let d = v.discharge { stays += 1; discharge = d }
                if case .message(let m) = e.body, m.direction == .outbound, let d = discharge,
                   e.time > d, e.time.millisecondsSince1970 - d.millisecondsSince1970 <= 31 * 86_400_000,
                   m.journeyStep != nil { postDischargeMessages += 1 }
            }
            if let lastVisit = visits.last, end.day - lastVisit.time.day > 90,
               !events.contains(where: { if case .appointment(let a) = $0.body, let s = a.scheduledFor { return s > end } else { return false } }) {
                lost += 1
            }
        }
        #expect(tiers.allSatisfy { $0 > 100 }, "\(tiers)")
        #expect(stays > 50 && postDischargeMessages > 30, "stays \(stays), messages \(postDischargeMessages)")
        #expect(lost > 50, "\(lost)")
    }

    /// Yearly rates stay yearly over a long window: after ten years most
    /// chronic patients are still seen, most patients are not erased.
    @Test func aTenYearWindowKeepsMostPatientsInCare() {
        let generator = CohortGenerator(patients: 300, days: 3650, seed: 2)
        let lastYear = generator.end.day - 364
        var chronic = Set<String>(), seenLastYear = Set<String>(), erased = Set<String>()
        generator.generate { e in
            switch e.body {
            case .register(let r):
                if (r.conditions ?? []).contains(where: { Cohort.group($0) != nil && Cohort.group($0) != "pregnancy" }) { chronic.insert(e.patient) }
            case .visit:
                if e.time.day >= lastYear { seenLastYear.insert(e.patient) }
            case .erase:
                erased.insert(e.patient)
            default:
                break
            }
        }
        let stillSeen = Double(chronic.intersection(seenLastYear).count) / Double(chronic.count)
        #expect(stillSeen > 0.5, "\(stillSeen)")
        #expect(erased.count < 30)
    }

    @Test func consentWithdrawalsTagsAndErasures() {
        var erased = Set<String>()
        var tagsAdded = 0
        for e in Cohort.events {
            if e.type == .erase { erased.insert(e.patient) }
            if case .tag(let t) = e.body, t.op == .add { tagsAdded += 1 }
        }
        #expect((1...20).contains(erased.count), "a few erasures: \(erased.count)")
        #expect(tagsAdded > 30)
    }
}

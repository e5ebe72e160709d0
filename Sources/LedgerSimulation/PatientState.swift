import LedgerEvents

/// "Never" for a day field.
let never = Int32.max

/// One day of the simulation, shared by every patient.
struct DayContext {
    /// Days since 1970-01-01 (UTC).
    let day: Int
    /// Milliseconds of the day's midnight.
    let dayStart: Int64
    /// The last millisecond an event of this day may carry (the day's end, or
    /// the generator's `end` on the last day).
    let lastMs: Int64
    let firstDay: Int
    let lastDay: Int
    /// Today's marketing campaign content (an index into CohortModel.contents), if any.
    let campaign: Int?
    /// Today's calendar year (for ages).
    let year: Int

    /// `hh:mm:ss.mmm` of this day.
    @inline(__always)
    func at(_ h: Int, _ m: Int, _ s: Int = 0, _ ms: Int = 0) -> Int64 {
        dayStart + Int64(((h * 60 + m) * 60 + s) * 1000 + ms)
    }
}

/// Events of one day, in the order the patients produced them.
struct EventSink {
    struct Entry {
        var event: PatientEvent
        /// Whether the upstream may delay or re-send it (not the erase, nor
        /// anything of a patient about to be erased, so that nothing of theirs
        /// arrives after the erase record).
        var holdable: Bool
    }
    var entries: [Entry] = []
}

/// A thing to do on a later day.
struct Task {
    enum Kind: UInt8 {
        case none, read, reread, reply, answerSurvey, sendFollowup, sendSatisfaction, removeTag, regrantMessaging, phqFollowup
    }
    var day: Int32 = never
    var kind: Kind = .none
    /// Kind-specific: a content index, a survey code, a channel, a tag index.
    var a: UInt8 = 0
    /// The message number the task refers to (0: none).
    var message: UInt32 = 0
}

/// One medication a patient takes.
struct MedSlot {
    /// Index into CohortModel.medications plus one; 0: empty.
    var med: UInt8 = 0
    var group: Int8 = -1
    var supply: UInt8 = 30
    var stopped = false
    var nextFill: Int32 = never
}

/// One check-in plan a patient is enrolled in.
struct PlanSlot {
    /// Index into CohortModel.programs plus one; 0: empty.
    var program: UInt8 = 0
    var everyDays: UInt8 = 1
    /// This slot's check-in day within the current k-day slot.
    var offset: UInt8 = 0
    /// Chance of a check-in when one is due, in 1/255.
    var diligence: UInt8 = 200
    var enrolled: Int32 = 0
    /// The day of the unenrol (never: no planned end).
    var end: Int32 = never
    /// The day the daily plan is re-enrolled as weekly (never: no change).
    var change: Int32 = never
    /// The day the patient silently stops checking in.
    var stop: Int32 = never
    var lapseUntil: Int32 = 0
}

/// Survey codes in tasks.
enum SurveyCode: UInt8 {
    case phq9 = 1, satisfaction, nps
    var id: String {
        switch self {
        case .phq9: "phq9"
        case .satisfaction: "satisfaction"
        case .nps: "nps"
        }
    }
}

/// The journeys of ROADMAP item 1.
enum JourneyKind: UInt8 {
    case none = 0, cardiology, general

    var id: String {
        switch self {
        case .none: ""
        case .cardiology: "cardio-discharge"
        case .general: "general-discharge"
        }
    }

    /// (day after discharge, purpose, what it carries). Cardiology: day 3 care
    /// message, day 7 rehab video, day 30 satisfaction survey, day 90
    /// return-visit reminder. General: day 2 follow-up call, day 30
    /// satisfaction survey.
    var steps: [(day: Int, purpose: Purpose)] {
        switch self {
        case .none: []
        case .cardiology: [(3, .care), (7, .education), (30, .survey), (90, .reminder)]
        case .general: [(2, .followup), (30, .survey)]
        }
    }
}

/// Fixed names of staff and systems.
enum Actors {
    static let doctors = (1...CohortModel.doctors).map { "dr-" + pad($0, 3) }
    static let nurses = (1...CohortModel.nurses).map { "nurse-" + pad($0, 3) }
    static let pharmacies = (1...CohortModel.pharmacies).map { "pharmacy-" + pad($0, 2) }
    static let frontDesk = "front-desk"
    static let registration = "registration-desk"
    static let legacy = "his-legacy"
    static let crm = "crm"
    static let campaign = "crm-campaign"
    static let journeyEngine = "journey-engine"
    static let wearable = "wearable-sync"
    static let privacy = "privacy-office"
    static let smsGateway = "sms-gateway"
    static let careManagers = (1...8).map { "cm-" + pad($0, 2) }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// What one patient's simulation remembers between days: a few hundred
/// bytes, all inline (no heap storage but the patient id, which is a small
/// string for up to 9,999,999 patients).
struct PatientState {
    struct Flags: OptionSet {
        var rawValue: UInt16
        static let canMessage = Flags(rawValue: 1)
        static let research = Flags(rawValue: 2)
        static let started = Flags(rawValue: 4)
        static let wearable = Flags(rawValue: 8)
        static let seen = Flags(rawValue: 16)
        static let type1 = Flags(rawValue: 32)
        static let gdm = Flags(rawValue: 64)
        static let postpartum = Flags(rawValue: 128)
        static let incidentCoded = Flags(rawValue: 256)
        static let pregnantAtJoin = Flags(rawValue: 512)
        static let regrantPending = Flags(rawValue: 1024)
    }

    let number: Int32
    let patient: String
    var birthYear: Int16
    var sex: UInt8
    var channel: UInt8
    var adherence: UInt8
    /// 0: never engages digitally; else 1...255 scaled to 0...1.
    var engagement: UInt8
    /// Two bits per group: which of the group's codes this patient has.
    var codeVariants: UInt32 = 0
    /// Groups diagnosed as of now (an incident group joins at its onset).
    var conditions: UInt16 = 0
    /// Known groups the `register` leaves out (first coded at a visit).
    var unregistered: UInt16 = 0
    var flags: Flags = [.canMessage]
    var incidentGroup: Int8 = -1
    var incidentDay: Int32 = never
    var conception: Int32 = never
    var delivery: Int32 = never
    var joinDay: Int32
    var eraseDay: Int32 = never
    var rejoinDay: Int32 = never
    var dropoutDay: Int32 = never
    var disengageDay: Int32 = never

    var eventNumber: UInt32 = 0
    var messageNumber: UInt32 = 0
    var appointmentNumber: UInt32 = 0

    // The booked appointment (apptSeq 0: none).
    var apptSeq: UInt32 = 0
    var apptDay: Int32 = 0
    var apptMinute: Int16 = 0
    var apptFate: UInt8 = 0
    var apptActionDay: Int32 = never
    var apptGroup: Int8 = -1

    // Hospital stay.
    var admittedDay: Int32 = never
    var dischargeDay: Int32 = never
    var dischargeMinute: Int16 = 0
    var stayDepartment: UInt8 = 0
    var journey: JourneyKind = .none
    var journeyStart: Int32 = 0

    var nextEducation: Int32 = never
    var nextNps: Int32 = never
    var nextPhq: Int32 = never

    // Baselines for check-ins and PHQ-9.
    var systolic: UInt8
    var glucose10: UInt8
    var weightKg: UInt8
    var steps100: UInt8
    var heartRate: UInt8
    var phqBase: UInt8

    var meds = InlineArray<3, MedSlot>(repeating: MedSlot())
    var plans = InlineArray<2, PlanSlot>(repeating: PlanSlot())
    var tasks = InlineArray<10, Task>(repeating: Task())

    // MARK: - Creation

    static func patientId(_ number: Int) -> String {
        "P" + Actors.pad(number, 6)
    }

    init(number: Int, seed: UInt64, firstDay: Int, lastDay: Int, endYear: Int) {
        var rng = Xoshiro256(seed: SplitMix64.subSeed(seed, 1, UInt64(number), 0))
        self.number = Int32(truncatingIfNeeded: number)
        patient = PatientState.patientId(number)
        let days = lastDay - firstDay + 1
        let years = Double(days) / 365.0
        let M = CohortModel.self

        let band = rng.pick(M.ageBands.map(\.share))
        let age = rng.int(M.ageBands[band].low...M.ageBands[band].high)
        birthYear = Int16(endYear - age)
        sex = UInt8(rng.pick(M.sexShares))
        adherence = UInt8(rng.pick(M.adherenceProfiles.map(\.share)))

        let female = sex == 0
        for spec in M.conditions {
            let table = sex == 0 ? spec.female : sex == 1 ? spec.male
                : (0.5 * (spec.female.0 + spec.male.0), 0.5 * (spec.female.1 + spec.male.1), 0.5 * (spec.female.2 + spec.male.2))
            let p = band == 0 ? table.0 : band == 1 ? table.1 : table.2
            if rng.chance(p) { conditions |= spec.group.bit }
            let codes = spec.group == .cancer && !female ? M.maleCancerCodes : spec.codes
            let variant = rng.pick(codes.map(\.weight))
            codeVariants |= UInt32(variant) << UInt32(2 * spec.group.rawValue)
        }
        if rng.chance(M.type1Diabetes) {
            conditions |= ConditionGroup.diabetes.bit
            flags.insert(.type1)
        }
        for group in ConditionGroup.allCases where conditions & group.bit != 0 && rng.chance(M.conditionOnlyAtVisit) {
            unregistered |= group.bit
        }

        let onboarding = rng.chance(M.onboardingShare)
        let join = firstDay + (onboarding ? rng.below(max(1, days / 6)) : rng.below(days))
        joinDay = Int32(join)

        if let onset = PatientState.firstOccurrence(from: join + 1, perYear: M.incidencePerYear, last: lastDay, &rng) {
            let g = M.incidentGroups[rng.pick(M.incidentGroups.map(\.weight))].group
            if conditions & g.bit == 0 {
                incidentGroup = Int8(g.rawValue)
                incidentDay = Int32(onset)
            }
        }
        // One pregnancy at most (a long window caps the chance at one half).
        if female && age <= 44 && rng.chance(min(0.5, M.pregnancyPerYear * years)) {
            let c = firstDay - 260 + rng.below(max(1, days + 260 - 50))
            conception = Int32(c)
            delivery = Int32(c + M.deliveryDay + rng.int(-10...7))
            if rng.chance(M.gestationalDiabetes) { flags.insert(.gdm) }
            if join >= c + 49 && join < Int(delivery) { flags.insert(.pregnantAtJoin) }
        }

        if rng.chance(M.nonDigital) {
            engagement = 0
        } else {
            let e = (rng.unit() + rng.unit()) / 2
            engagement = UInt8(max(1, min(255, Int(e * 255))))
            if let day = PatientState.firstOccurrence(from: join + 14, perYear: M.disengagePerYear, last: lastDay, &rng) {
                disengageDay = Int32(day)
            }
            if rng.chance(M.wearableOwners) { flags.insert(.wearable) }
        }
        let chronic = conditions & ~ConditionGroup.pregnancy.bit != 0
        if chronic, let day = PatientState.firstOccurrence(from: join + 30, perYear: M.dropoutPerYear, last: lastDay, &rng) {
            dropoutDay = Int32(day)
        }
        var ch = rng.pick(M.channelShares)
        if engagement == 0 && ch == 2 { ch = 1 } // no app without a smartphone
        channel = UInt8(ch)
        if let e = PatientState.firstOccurrence(from: join + 14, perYear: M.erasurePerYear, last: lastDay, &rng) {
            eraseDay = Int32(e)
            if rng.chance(M.rejoinAfterErasure) { rejoinDay = Int32(e + 30 + rng.below(150)) }
        }

        let hypertensive = conditions & ConditionGroup.hypertension.bit != 0
        systolic = UInt8(max(100, min(178, Int(rng.normal(hypertensive ? 142 : 120, hypertensive ? 12 : 9)))))
        let diabetic = conditions & ConditionGroup.diabetes.bit != 0
        glucose10 = UInt8(max(42, min(140, Int(rng.normal(diabetic ? 88 : 54, diabetic ? 15 : 4)))))
        weightKg = UInt8(max(42, min(180, Int(rng.normal(female ? 72 : 85, 15)))))
        steps100 = UInt8(rng.int(25...110))
        heartRate = UInt8(rng.int(58...86))
        let depressed = conditions & ConditionGroup.depression.bit != 0
        phqBase = UInt8(depressed ? rng.int(9...21) : rng.chance(0.1) ? rng.int(5...12) : rng.int(0...4))
    }

    /// The day something with a yearly chance `perYear` first happens from
    /// `start` on (one draw per 365-day block, so at most once and never
    /// more likely than the yearly rate says), or nil when not by `last`.
    static func firstOccurrence(from start: Int, perYear: Double, last: Int, _ rng: inout Xoshiro256) -> Int? {
        var block = start
        while block <= last {
            if rng.chance(perYear) {
                let day = block + rng.below(365)
                return day <= last ? day : nil
            }
            block += 365
        }
        return nil
    }

    // MARK: - Small helpers

    @inline(__always) func has(_ g: ConditionGroup) -> Bool { conditions & g.bit != 0 }

    var chronicGroups: UInt16 { conditions & ~ConditionGroup.pregnancy.bit }

    func code(_ g: ConditionGroup) -> String {
        if g == .diabetes && flags.contains(.type1) { return CohortModel.type1Code }
        if g == .pregnancy { return CohortModel.pregnancyCodes.normal }
        let spec = CohortModel.conditions[g.rawValue]
        let codes = g == .cancer && sex != 0 ? CohortModel.maleCancerCodes : spec.codes
        let v = Int(codeVariants >> UInt32(2 * g.rawValue)) & 3
        return codes[min(v, codes.count - 1)].code
    }

    func age(_ c: DayContext) -> Int { c.year - Int(birthYear) }

    func pregnant(_ d: Int) -> Bool { conception != never && d >= Int(conception) + 49 && d < Int(delivery) }

    /// Digital engagement today, 0...1.
    func engagementLevel(_ d: Int) -> Double {
        if engagement == 0 || d >= Int(disengageDay) || d >= Int(dropoutDay) { return 0 }
        return Double(engagement) / 255
    }

    func inHospital(_ d: Int) -> Bool { d >= Int(admittedDay) && d < Int(dischargeDay) }

    var preferredChannel: Channel { Channel.allCases[[1, 0, 2, 3, 4][Int(channel)]] }

    func messageId(_ n: UInt32) -> String { PatientState.identifier(UInt8(ascii: "m"), patient, UInt64(n)) }

    /// `<letter>-<patient>-<n>`, written directly (the generator's hottest
    /// string; concatenation costs several times more).
    static func identifier(_ letter: UInt8, _ patient: String, _ n: UInt64) -> String {
        var patient = patient
        var digits = 1
        var rest = n / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return patient.withUTF8 { p in
            // The exact length, so that ids of up to 15 bytes take the
            // small-string form (no allocation).
            String(unsafeUninitializedCapacity: p.count + 3 + digits) { buffer in
                buffer[0] = letter
                buffer[1] = UInt8(ascii: "-")
                var i = 2
                for byte in p { buffer[i] = byte; i += 1 }
                buffer[i] = UInt8(ascii: "-")
                i += 1
                var value = n
                for k in stride(from: i + digits - 1, through: i, by: -1) {
                    buffer[k] = UInt8(truncatingIfNeeded: 48 + value % 10)
                    value /= 10
                }
                return i + digits
            }
        }
    }

    mutating func addTask(_ task: Task) {
        for i in tasks.indices where tasks[i].kind == .none {
            tasks[i] = task
            return
        }
        // Full: the task is dropped (deterministically).
    }

    /// Appends an event of this patient. Times are kept inside the day and
    /// never after the generator's end (later ones are dropped).
    mutating func emit(_ t: Int64, _ body: EventBody, _ c: DayContext, _ sink: inout EventSink,
                       actor: String? = nil, withId: Bool = true) {
        let time = min(max(t, c.dayStart), c.dayStart + 86_399_999)
        guard time <= c.lastMs else { return }
        eventNumber &+= 1
        let id = withId ? PatientState.identifier(UInt8(ascii: "e"), patient, UInt64(eventNumber)) : nil
        let holdable: Bool
        if case .erase = body { holdable = false } else { holdable = Int(eraseDay) > c.day + 3 }
        flags.insert(.seen)
        sink.entries.append(EventSink.Entry(
            event: PatientEvent(patient: patient, time: EventTime(millisecondsSince1970: time), id: id, actor: actor, body: body),
            holdable: holdable))
    }

    /// A time in clinic hours (08:00-16:30), whole seconds.
    static func clinicTime(_ c: DayContext, _ rng: inout Xoshiro256) -> Int64 {
        c.at(8, 0) + Int64(rng.below(510)) * 60_000 + (rng.chance(0.5) ? 0 : Int64(rng.below(60)) * 1000)
    }

    /// A time between `from` and `to` hours entered in an app: milliseconds
    /// mostly not zero.
    static func appTime(_ c: DayContext, _ rng: inout Xoshiro256, _ from: Int, _ to: Int) -> Int64 {
        c.at(from, 0) + Int64(rng.below((to - from) * 3_600_000))
    }

    func staff(_ list: [String], _ rng: inout Xoshiro256) -> String? {
        rng.chance(CohortModel.actorShare) ? list[rng.below(list.count)] : nil
    }

    // MARK: - One day

    mutating func simulate(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let d = c.day
        guard d >= Int(joinDay) else { return }
        if d == Int(eraseDay) {
            emit(c.at(14, 0) + Int64(rng.below(180 * 60_000)), .erase, c, &sink, actor: Actors.privacy)
            restartAfterErasure()
            return
        }
        if d == Int(joinDay) {
            // The registration day holds the registration and what follows
            // it (consents, intake, a first visit or a booking) only, so that
            // a history starts with its `register`.
            join(c, &rng, &sink)
            return
        }
        consentDay(c, &rng, &sink)
        if d == Int(incidentDay), incidentGroup >= 0 { incidentDiagnosis(c, &rng, &sink) }
        if d == Int(dropoutDay) && apptSeq != 0 { apptFate = 1 } // will not come
        pregnancyDay(c, &rng, &sink)
        if d == Int(dischargeDay) { discharged(c, &rng, &sink) }
        appointmentDay(c, &rng, &sink)
        unplanned(c, &rng, &sink)
        runTasks(c, &rng, &sink)
        journeyDay(c, &rng, &sink)
        medicationDay(c, &rng, &sink)
        planDay(c, &rng, &sink)
        contactDay(c, &rng, &sink)
    }

    mutating func restartAfterErasure() {
        eraseDay = never
        if rejoinDay == never {
            joinDay = never
            return
        }
        joinDay = rejoinDay
        rejoinDay = never
        flags.remove(.started)
        flags.insert(.canMessage)
        unregistered = 0
        apptSeq = 0
        apptActionDay = never
        admittedDay = never
        dischargeDay = never
        journey = .none
        meds = InlineArray(repeating: MedSlot())
        plans = InlineArray(repeating: PlanSlot())
        tasks = InlineArray(repeating: Task())
        nextEducation = never; nextNps = never; nextPhq = never
    }

    // MARK: Registration

    mutating func join(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        let t = PatientState.clinicTime(c, &rng)
        var codes: [String] = []
        for g in ConditionGroup.allCases where g != .pregnancy && has(g) && unregistered & g.bit == 0 {
            codes.append(code(g))
        }
        if flags.contains(.pregnantAtJoin) && pregnant(d) {
            codes.append(M.pregnancyCodes.normal)
            conditions |= ConditionGroup.pregnancy.bit
        }
        let legacy = rng.chance(0.05)
        let register = Register(
            sex: rng.chance(M.registerWithoutSex) ? nil : Sex.allCases[Int(sex)],
            birthYear: rng.chance(M.registerWithoutBirthYear) ? nil : Int(birthYear),
            conditions: codes.isEmpty ? nil : codes)
        emit(t, .register(register), c, &sink,
             actor: legacy ? Actors.legacy : rng.chance(0.4) ? Actors.registration : nil, withId: !legacy)

        if rng.chance(M.consentAtJoin) {
            let ct = t + Int64(rng.int(60...300)) * 1000
            emit(ct, .consent(Consent(scope: .messaging, granted: true)), c, &sink)
            if rng.chance(M.researchGranted) {
                emit(ct + 1000, .consent(Consent(scope: .research, granted: true)), c, &sink)
                flags.insert(.research)
            } else if rng.chance(0.3) {
                emit(ct + 1000, .consent(Consent(scope: .research, granted: false)), c, &sink)
            }
            emit(ct + 2000, .consent(Consent(scope: .sharing, granted: rng.chance(M.sharingGranted))), c, &sink)
        }
        if engagement > 0 && rng.chance(M.intakeAtJoin) {
            let answers: [SurveyAnswer] = rng.chance(M.intakeBlank) ? [] : [
                SurveyAnswer(item: "smoker", value: rng.chance(0.12) ? 1 : 0),
                SurveyAnswer(item: "alcohol-days", value: Double(rng.int(0...7))),
                SurveyAnswer(item: "exercise-days", value: Double(rng.int(0...7))),
            ]
            emit(t + Int64(rng.int(5...40)) * 60_000 + Int64(rng.below(1000)), .survey(Survey(survey: "intake", answers: answers)), c, &sink)
        }

        nextEducation = Int32(d + rng.int(3...20))
        nextNps = Int32(d + rng.int(30...180))
        nextPhq = Int32(d + rng.int(14...60))

        if rng.chance(M.firstVisitOnJoinDay) {
            let vt = t + Int64(rng.int(10...60)) * 60_000
            if pregnant(d) {
                visit(.outpatient, group: .pregnancy, at: vt, appointment: nil, c, &rng, &sink)
            } else if let g = pickChronicGroup(&rng) {
                visit(.outpatient, group: g, at: vt, appointment: nil, c, &rng, &sink)
            } else {
                visit(.checkup, group: nil, at: vt, appointment: nil, c, &rng, &sink)
            }
        } else {
            book(from: t + 120_000, c, &rng, &sink, after: rng.int(3...30))
        }
    }

    mutating func incidentDiagnosis(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let g = ConditionGroup(rawValue: Int(incidentGroup))!
        conditions |= g.bit
        let t = PatientState.clinicTime(c, &rng)
        flags.remove(.incidentCoded)
        let started = flags.contains(.started)
        visit(.outpatient, group: g, at: t, appointment: nil, c, &rng, &sink)
        // Treatment for the new condition starts at the diagnosis (a first
        // visit has already started every treatment).
        if started { prescribe(for: g, at: t + Int64(rng.int(20...90)) * 60_000, c, &rng, &sink) }
    }

    func pickChronicGroup(_ rng: inout Xoshiro256) -> ConditionGroup? {
        let groups = chronicGroups
        if groups == 0 { return nil }
        var n = rng.below(groups.nonzeroBitCount)
        for g in ConditionGroup.allCases where groups & g.bit != 0 {
            if n == 0 { return g }
            n -= 1
        }
        return nil
    }

    // MARK: Visits

    /// Diagnoses of a visit for `group` (nil: acute).
    mutating func diagnoses(for group: ConditionGroup?, kind: VisitKind, _ c: DayContext, _ rng: inout Xoshiro256) -> [String] {
        let M = CohortModel.self
        var codes: [String] = []
        if kind == .checkup {
            codes.append("Z00.00")
            for g in ConditionGroup.allCases where g != .pregnancy && has(g) { codes.append(code(g)) }
        } else if let g = group {
            if g == .pregnancy {
                if flags.contains(.postpartum) {
                    codes.append(M.pregnancyCodes.postpartum)
                } else {
                    codes.append(age(c) >= 35 ? M.pregnancyCodes.highRisk : M.pregnancyCodes.normal)
                    if flags.contains(.gdm) && c.day >= Int(conception) + 182 { codes.append(M.pregnancyCodes.gdm) }
                }
            } else {
                codes.append(code(g))
                if rng.chance(0.3), let other = pickChronicGroup(&rng), other != g { codes.append(code(other)) }
            }
        } else {
            codes.append(M.acuteCodes[rng.below(M.acuteCodes.count)])
        }
        if incidentGroup >= 0 && c.day >= Int(incidentDay) && !flags.contains(.incidentCoded) {
            let ic = code(ConditionGroup(rawValue: Int(incidentGroup))!)
            if !codes.contains(ic) { codes.append(ic) }
            flags.insert(.incidentCoded)
        }
        // Conditions left out of the register are coded at visits.
        if unregistered != 0 {
            for g in ConditionGroup.allCases where unregistered & g.bit != 0 && g != .pregnancy {
                let x = code(g)
                if !codes.contains(x) { codes.append(x) }
            }
            unregistered = 0
        }
        return codes
    }

    static func department(_ group: ConditionGroup?) -> String {
        guard let g = group else { return "family medicine" }
        if g == .pregnancy { return "obstetrics" }
        return CohortModel.conditions[g.rawValue].department
    }

    /// An encounter in the clinic and what follows it: treatment at the
    /// first visit, switches and restarts, surveys, follow-ups, the next booking.
    mutating func visit(_ kind: VisitKind, group: ConditionGroup?, at t: Int64, appointment: String?,
                        _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        let legacy = rng.chance(M.legacyVisit)
        var dx: [String]? = diagnoses(for: group, kind: kind, c, &rng)
        if legacy { dx = dx?.map { String($0.filter { $0 != "." }) } }
        if rng.chance(M.visitWithoutDiagnoses) { dx = nil }
        var appt = appointment
        if appt == nil && kind != .emergency && rng.chance(M.legacyAppointmentId) {
            appt = "HIS-" + String(number) + "-" + String(d)
        }
        let department: String? = legacy && rng.chance(0.5) ? nil : PatientState.department(group)
        emit(t, .visit(Visit(kind: kind, department: department, diagnoses: dx, appointment: appt)), c, &sink,
             actor: legacy ? Actors.legacy : staff(Actors.doctors, &rng), withId: !legacy)

        var after = t + Int64(rng.int(10...40)) * 60_000
        if !flags.contains(.started) {
            flags.insert(.started)
            for g in ConditionGroup.allCases where has(g) { prescribe(for: g, at: after, c, &rng, &sink) }
            enrollPlans(at: after + 60_000, c, &rng, &sink)
        } else if let g = group {
            adjustMedication(for: g, at: after, c, &rng, &sink)
        }
        // In-clinic questionnaires.
        after += 5 * 60_000
        if kind == .checkup && rng.chance(M.phq9AtCheckup) {
            emit(after, .survey(phq9(c, &rng)), c, &sink, actor: staff(Actors.nurses, &rng))
        }
        if group == .depression && rng.chance(M.gad7AtVisit) {
            emit(after, .survey(gad7(&rng)), c, &sink, actor: staff(Actors.nurses, &rng))
        }
        if group == .copd && rng.chance(M.catAtVisit) {
            emit(after, .survey(copdAssessment(&rng)), c, &sink, actor: staff(Actors.nurses, &rng))
        }
        if let g = group, g != .pregnancy, rng.chance(M.followupAfterVisit) {
            addTask(Task(day: Int32(d + rng.int(2...4)), kind: .sendFollowup, a: UInt8(g.rawValue)))
        }
        if rng.chance(M.satisfactionAfterVisit) {
            addTask(Task(day: Int32(d + 1), kind: .sendSatisfaction))
        }
        book(from: t + Int64(rng.int(15...45)) * 60_000, c, &rng, &sink)
    }

    // MARK: Appointments

    /// Days to the next planned visit, and what it is for; nil: none planned.
    func nextVisitPlan(_ d: Int, _ rng: inout Xoshiro256) -> (days: Int, group: ConditionGroup?)? {
        if pregnant(d) {
            let week = (d - Int(conception)) / 7
            return (week < 28 ? 28 : week < 36 ? 14 : 7, .pregnancy)
        }
        guard let g = pickChronicGroup(&rng) else {
            return rng.chance(CohortModel.healthyBooksCheckup) ? (CohortModel.checkupCadenceDays + rng.int(-30...30), nil) : nil
        }
        var cadence = Int.max
        for spec in CohortModel.conditions where has(spec.group) { cadence = min(cadence, spec.cadenceDays) }
        return (Int(Double(cadence) * rng.uniform(0.8, 1.25)), g)
    }

    /// Books the next visit (when none is booked and the patient still comes).
    mutating func book(from t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink, after fixed: Int? = nil) {
        let M = CohortModel.self
        let d = c.day
        guard apptSeq == 0, d < Int(dropoutDay) else { return }
        var days: Int
        var group: ConditionGroup?
        if flags.contains(.postpartum) {
            (days, group) = (fixed ?? 42, .pregnancy)
        } else if let plan = nextVisitPlan(d, &rng) {
            (days, group) = plan
        } else {
            return
        }
        if let fixed { days = fixed }
        days = max(1, days)
        appointmentNumber += 1
        apptSeq = appointmentNumber
        apptDay = Int32(d + days)
        apptMinute = Int16(8 * 60 + 15 * rng.below(34))
        apptGroup = Int8(group?.rawValue ?? -1)
        let r = rng.unit()
        apptFate = r < M.appointmentNoShow ? 1
            : r < M.appointmentNoShow + M.appointmentCancelled ? 2
            : r < M.appointmentNoShow + M.appointmentCancelled + M.appointmentRescheduled ? 3 : 0
        apptActionDay = never
        if apptFate >= 2 {
            if days >= 2 { apptActionDay = Int32(d + 1 + rng.below(days - 1)) } else { apptFate = 0 }
        }
        emit(t + Int64(rng.int(2...10)) * 60_000, .appointment(Appointment(
            appointment: appointmentId(apptSeq), status: .scheduled, scheduledFor: scheduledTime(c))), c, &sink,
             actor: rng.chance(0.3) ? Actors.frontDesk : nil)
    }

    func appointmentId(_ seq: UInt32) -> String { PatientState.identifier(UInt8(ascii: "a"), patient, UInt64(seq)) }

    func scheduledTime(_ c: DayContext) -> EventTime {
        EventTime(millisecondsSince1970: Int64(apptDay) * 86_400_000 + Int64(apptMinute) * 60_000)
    }

    mutating func appointmentDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        guard apptSeq != 0 else { return }
        if d == Int(apptActionDay) {
            let id = appointmentId(apptSeq)
            let t = PatientState.appTime(c, &rng, 8, 20)
            if apptFate == 2 {
                emit(t, .appointment(Appointment(appointment: id, status: .cancelled)), c, &sink,
                     actor: rng.chance(0.5) ? Actors.frontDesk : nil)
                apptSeq = 0
                if rng.chance(M.rebookAfterCancel) { book(from: t + 60_000, c, &rng, &sink, after: rng.int(7...30)) }
                return
            }
            // Rescheduled: the same id, a new time (the latest status wins).
            apptDay = Int32(Int(apptDay) + rng.int(3...21))
            apptMinute = Int16(8 * 60 + 15 * rng.below(34))
            apptFate = rng.chance(M.appointmentNoShow) ? 1 : 0
            apptActionDay = never
            emit(t, .appointment(Appointment(appointment: id, status: .scheduled, scheduledFor: scheduledTime(c))), c, &sink,
                 actor: rng.chance(0.5) ? Actors.frontDesk : nil)
        }
        if d == Int(apptDay) - 1 && flags.contains(.canMessage) && rng.chance(M.appointmentReminder) {
            _ = send(PatientState.appTime(c, &rng, 10, 18), .reminder, c, &rng, &sink, actor: Actors.crm)
        }
        guard d == Int(apptDay) else {
            if d > Int(apptDay) { apptSeq = 0 }
            return
        }
        let id = appointmentId(apptSeq)
        apptSeq = 0
        let t = c.dayStart + Int64(apptMinute) * 60_000
        if inHospital(d) {
            emit(c.at(7, 30), .appointment(Appointment(appointment: id, status: .cancelled)), c, &sink, actor: Actors.frontDesk)
            book(from: c.at(7, 31), c, &rng, &sink, after: Int(dischargeDay) - d + rng.int(7...14))
            return
        }
        if apptFate == 1 {
            emit(t + 45 * 60_000, .appointment(Appointment(appointment: id, status: .noshow)), c, &sink,
                 actor: rng.chance(0.6) ? Actors.frontDesk : nil)
            if rng.chance(M.rebookAfterNoShow) { book(from: t + 50 * 60_000, c, &rng, &sink, after: rng.int(3...21)) }
            return
        }
        let group = apptGroup >= 0 ? ConditionGroup(rawValue: Int(apptGroup)) : nil
        let kind: VisitKind
        if group == nil && chronicGroups == 0 {
            kind = .checkup
        } else if group != .pregnancy && rng.chance(group == .depression ? M.telehealthShareDepression : M.telehealthShare) {
            kind = .telehealth
        } else {
            kind = .outpatient
        }
        visit(kind, group: group, at: t + Int64(rng.int(-10...25)) * 60_000 + Int64(rng.below(60)) * 1000,
              appointment: id, c, &rng, &sink)
        if group == .pregnancy && flags.contains(.postpartum) { flags.remove(.postpartum) }
    }

    // MARK: Unplanned care

    mutating func unplanned(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        if inHospital(d) || d == Int(admittedDay) { return }
        var admissions = M.admissionsPerYear
        var emergencies = M.emergencyPerYear
        var groups = chronicGroups
        while groups != 0 {
            let g = groups.trailingZeroBitCount
            groups &= groups - 1
            admissions += M.admissionRates[g]
            emergencies += M.emergencyRates[g]
        }
        let u = rng.unit() * 365
        if u < admissions {
            admit(c, &rng, &sink)
        } else if u < admissions + emergencies {
            let t = c.at(0, 0) + Int64(rng.below(86_000)) * 1000
            var codes = [M.emergencyCodes[rng.below(M.emergencyCodes.count)]]
            if rng.chance(0.4), let g = pickChronicGroup(&rng) { codes.append(code(g)) }
            emit(t, .visit(Visit(kind: .emergency, department: "emergency", diagnoses: codes)), c, &sink,
                 actor: staff(Actors.doctors, &rng))
        } else if u < admissions + emergencies + M.acuteVisitsPerYear && d < Int(dropoutDay) {
            let kind: VisitKind = rng.chance(0.3) ? .telehealth : .outpatient
            visit(kind, group: nil, at: PatientState.clinicTime(c, &rng), appointment: nil, c, &rng, &sink)
        }
    }

    mutating func admit(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        // The cause: a condition, weighted by the admissions it adds, or none.
        var weights = [M.admissionsPerYear]
        for spec in M.conditions { weights.append(has(spec.group) ? spec.admissionsPerYear : 0) }
        let i = rng.pick(weights)
        let group: ConditionGroup? = i == 0 ? nil : M.conditions[i - 1].group
        var department = "internal medicine"
        var dx: [String]
        switch group {
        case .coronary?, .heartFailure?:
            department = "cardiology"
            dx = [group == .coronary && rng.chance(0.3) ? "I21.4" : code(group!)]
        case nil:
            let acute = [("internal medicine", "J18.9"), ("general surgery", "K35.80"), ("internal medicine", "A41.9"), ("orthopedics", "S72.001A")]
            let a = acute[rng.below(acute.count)]
            department = a.0
            dx = [a.1]
        case let g?:
            if g != .diabetes && g != .depression { department = PatientState.department(g) }
            if g == .depression { department = "psychiatry" }
            dx = [code(g)]
        }
        if rng.chance(0.5), let other = pickChronicGroup(&rng), other != group { dx.append(code(other)) }
        var t = PatientState.clinicTime(c, &rng)
        if rng.chance(M.admittedThroughEmergency) {
            let et = c.at(0, 0) + Int64(rng.below(18 * 3600)) * 1000
            emit(et, .visit(Visit(kind: .emergency, department: "emergency", diagnoses: dx)), c, &sink,
                 actor: staff(Actors.doctors, &rng))
            t = et + Int64(rng.int(120...360)) * 60_000
        }
        let los = rng.pick(M.lengthOfStayDays) + 1
        hospitalize(at: t, days: los, department: department, diagnoses: dx, c, &rng, &sink)
    }

    mutating func hospitalize(at t: Int64, days los: Int, department: String, diagnoses dx: [String],
                              _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let d = c.day
        admittedDay = Int32(d)
        dischargeDay = Int32(d + los)
        dischargeMinute = Int16(10 * 60 + rng.below(300))
        stayDepartment = department == "cardiology" ? 1 : department == "obstetrics" ? 2 : 0
        let discharge = EventTime(millisecondsSince1970: Int64(d + los) * 86_400_000 + Int64(dischargeMinute) * 60_000)
        emit(t, .visit(Visit(kind: .inpatient, department: department, diagnoses: dx, discharge: discharge)), c, &sink,
             actor: staff(Actors.doctors, &rng))
    }

    /// The day of discharge: the journey starts, the follow-up visit is booked.
    mutating func discharged(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        let t = c.dayStart + Int64(dischargeMinute) * 60_000
        let kind: JourneyKind = stayDepartment == 1 ? .cardiology : stayDepartment == 2 ? .none : .general
        if kind != .none && (kind == .cardiology || rng.chance(0.6)) {
            journey = kind
            journeyStart = Int32(d)
            emit(t + 30 * 60_000, .enroll(Enroll(program: kind.id, plan: .journey)), c, &sink, actor: Actors.journeyEngine)
        }
        if kind == .cardiology {
            if !hasMed(7) && !hasMed(8) {
                addMedication(7, group: .coronary, at: t + 20 * 60_000, supply: M.dischargeSupplyDays, c, &rng, &sink)
            }
            if engagementLevel(d) > 0 && rng.chance(M.uptakeCardiacRehab) {
                enroll(program: 6, everyDays: 7, at: t + 35 * 60_000, end: d + 84, c, &rng, &sink)
            }
        }
        if stayDepartment == 2 {
            flags.remove(.gdm)
            flags.insert(.postpartum)
            conception = never
            delivery = never
            conditions &= ~ConditionGroup.pregnancy.bit
            if apptSeq != 0 {
                // The prenatal appointment still booked is cancelled.
                emit(t + 50 * 60_000, .appointment(Appointment(appointment: appointmentId(apptSeq), status: .cancelled)), c, &sink,
                     actor: Actors.frontDesk)
                apptSeq = 0
            }
        }
        book(from: t + 60 * 60_000, c, &rng, &sink, after: stayDepartment == 2 ? 42 : rng.int(7...14))
    }

    // MARK: Pregnancy

    mutating func pregnancyDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        guard conception != never else { return }
        let M = CohortModel.self
        let d = c.day
        let known = Int(conception) + 49
        if d == known && d > Int(joinDay) {
            conditions |= ConditionGroup.pregnancy.bit
            visit(.outpatient, group: .pregnancy, at: PatientState.clinicTime(c, &rng), appointment: nil, c, &rng, &sink)
        } else if d == known {
            conditions |= ConditionGroup.pregnancy.bit
        }
        if flags.contains(.gdm) && d == Int(conception) + 182 && d > Int(joinDay) {
            let t = PatientState.clinicTime(c, &rng)
            visit(.outpatient, group: .pregnancy, at: t, appointment: nil, c, &rng, &sink)
            if engagementLevel(d) > 0 && rng.chance(0.8) {
                enroll(program: 7, everyDays: 1, at: t + 40 * 60_000, end: Int(delivery) + 3, c, &rng, &sink)
            }
            if rng.chance(0.3) { addMedication(4, group: .pregnancy, at: t + 60 * 60_000, supply: 30, c, &rng, &sink) }
        }
        if d == Int(delivery) && !inHospital(d) {
            var dx = [M.pregnancyCodes.delivery]
            if flags.contains(.gdm) { dx.append(M.pregnancyCodes.gdm) }
            hospitalize(at: c.at(0, 0) + Int64(rng.below(86_000)) * 1000, days: rng.int(1...3),
                        department: "obstetrics", diagnoses: dx, c, &rng, &sink)
            for i in meds.indices where meds[i].group == Int8(ConditionGroup.pregnancy.rawValue) { meds[i] = MedSlot() }
        }
    }

    // MARK: Medication

    /// Starts the usual treatment for a condition (some patients untreated).
    mutating func prescribe(for g: ConditionGroup, at t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        var list: [Int] = []
        switch g {
        case .hypertension:
            if rng.chance(M.treatedHypertension) {
                let m = rng.pick(M.hypertensionFirstLine)
                if !(m <= 1 && hasClass("ras")) { list.append(m) }
            }
        case .diabetes:
            if flags.contains(.type1) {
                list.append(6)
            } else if rng.chance(M.treatedDiabetes) {
                list.append(4)
                if rng.chance(M.addSulfonylurea) { list.append(5) }
                if rng.chance(M.type2OnInsulin) { list.append(6) }
            }
            if Int(birthYear) <= c.year - 40 && rng.chance(M.statinDiabetes) { list.append(7) }
        case .coronary:
            if rng.chance(M.statinCoronary) { list.append(7) }
            if rng.chance(M.clopidogrelCoronary) { list.append(9) }
        case .heartFailure:
            if rng.chance(M.treatedHeartFailure) { list.append(contentsOf: [0, 10, 12]) }
        case .depression:
            if rng.chance(M.treatedDepression) { list.append(13) }
        case .thyroid:
            if code(.thyroid) == "E03.9" && rng.chance(M.treatedThyroid) { list.append(15) }
        case .copd:
            if rng.chance(M.treatedCOPD) { list.append(16) }
        case .asthma:
            if rng.chance(M.treatedAsthma) { list.append(17) }
        case .cancer:
            if code(.cancer) == "C50.911" && rng.chance(M.tamoxifenBreast) { list.append(18) }
        case .ckd, .pregnancy:
            break
        }
        var at = t
        for m in list where !hasMed(m) {
            let supply = rng.chance(M.ninetyDaySupply) ? 90 : 30
            addMedication(m, group: g, at: at, supply: supply, c, &rng, &sink)
            at += Int64(rng.int(0...3)) * 1000
        }
    }

    func hasClass(_ cls: String) -> Bool {
        for i in meds.indices where meds[i].med != 0 && CohortModel.medications[Int(meds[i].med) - 1].therapeuticClass == cls {
            return true
        }
        return false
    }

    /// Whether medication `med` (an index into CohortModel.medications) is in a slot.
    func hasMed(_ med: Int) -> Bool {
        for i in meds.indices where Int(meds[i].med) == med + 1 { return true }
        return false
    }

    func freeMedSlot() -> Int? {
        for i in meds.indices where meds[i].med == 0 { return i }
        return nil
    }

    /// The slot of programme `program` (an index into CohortModel.programs).
    func planIndex(_ program: Int) -> Int? {
        for i in plans.indices where Int(plans[i].program) == program + 1 { return i }
        return nil
    }

    func freePlanSlot() -> Int? {
        for i in plans.indices where plans[i].program == 0 { return i }
        return nil
    }

    /// Fills `med` now into a free slot (or nowhere when three are taken).
    mutating func addMedication(_ med: Int, group: ConditionGroup, at t: Int64, supply: Int,
                                _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        guard let i = freeMedSlot() else { return }
        meds[i] = MedSlot(med: UInt8(med + 1), group: Int8(group.rawValue), supply: UInt8(supply))
        fill(i, at: t, c, &rng, &sink)
    }

    /// A dispense of slot `i` now, and when the next one will be.
    mutating func fill(_ i: Int, at t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let spec = CohortModel.medications[Int(meds[i].med) - 1]
        let supply = Int(meds[i].supply)
        emit(t, .dispense(Dispense(medication: spec.name, therapeuticClass: spec.therapeuticClass, daysSupply: supply)), c, &sink,
             actor: rng.chance(0.5) ? Actors.pharmacies[rng.below(Actors.pharmacies.count)] : nil)
        let profile = CohortModel.adherenceProfiles[Int(adherence)]
        var next = c.day + supply
        if rng.chance(profile.early) {
            next -= rng.int(1...profile.earlyDays)
        } else if rng.chance(profile.late) {
            next += rng.int(profile.lateDays)
        } else {
            next += rng.int(0...2)
        }
        meds[i].stopped = rng.chance(profile.stop)
        meds[i].nextFill = meds[i].stopped ? never : Int32(max(next, c.day + 1))
        if supply < 30 { meds[i].supply = 30 }
    }

    mutating func medicationDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let d = c.day
        for i in meds.indices where meds[i].med != 0 && Int(meds[i].nextFill) <= d {
            if d >= Int(dropoutDay) {
                meds[i].stopped = true
                meds[i].nextFill = never
                continue
            }
            if inHospital(d) {
                meds[i].nextFill = dischargeDay
                continue
            }
            if meds[i].supply == 30 && rng.chance(CohortModel.moveToNinetyDays) { meds[i].supply = 90 }
            fill(i, at: PatientState.appTime(c, &rng, 9, 19) / 1000 * 1000, c, &rng, &sink)
        }
    }

    /// At a visit for `g`: a stopped drug may restart; a drug may be switched
    /// within its class (filled now, overlapping the old supply).
    mutating func adjustMedication(for g: ConditionGroup, at t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        for i in meds.indices where meds[i].med != 0 && meds[i].group == Int8(g.rawValue) {
            let med = Int(meds[i].med) - 1
            if meds[i].stopped {
                if rng.chance(M.restartAtVisit) { fill(i, at: t, c, &rng, &sink) }
                continue
            }
            guard rng.chance(M.switchAtVisit) else { continue }
            let target = g == .heartFailure && med == M.heartFailureSwitch.from ? M.heartFailureSwitch.to : M.medications[med].switchTo
            if let target, !hasMed(target) {
                meds[i].med = UInt8(target + 1)
                fill(i, at: t, c, &rng, &sink)
            }
        }
    }

    // MARK: Check-in plans

    mutating func enrollPlans(at t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        guard engagementLevel(d) > 0 else { return }
        if has(.heartFailure) && rng.chance(M.uptakeHeartFailureWeight) {
            enroll(program: 2, everyDays: 1, at: t, end: nil, c, &rng, &sink)
        }
        if has(.diabetes) && rng.chance(M.uptakeGlucose) {
            let insulin = hasMed(6)
            enroll(program: 1, everyDays: insulin ? 1 : rng.chance(0.5) ? 3 : 7, at: t, end: nil, c, &rng, &sink)
        }
        if has(.hypertension) && rng.chance(M.uptakeBloodPressure) {
            let daily = Int(systolic) >= M.dailyBloodPressureFrom
            enroll(program: 0, everyDays: daily ? 1 : 7, at: t, end: nil, c, &rng, &sink)
            if daily && rng.chance(M.bloodPressureToWeekly), let i = planIndex(0) {
                plans[i].change = Int32(d + rng.int(28...42))
            }
        }
        if chronicGroups != 0 && weightKg >= 95 && rng.chance(M.uptakeWeightLoss) {
            enroll(program: 3, everyDays: 7, at: t, end: nil, c, &rng, &sink)
        }
        if (has(.depression) && rng.chance(M.uptakeHabitDepression)) || (adherence == 2 && rng.chance(M.uptakeHabitPoorAdherence)) {
            enroll(program: 5, everyDays: 1, at: t, end: nil, c, &rng, &sink)
        }
        if rng.chance(M.uptakeSteps) {
            // Self-enrolled in the app in the evening.
            enroll(program: 4, everyDays: 1, at: PatientState.appTime(c, &rng, 19, 22), end: d + rng.int(30...90), c, &rng, &sink)
        }
    }

    /// Enrols in a check-in programme (index into CohortModel.programs) when a slot is free.
    mutating func enroll(program: Int, everyDays: Int, at t: Int64, end: Int?,
                         _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        guard planIndex(program) == nil, let i = freePlanSlot() else { return }
        let d = c.day
        let e = engagementLevel(d)
        plans[i] = PlanSlot(program: UInt8(program + 1), everyDays: UInt8(everyDays), offset: 0,
                            diligence: UInt8(min(250, Int((0.55 + 0.4 * e) * 255))),
                            enrolled: Int32(d), end: end.map { Int32($0) } ?? never, change: never,
                            stop: rng.chance(M.silentStop) ? Int32(d + 14 + rng.below(300)) : never, lapseUntil: 0)
        let spec = M.programs[program]
        emit(t, .enroll(Enroll(program: spec.id, plan: .checkin(metric: spec.metric, everyDays: everyDays))), c, &sink,
             actor: program == 4 ? nil : staff(Actors.nurses, &rng))
        // Some measured at home that morning, before the visit (metrics.md:
        // such a check-in counts for the enrolment day).
        if d > Int(joinDay) && [.bp, .glucose, .weight].contains(spec.metric) && rng.chance(M.readingBeforeEnrolment) {
            checkin(spec.metric, program: nil, c, &rng, &sink)
        }
    }

    mutating func planDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        let e = engagementLevel(d)
        for i in plans.indices where plans[i].program != 0 {
            if d != Int(plans[i].end) && d != Int(plans[i].change)
                && (e == 0 || d >= Int(plans[i].stop) || d < Int(plans[i].lapseUntil) || d == Int(plans[i].enrolled)) {
                continue
            }
            let spec = M.programs[Int(plans[i].program) - 1]
            if d == Int(plans[i].end) {
                emit(PatientState.appTime(c, &rng, 8, 22), .unenroll(Unenroll(program: spec.id)), c, &sink,
                     actor: spec.id == "cardiac-rehab" || spec.id == "gdm-glucose" ? staff(Actors.nurses, &rng) : nil)
                plans[i] = PlanSlot()
                continue
            }
            if d == Int(plans[i].change) {
                plans[i].everyDays = 7
                plans[i].enrolled = Int32(d)
                plans[i].change = never
                emit(PatientState.clinicTime(c, &rng), .enroll(Enroll(program: spec.id, plan: .checkin(metric: spec.metric, everyDays: 7))),
                     c, &sink, actor: staff(Actors.nurses, &rng))
            }
            if e == 0 || d >= Int(plans[i].stop) || d < Int(plans[i].lapseUntil) || inHospital(d) { continue }
            // The enrolment day: its check-ins come before the enrolment
            // (at home in the morning) and do not name the programme yet.
            if d == Int(plans[i].enrolled) { continue }
            if rng.chance(M.lapseStartPerDay) {
                plans[i].lapseUntil = Int32(d + rng.int(M.lapseDays))
                continue
            }
            let k = Int(plans[i].everyDays)
            let p = Double(plans[i].diligence) / 255
            if k > 1 {
                let pos = (d - Int(plans[i].enrolled)) % k
                if pos == 0 { plans[i].offset = UInt8(rng.below(k)) }
                if pos != Int(plans[i].offset) { continue }
            }
            guard rng.chance(p) else { continue }
            checkin(spec.metric, program: spec.id, c, &rng, &sink)
            if spec.metric == .bp && rng.chance(M.secondReading) {
                checkin(.bp, program: spec.id, c, &rng, &sink, evening: true)
            }
        }
    }

    mutating func checkin(_ metric: Metric, program: String?, _ c: DayContext, _ rng: inout Xoshiro256,
                          _ sink: inout EventSink, evening: Bool = false) {
        let M = CohortModel.self
        var t: Int64
        var actor: String?
        var withId = true
        let values: CheckinValues
        func round1(_ x: Double) -> Double { nearest(x * 10) / 10 }
        switch metric {
        case .bp:
            var s = rng.normal(Double(systolic), 9)
            if rng.chance(0.004) { s += 45 }
            s = max(85, min(240, nearest(s)))
            let dia = max(45, min(140, nearest(0.6 * s + 8 + rng.normal(0, 5))))
            values = .bp(systolic: s, diastolic: dia)
            t = PatientState.appTime(c, &rng, evening ? 19 : 6, evening ? 22 : 10)
        case .glucose:
            var g = rng.normal(Double(glucose10) / 10, 1.2)
            let insulin = hasMed(6)
            if insulin && rng.chance(0.008) { g = rng.uniform(2.2, 2.95) }
            if rng.chance(insulin ? 0.008 : 0.002) { g = rng.uniform(16.7, 24) }
            values = .glucose(mmol: round1(max(2.2, min(30, g))))
            t = PatientState.appTime(c, &rng, 6, 10)
        case .weight:
            values = .weight(kg: round1(Double(weightKg) + rng.normal(0, 1.2)))
            t = PatientState.appTime(c, &rng, 6, 9)
        case .steps:
            values = .steps(count: nearest(max(0, rng.normal(Double(steps100) * 100, 2200))))
            t = PatientState.appTime(c, &rng, 21, 24)
            actor = Actors.wearable
            withId = !rng.chance(M.wearableWithoutId)
        case .heartrate:
            values = .heartrate(bpm: nearest(max(40, rng.normal(Double(heartRate), 7))))
            t = PatientState.appTime(c, &rng, 7, 21)
            actor = Actors.wearable
            withId = !rng.chance(M.wearableWithoutId)
        case .habit:
            values = .habit(done: rng.chance(0.75) ? 1 : 0)
            t = PatientState.appTime(c, &rng, 19, 23)
        }
        let named = program != nil && rng.chance(M.checkinNamesProgram) ? program : nil
        emit(t, .checkin(Checkin(values: values, program: named)), c, &sink, actor: actor, withId: withId)
    }

    // MARK: Messages

    /// Sends an outbound message (when the patient may be messaged); returns its number.
    mutating func send(_ t: Int64, _ purpose: Purpose, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink,
                       channel: Channel? = nil, content: Int? = nil, survey: String? = nil,
                       journey step: JourneyStep? = nil, actor: String? = nil) -> UInt32? {
        guard flags.contains(.canMessage) else { return nil }
        messageNumber += 1
        let body = Message(message: messageId(messageNumber), direction: .outbound, channel: channel ?? preferredChannel,
                           purpose: purpose, content: content.map { CohortModel.contents[$0].id }, survey: survey,
                           journeyStep: step)
        emit(t, .message(body), c, &sink, actor: actor)
        return messageNumber
    }

    /// An inbound message from the patient.
    mutating func inbound(_ t: Int64, channel: Channel, _ c: DayContext, _ sink: inout EventSink) {
        messageNumber += 1
        emit(t, .message(Message(message: messageId(messageNumber), direction: .inbound, channel: channel)), c, &sink)
    }

    /// Whether and when the patient opens a delivered content.
    mutating func scheduleRead(content: Int, message: UInt32, sent t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let e = engagementLevel(c.day)
        guard e > 0, rng.chance(min(0.95, M.contents[content].readRate * (0.3 + 1.4 * e))) else { return }
        let r = rng.unit()
        if r < M.readSameDay {
            let rt = t + Int64(rng.int(5...240)) * 60_000 + Int64(rng.below(60_000))
            if rt < c.dayStart + 86_400_000 {
                read(content: content, message: message, at: rt, c, &rng, &sink)
                return
            }
        }
        let later = r < M.readSameDay + M.readWithin3Days ? rng.int(1...3) : rng.int(4...14)
        addTask(Task(day: Int32(c.day + later), kind: .read, a: UInt8(content), message: message))
    }

    mutating func read(content: Int, message: UInt32, at t: Int64, reread: Bool = false,
                       _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let e = engagementLevel(c.day)
        let progress: Double
        let complete = rng.chance(reread ? 0.6 : M.readCompletely * (0.6 + 0.8 * e))
        if complete {
            progress = rng.chance(0.4) ? 1 : Double(Int(rng.uniform(0.9, 1) * 100)) / 100
        } else {
            progress = Double(Int(rng.uniform(0.05, 0.9) * 100)) / 100
        }
        emit(t, .read(Read(content: M.contents[content].id, progress: progress, message: message == 0 ? nil : messageId(message))),
             c, &sink)
        if !complete && !reread && rng.chance(M.reread) {
            addTask(Task(day: Int32(c.day + rng.int(1...10)), kind: .reread, a: UInt8(content), message: message))
        }
    }

    /// Whether and when the patient answers a survey message.
    mutating func scheduleAnswer(_ survey: SurveyCode, message: UInt32, sent t: Int64, _ c: DayContext, _ rng: inout Xoshiro256) {
        let M = CohortModel.self
        let e = engagementLevel(c.day)
        let p = e > 0 ? M.surveyResponseBase + M.surveyResponsePerEngagement * e : 0.03
        guard rng.chance(p) else { return }
        let r = rng.unit()
        let later = r < 0.5 ? rng.int(1...2) : r < 0.92 ? rng.int(3...6) : rng.int(8...12)
        addTask(Task(day: Int32(c.day + later), kind: .answerSurvey, a: survey.rawValue, message: message))
    }

    /// Whether and how the patient answers a follow-up message.
    mutating func scheduleReply(message: UInt32, channel: Channel, sent t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let e = engagementLevel(c.day)
        if channel == .phone {
            guard rng.chance(M.followupReplyPhone) else { return }
            inbound(t + Int64(rng.int(2...15)) * 60_000, channel: .phone, c, &sink)
            return
        }
        guard rng.chance(e > 0 ? M.followupReplyBase + M.followupReplyPerEngagement * e : 0.15) else { return }
        let later = rng.chance(M.lateReply) ? rng.int(8...12) : rng.int(0...5)
        if later == 0 {
            inbound(t + Int64(rng.int(10...180)) * 60_000 + Int64(rng.below(60_000)), channel: channel, c, &sink)
        } else {
            addTask(Task(day: Int32(c.day + later), kind: .reply, a: UInt8(Channel.allCases.firstIndex(of: channel)!), message: message))
        }
    }

    /// A follow-up message from the care team: plain (answered by a reply),
    /// or naming a survey or a content (answered by it).
    mutating func sendFollowup(group: ConditionGroup?, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink,
                               journey step: JourneyStep? = nil, phq: Bool = false) {
        let t = PatientState.clinicTime(c, &rng)
        let channel: Channel = rng.chance(0.2) ? .phone : preferredChannel
        let r = rng.unit()
        if phq || (group == .depression && r < 0.3) {
            if let m = send(t, .followup, c, &rng, &sink, channel: channel == .phone ? preferredChannel : channel, survey: "phq9",
                            journey: step, actor: staff(Actors.nurses, &rng)) {
                scheduleAnswer(.phq9, message: m, sent: t, c, &rng)
            }
        } else if r < 0.2, let content = pickContent(&rng) {
            if let m = send(t, .followup, c, &rng, &sink, channel: channel == .phone ? preferredChannel : channel, content: content,
                            journey: step, actor: staff(Actors.nurses, &rng)) {
                scheduleRead(content: content, message: m, sent: t, c, &rng, &sink)
            }
        } else if let m = send(t, .followup, c, &rng, &sink, channel: channel, journey: step, actor: staff(Actors.nurses, &rng)) {
            scheduleReply(message: m, channel: channel, sent: t, c, &rng, &sink)
        }
    }

    /// A content for this patient's conditions (or a general one).
    func pickContent(_ rng: inout Xoshiro256) -> Int? {
        let M = CohortModel.self
        var candidates: [Int] = []
        for (i, spec) in M.contents.enumerated() where i < M.marketingContent {
            if let g = spec.group, has(g) { candidates.append(i) }
        }
        if candidates.isEmpty || rng.chance(0.25) {
            return M.marketingContent - M.generalContentCount + rng.below(M.generalContentCount)
        }
        return candidates[rng.below(candidates.count)]
    }

    mutating func runTasks(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let d = c.day
        for i in tasks.indices where tasks[i].kind != .none && Int(tasks[i].day) <= d {
            let task = tasks[i]
            tasks[i] = Task()
            switch task.kind {
            case .none:
                break
            case .read, .reread:
                let t = rng.chance(0.2) ? PatientState.appTime(c, &rng, 12, 13) : PatientState.appTime(c, &rng, 18, 23)
                read(content: Int(task.a), message: task.message, at: t, reread: task.kind == .reread, c, &rng, &sink)
            case .reply:
                inbound(PatientState.appTime(c, &rng, 8, 22), channel: Channel.allCases[Int(task.a)], c, &sink)
            case .answerSurvey:
                let code = SurveyCode(rawValue: task.a) ?? .nps
                answerSurvey(code, message: task.message, at: PatientState.appTime(c, &rng, 8, 23), c, &rng, &sink)
            case .sendFollowup:
                sendFollowup(group: ConditionGroup(rawValue: Int(task.a)), c, &rng, &sink)
            case .phqFollowup:
                sendFollowup(group: .depression, c, &rng, &sink, phq: rng.chance(0.5))
            case .sendSatisfaction:
                let t = c.at(10, 0) + Int64(rng.below(3_600_000))
                if let m = send(t, .survey, c, &rng, &sink, survey: "satisfaction", actor: Actors.crm) {
                    scheduleAnswer(.satisfaction, message: m, sent: t, c, &rng)
                }
            case .removeTag:
                emit(PatientState.clinicTime(c, &rng), .tag(Tag(tag: CohortModel.manualTags[Int(task.a)], op: .remove)), c, &sink,
                     actor: Actors.careManagers[rng.below(Actors.careManagers.count)])
            case .regrantMessaging:
                break // handled by consentDay, first thing in the day
            }
        }
    }

    mutating func answerSurvey(_ code: SurveyCode, message: UInt32, at t: Int64, _ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        var survey: Survey
        switch code {
        case .phq9:
            survey = phq9(c, &rng)
            if sum(survey) >= 10 {
                addTask(Task(day: Int32(c.day + rng.int(3...7)), kind: .phqFollowup))
            }
        case .satisfaction:
            survey = Survey(survey: "satisfaction", answers: [SurveyAnswer(item: "score", value: Double(rng.pick(M.satisfactionWeights)))])
        case .nps:
            survey = Survey(survey: "nps", answers: [SurveyAnswer(item: "score", value: Double(rng.pick(M.npsScoreWeights)))])
        }
        survey.message = message == 0 ? nil : messageId(message)
        emit(t, .survey(survey), c, &sink)
    }

    func sum(_ s: Survey) -> Double { s.answers.reduce(0) { $0 + $1.value } }

    /// A PHQ-9: nine items 0-3 around the patient's current severity; the
    /// score, when given, is their sum.
    func phq9(_ c: DayContext, _ rng: inout Xoshiro256) -> Survey {
        let months = Double(c.day - Int(joinDay)) / 30
        var target = Double(phqBase)
        if has(.depression) { target -= months * (hasMed(13) || hasMed(14) ? 1.0 : 0.4) }
        target = max(0, min(27, target + rng.normal(0, 2.5)))
        var answers: [SurveyAnswer] = []
        answers.reserveCapacity(9)
        var total = 0
        for q in 1...8 {
            let v = max(0, min(3, Int(nearest(target / 9 + rng.normal(0, 0.6)))))
            total += v
            answers.append(SurveyAnswer(item: "q" + String(q), value: Double(v)))
        }
        var q9 = 0
        if has(.depression) && rng.chance(target >= 15 ? 0.2 : 0.03) { q9 = rng.chance(0.75) ? 1 : 2 }
        total += q9
        answers.append(SurveyAnswer(item: "q9", value: Double(q9)))
        return Survey(survey: "phq9", answers: answers, score: rng.chance(CohortModel.phq9ScoreGiven) ? Double(total) : nil)
    }

    func gad7(_ rng: inout Xoshiro256) -> Survey {
        var answers: [SurveyAnswer] = []
        var total = 0
        let level = Double(phqBase) / 9
        for q in 1...7 {
            let v = max(0, min(3, Int(nearest(level * 0.8 + rng.normal(0, 0.7)))))
            total += v
            answers.append(SurveyAnswer(item: "q" + String(q), value: Double(v)))
        }
        return Survey(survey: "gad7", answers: answers, score: Double(total))
    }

    /// The COPD Assessment Test: eight items 0-5, score their sum (0-40).
    func copdAssessment(_ rng: inout Xoshiro256) -> Survey {
        let items = ["cough", "phlegm", "chest", "breathless", "activity", "confidence", "sleep", "energy"]
        var total = 0
        var answers: [SurveyAnswer] = []
        let level = rng.uniform(1, 3.5)
        for item in items {
            let v = max(0, min(5, Int(nearest(level + rng.normal(0, 1)))))
            total += v
            answers.append(SurveyAnswer(item: item, value: Double(v)))
        }
        return Survey(survey: "cat", answers: answers, score: Double(total))
    }

    // MARK: Journeys

    mutating func journeyDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        guard journey != .none else { return }
        let offset = c.day - Int(journeyStart)
        let steps = journey.steps
        for (n, step) in steps.enumerated() where step.day == offset {
            let t = c.at(10, 0) + Int64(rng.below(90_000))
            let js = JourneyStep(journey: journey.id, step: n + 1)
            switch step.purpose {
            case .care:
                _ = send(t, .care, c, &rng, &sink, journey: js, actor: Actors.journeyEngine)
            case .education:
                let content = CohortModel.rehabVideoContent
                if let m = send(t, .education, c, &rng, &sink, content: content, journey: js, actor: Actors.journeyEngine) {
                    scheduleRead(content: content, message: m, sent: t, c, &rng, &sink)
                }
            case .survey:
                if let m = send(t, .survey, c, &rng, &sink, survey: "satisfaction", journey: js, actor: Actors.journeyEngine) {
                    scheduleAnswer(.satisfaction, message: m, sent: t, c, &rng)
                }
            case .followup:
                let channel: Channel = rng.chance(0.5) ? .phone : preferredChannel
                if let m = send(t, .followup, c, &rng, &sink, channel: channel, journey: js, actor: Actors.journeyEngine) {
                    scheduleReply(message: m, channel: channel, sent: t, c, &rng, &sink)
                }
            case .reminder, .marketing:
                _ = send(t, .reminder, c, &rng, &sink, journey: js, actor: Actors.journeyEngine)
            }
            if n == steps.count - 1 {
                emit(t + 60_000, .unenroll(Unenroll(program: journey.id)), c, &sink, actor: Actors.journeyEngine)
                journey = .none
            }
        }
    }

    // MARK: Consent

    /// Consent changes, first thing in the day (the opt-out gateway's
    /// overnight batch, 00:00-06:59), so that nothing is sent after a
    /// withdrawal, or before a grant, the same day.
    mutating func consentDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        if flags.contains(.regrantPending) {
            for i in tasks.indices where tasks[i].kind == .regrantMessaging && Int(tasks[i].day) <= d {
                tasks[i] = Task()
                emit(PatientState.appTime(c, &rng, 0, 7), .consent(Consent(scope: .messaging, granted: true)), c, &sink)
                flags.insert(.canMessage)
                flags.remove(.regrantPending)
                return
            }
        }
        if flags.contains(.canMessage) && rng.chance(M.messagingWithdrawalPerYear / 365) {
            emit(PatientState.appTime(c, &rng, 0, 7), .consent(Consent(scope: .messaging, granted: false)), c, &sink,
                 actor: preferredChannel == .sms ? Actors.smsGateway : nil)
            flags.remove(.canMessage)
            if rng.chance(M.messagingRegrant) {
                addTask(Task(day: Int32(d + rng.int(20...120)), kind: .regrantMessaging))
                flags.insert(.regrantPending)
            }
        }
        if flags.contains(.research) && rng.chance(M.researchWithdrawalPerYear / 365) {
            emit(PatientState.appTime(c, &rng, 0, 7), .consent(Consent(scope: .research, granted: false)), c, &sink)
            flags.remove(.research)
        }
    }

    // MARK: Education, surveys, campaigns, patient contacts, tags

    mutating func contactDay(_ c: DayContext, _ rng: inout Xoshiro256, _ sink: inout EventSink) {
        let M = CohortModel.self
        let d = c.day
        let e = engagementLevel(d)
        let canMessage = flags.contains(.canMessage)
        let hospital = inHospital(d)

        if d >= Int(nextEducation) {
            nextEducation = Int32(d + rng.int(chronicGroups != 0 ? M.educationEveryChronic : M.educationEveryOther))
            if canMessage && !hospital, let content = pickContent(&rng) {
                let t = rng.chance(0.6) ? c.at(9, 0) + Int64(rng.below(7_200_000)) : c.at(17, 0) + Int64(rng.below(7_200_000))
                if let m = send(t, .education, c, &rng, &sink, content: content, actor: rng.chance(0.4) ? Actors.crm : nil) {
                    scheduleRead(content: content, message: m, sent: t, c, &rng, &sink)
                }
            }
        }
        if let campaign = c.campaign, canMessage, rng.chance(M.campaignReach) {
            let t = c.at(10, 0)
            if let m = send(t, .marketing, c, &rng, &sink, content: campaign, actor: Actors.campaign) {
                scheduleRead(content: campaign, message: m, sent: t, c, &rng, &sink)
            }
        }
        if d >= Int(nextNps) {
            nextNps = Int32(d + rng.int(M.npsEveryDays))
            let t = c.at(11, 0) + Int64(rng.below(3_600_000))
            if let m = send(t, .survey, c, &rng, &sink, survey: "nps", actor: Actors.crm) {
                scheduleAnswer(.nps, message: m, sent: t, c, &rng)
            }
        }
        if has(.depression) && d >= Int(nextPhq) {
            nextPhq = Int32(d + rng.int(M.phq9EveryDays))
            let t = c.at(9, 30) + Int64(rng.below(3_600_000))
            if let m = send(t, .survey, c, &rng, &sink, survey: "phq9", actor: staff(Actors.careManagers, &rng)) {
                scheduleAnswer(.phq9, message: m, sent: t, c, &rng)
            }
        }
        if e > 0 {
            if rng.chance(M.browsePerDay * 2 * e), let content = pickContent(&rng) {
                read(content: content, message: 0, at: PatientState.appTime(c, &rng, 12, 23), c, &rng, &sink)
            }
            if rng.chance(M.inboundPerYear / 365) {
                let t = PatientState.appTime(c, &rng, 7, 22)
                let channel: Channel = preferredChannel == .phone ? .phone : rng.chance(0.5) ? .app : preferredChannel
                inbound(t, channel: channel, c, &sink)
                if canMessage {
                    _ = send(t + Int64(rng.int(15...240)) * 60_000, .care, c, &rng, &sink, channel: channel,
                             actor: Actors.nurses[rng.below(Actors.nurses.count)])
                }
            }
            if flags.contains(.wearable) && rng.chance(1.0 / 7) {
                checkin(.heartrate, program: nil, c, &rng, &sink)
            }
        }
        if rng.chance(M.tagPerYear / 365) {
            let tag = rng.below(M.manualTags.count)
            emit(PatientState.clinicTime(c, &rng), .tag(Tag(tag: M.manualTags[tag], op: .add)), c, &sink,
                 actor: Actors.careManagers[rng.below(Actors.careManagers.count)])
            if rng.chance(M.tagRemoved) { addTask(Task(day: Int32(d + rng.int(14...120)), kind: .removeTag, a: UInt8(tag))) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import PatientLedger
import StorageWorkloads

/// The deterministic stream of typed ``PatientEvent``s every typed workload
/// and its baselines run on: event `n` is a pure function of `(seed, n)`, so
/// any prefix, any batch and any machine give the same events.
///
/// About 150 bytes per event in the binary encoding (``EventCodec``) the
/// ledger stores, like the untyped corpus's 143-byte JSON lines: every event
/// carries a `urn:uuid:` `id` (unique per `n`) and an `actor`; the mix is
/// check-ins 30%, messages 25%, visits 12%, appointments 10%, dispenses 10%,
/// reads 6%, surveys 4%, enrolments 1.5%, consents 1%, unenrolments 0.5%;
/// the patient of each event is drawn uniformly from `MRN-00000000001`...
/// (``patients`` of them; with the default 100,000 a 10-million-event ledger
/// holds about 100 events per patient); time advances 3 s per event on
/// average from 2026-01-01 (10 million events span about a year), with 3%
/// late arrivals up to two hours behind. Every event is valid (events.md).
///
/// The library's own `CohortGenerator` (LedgerSimulation) is not a product
/// of the root package, so this package cannot use it.
public struct TypedEvents: Sendable {
    /// Patients events are drawn from: `$LEDGER_BENCH_PATIENTS`, default 100,000.
    public static var defaultPatients: Int { LogFixtures.environmentInt("LEDGER_BENCH_PATIENTS") ?? 100_000 }

    /// 2026-01-01T00:00:00Z.
    public static let startTime: Int64 = 1_767_225_600_000

    public let patients: Int
    public let seed: UInt64
    /// `MRN-00000000001`... (15 bytes: small strings, no heap storage).
    private let patientNames: [String]

    public init(patients: Int = TypedEvents.defaultPatients, seed: UInt64 = 0x7E_ED5_0006) {
        self.patients = patients
        self.seed = seed
        let digits = max(11, String(patients).count)
        patientNames = (1...patients).map { i in
            let s = String(i)
            return "MRN-" + String(repeating: "0", count: digits - s.count) + s
        }
    }

    /// The patient id of `P` number `k` (0-based).
    public func patientName(_ k: Int) -> String { patientNames[k] }

    /// The patient of stream event `n`.
    @inline(__always)
    public func patientIndex(ofEvent n: Int) -> Int {
        Int(mix(UInt64(n) &+ seed &* 31) % UInt64(patients))
    }

    /// The time (ms since 1970) of stream event `n`.
    @inline(__always)
    public func time(ofEvent n: Int) -> Int64 {
        var rng = SplitMix64(seed: mix(UInt64(n) ^ seed ^ 0xA5A5))
        var t = Self.startTime + Int64(n) * 3000 + Int64(rng.next(below: 3000))
        if rng.next(below: 100) < 3 { t -= Int64(rng.next(below: 7_200_000)) }
        return max(t, Self.startTime)
    }

    /// Stream event `n`.
    public func event(_ n: Int) -> PatientEvent {
        var rng = SplitMix64(seed: mix(UInt64(n) &* 0x9E37_79B9 ^ seed))
        let time = EventTime(millisecondsSince1970: self.time(ofEvent: n))
        let patient = patientNames[patientIndex(ofEvent: n)]
        let id = "urn:uuid:" + Self.uuid(&rng)
        let actor = Pools.actors[rng.next(below: Pools.actors.count)]
        let pick = rng.next(below: 1000)
        let body: EventBody
        switch pick {
        case 0..<300:
            let values: CheckinValues
            switch rng.next(below: 6) {
            case 0: values = .bp(systolic: Double(100 + rng.next(below: 80)), diastolic: Double(60 + rng.next(below: 40)))
            case 1: values = .glucose(mmol: Double(40 + rng.next(below: 120)) / 10)
            case 2: values = .weight(kg: Double(450 + rng.next(below: 900)) / 10)
            case 3: values = .steps(count: Double(rng.next(below: 20_000)))
            case 4: values = .heartrate(bpm: Double(50 + rng.next(below: 70)))
            default: values = .habit(done: Double(rng.next(below: 2)))
            }
            body = .checkin(Checkin(values: values, program: Pools.programs[rng.next(below: Pools.programs.count)]))
        case 300..<550:
            let outbound = rng.next(below: 10) < 8
            let carriesContent = rng.next(below: 4) != 0
            body = .message(Message(
                message: "msg-" + Self.uuid(&rng),
                direction: outbound ? .outbound : .inbound,
                channel: Channel.allCases[rng.next(below: Channel.allCases.count)],
                purpose: outbound ? Purpose.allCases[rng.next(below: Purpose.allCases.count)] : nil,
                content: carriesContent ? Pools.contents[rng.next(below: Pools.contents.count)] : nil,
                survey: nil,
                journeyStep: outbound && rng.next(below: 3) == 0
                    ? JourneyStep(journey: Pools.journeys[rng.next(below: Pools.journeys.count)], step: 1 + rng.next(below: 6)) : nil))
        case 550..<670:
            body = .visit(Visit(
                kind: rng.next(below: 4) == 0 ? .telehealth : .outpatient,
                department: Pools.departments[rng.next(below: Pools.departments.count)],
                diagnoses: Pools.diagnoses[rng.next(below: Pools.diagnoses.count)],
                appointment: rng.next(below: 2) == 0 ? "apt-" + Self.uuid(&rng) : nil))
        case 670..<770:
            let status = rng.next(below: 10)
            body = .appointment(Appointment(
                appointment: "apt-" + Self.uuid(&rng),
                status: status < 8 ? .scheduled : status == 8 ? .cancelled : .noshow,
                scheduledFor: status < 8 ? EventTime(millisecondsSince1970: time.millisecondsSince1970 + Int64(1 + rng.next(below: 60)) * 86_400_000) : nil))
        case 770..<870:
            let drug = Pools.medications[rng.next(below: Pools.medications.count)]
            body = .dispense(Dispense(medication: drug.0, therapeuticClass: drug.1, daysSupply: rng.next(below: 10) < 7 ? 30 : 90))
        case 870..<930:
            body = .read(Read(content: Pools.contents[rng.next(below: Pools.contents.count)],
                              progress: Double(rng.next(below: 101)) / 100,
                              message: rng.next(below: 2) == 0 ? "msg-" + Self.uuid(&rng) : nil))
        case 930..<970:
            let name = rng.next(below: 2) == 0 ? "satisfaction" : "nps"
            body = .survey(Survey(survey: name, answers: [SurveyAnswer(item: "score", value: Double(rng.next(below: 11)))],
                                  message: rng.next(below: 2) == 0 ? "msg-" + Self.uuid(&rng) : nil))
        case 970..<985:
            let program = Pools.programs[rng.next(below: Pools.programs.count)]
            let metric = Metric.allCases[rng.next(below: Metric.allCases.count)]
            body = .enroll(Enroll(program: program, plan: .checkin(metric: metric, everyDays: [1, 3, 7][rng.next(below: 3)])))
        case 985..<995:
            body = .consent(Consent(scope: ConsentScope.allCases[rng.next(below: 3)], granted: rng.next(below: 5) != 0))
        default:
            body = .unenroll(Unenroll(program: Pools.programs[rng.next(below: Pools.programs.count)]))
        }
        return PatientEvent(patient: patient, time: time, id: id, actor: actor, body: body)
    }

    /// Replaces `batch` with stream events `from..<from+count`.
    public func fill(_ batch: inout [PatientEvent], from: Int, count: Int) {
        batch.removeAll(keepingCapacity: true)
        for n in from..<(from + count) { batch.append(event(n)) }
    }

    /// Stream events `from..<from+count` in batches of `batchSize`.
    public func batches(from: Int = 0, count: Int, batchSize: Int) -> [[PatientEvent]] {
        stride(from: from, to: from + count, by: batchSize).map { start in
            (start..<min(start + batchSize, from + count)).map { event($0) }
        }
    }

    /// The binary encodings (what the ledger stores) and timestamps of
    /// events `0..<count`, as a ``Corpus`` for the framed-chunk baselines.
    public func encodedCorpus(count: Int) -> Corpus {
        var payloads: [[UInt8]] = []
        var timestamps: [Int64] = []
        payloads.reserveCapacity(count)
        timestamps.reserveCapacity(count)
        for n in 0..<count {
            let e = event(n)
            payloads.append(EventCodec.encode(e))
            timestamps.append(e.time.millisecondsSince1970)
        }
        return Corpus.of(payloads: payloads, timestamps: timestamps)
    }

    @inline(__always)
    func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex(_ rng: inout SplitMix64, _ count: Int) -> String {
        var v = rng.next()
        return String(unsafeUninitializedCapacity: count) { buffer in
            for i in 0..<count {
                if i == 16 { v = rng.next() }
                buffer[i] = hexDigits[Int(v & 15)]
                v >>= 4
            }
            return count
        }
    }

    /// A random UUID in its 36-character form.
    static func uuid(_ rng: inout SplitMix64) -> String {
        var a = rng.next(), b = rng.next()
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var k = 0
            for i in 0..<36 {
                if i == 8 || i == 13 || i == 18 || i == 23 { buffer[i] = UInt8(ascii: "-"); continue }
                if k < 16 { buffer[i] = hexDigits[Int(a & 15)]; a >>= 4 } else { buffer[i] = hexDigits[Int(b & 15)]; b >>= 4 }
                k += 1
            }
            return 36
        }
    }
}

/// The shared strings events draw from (copies share storage).
enum Pools {
    static let actors: [String] = (0..<200).map { i in
        ["north", "south", "east", "west"][i % 4] + "-clinic.example.org/" + ["nurse", "dr", "coach", "pharm", "system"][i % 5] + "-" + String(1000 + i * 7)
    }
    static let programs = ["bp-home-monitoring-2026", "glucose-log-daily-type2", "heart-failure-weight-watch",
                           "weight-loss-programme-2026", "steps-challenge-spring-2026", "habit-tracker-sleep-hygiene",
                           "cardiac-rehab-phase2-home", "gestational-diabetes-glucose-log"]
    static let contents = ["edu-hypertension-salt-reduction-v3", "edu-diabetes-foot-care-v2", "edu-statin-side-effects",
                           "edu-inhaler-technique-video", "edu-heart-failure-daily-weight", "rehab-video-1",
                           "edu-depression-sleep-hygiene", "edu-ckd-diet-potassium"]
    static let journeys = ["cardio-discharge", "general-discharge", "diabetes-onboarding-2026", "hypertension-titration"]
    static let departments = ["endocrinology", "cardiology-outpatient", "general-practice", "nephrology",
                              "respiratory-medicine", "behavioural-health", "obstetrics"]
    static let diagnoses: [[String]] = [["I10"], ["E11.9"], ["I10", "E11.9"], ["J45.909"], ["F32.1"], ["I50.9", "I10"],
                                        ["N18.3"], ["Z00.00"], ["E78.5", "I25.10"]]
    static let medications: [(String, String)] = [
        ("atorvastatin 20 mg oral tablet", "statin"), ("lisinopril 10 mg oral tablet", "ras"),
        ("metformin 500 mg extended release", "diabetes"), ("amlodipine 5 mg oral tablet", "ccb"),
        ("salbutamol 100 mcg inhaler", "saba"), ("sertraline 50 mg oral tablet", "ssri"),
        ("furosemide 40 mg oral tablet", "loop-diuretic"), ("empagliflozin 10 mg oral tablet", "diabetes"),
    ]
}

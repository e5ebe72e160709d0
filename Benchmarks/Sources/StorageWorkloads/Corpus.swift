/// The deterministic corpus every workload and baseline runs on: realistic
/// JSON-Lines patient events of about 150 bytes (visits, messages, check-ins,
/// dispenses) for patients `P00001`...`P50000`, with increasing timestamps
/// and about 3% late arrivals (up to two hours behind).
///
/// The same seed gives the same bytes on every machine. Workloads that need
/// more events than the corpus holds cycle through it; event `n` then has
/// timestamp `timestamps[n % count] + (n / count) * span`, so timestamps keep
/// increasing across cycles and the payload bytes (hence compression) are
/// the same as in the first cycle.
///
/// Immutable after `generate`, so shared freely (hence `@unchecked Sendable`).
public final class Corpus: @unchecked Sendable {
    /// Distinct events held.
    public let count: Int
    /// Payload bytes of all events, back to back.
    public let payloadBytes: Int
    /// The time covered by one cycle, in milliseconds.
    public let span: Int64
    private let storage: UnsafeMutableRawBufferPointer
    private let starts: [Int]
    private let timestamps: [Int64]

    /// The default corpus: 200,000 events, about 30 MB (larger than the
    /// caches, so no workload runs on cache-resident input).
    public static let standard = Corpus.generate(count: 200_000)

    private init(count: Int, storage: UnsafeMutableRawBufferPointer, starts: [Int], timestamps: [Int64]) {
        self.count = count
        self.storage = storage
        self.starts = starts
        self.timestamps = timestamps
        self.payloadBytes = starts[count]
        self.span = (timestamps.max()! - timestamps.min()!) + 1
    }

    deinit { storage.deallocate() }

    /// The payload of corpus event `i` (`0..<count`).
    @inline(__always)
    public func payload(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.baseAddress! + starts[i], count: starts[i + 1] - starts[i])
    }

    /// The payload of stream event `n` (any `n >= 0`; cycles).
    @inline(__always)
    public func payload(ofEvent n: Int) -> UnsafeRawBufferPointer { payload(n % count) }

    /// The timestamp of stream event `n` (any `n >= 0`; cycles forward in time).
    @inline(__always)
    public func timestamp(ofEvent n: Int) -> Int64 {
        timestamps[n % count] + Int64(n / count) * span
    }

    /// Mean payload length in bytes.
    public var meanPayloadLength: Double { Double(payloadBytes) / Double(count) }

    /// A corpus of the given payloads and timestamps (same count), e.g. the
    /// binary encodings of typed events, so that the framed-chunk baselines
    /// (LZ4 alone, raw `pwrite`) run on exactly those bytes.
    public static func of(payloads: [[UInt8]], timestamps: [Int64]) -> Corpus {
        precondition(!payloads.isEmpty && payloads.count == timestamps.count)
        var starts: [Int] = [0]
        starts.reserveCapacity(payloads.count + 1)
        for payload in payloads { starts.append(starts.last! + payload.count) }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(starts.last!, 1), alignment: 16)
        for (i, payload) in payloads.enumerated() {
            payload.withUnsafeBytes { (storage.baseAddress! + starts[i]).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        return Corpus(count: payloads.count, storage: storage, starts: starts, timestamps: timestamps)
    }

    /// Generates `count` events from `seed`.
    public static func generate(count: Int, seed: UInt64 = 0x5EED_1ED6_E200_0001) -> Corpus {
        var rng = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * 160)
        var starts: [Int] = [0]
        starts.reserveCapacity(count + 1)
        var timestamps: [Int64] = []
        timestamps.reserveCapacity(count)
        var clock: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
        for _ in 0..<count {
            clock += Int64(rng.next(below: 500)) + 1  // mean gap 250 ms
            var at = clock
            if rng.next(below: 100) < 3 { at -= Int64(rng.next(below: 7_200_000)) }  // late arrival
            let line = EventText.line(at: at, rng: &rng)
            bytes.append(contentsOf: line.utf8)
            starts.append(bytes.count)
            timestamps.append(at)
        }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
        return Corpus(count: count, storage: storage, starts: starts, timestamps: timestamps)
    }
}

/// The text of one event line (no trailing newline: the log frames records).
enum EventText {
    static let clinics = ["north", "south", "harbour", "riverside", "old-town", "airport"]
    static let reasons = ["follow-up", "new-complaint", "vaccination", "annual-review", "lab-results", "wound-care", "prescription-renewal"]
    static let channels = ["sms", "email", "portal", "phone"]
    static let templates = ["reminder-72h", "reminder-24h", "results-ready", "recall-annual", "survey-post-visit", "free-text"]
    static let statuses = ["queued", "sent", "delivered", "read", "failed"]
    static let drugs = [("amoxicillin", "0093-4155-73"), ("metformin", "0378-0234-01"), ("lisinopril", "68180-0513-01"),
                        ("atorvastatin", "0093-5057-98"), ("levothyroxine", "0378-1805-77"), ("salbutamol", "0173-0682-20")]

    static func line(at millis: Int64, rng: inout SplitMix64) -> String {
        // Patients are skewed: a few are very active, most are not.
        let u = Double(rng.next(below: 1 << 20)) / Double(1 << 20)
        let patient = 1 + Int(u * u * 49_999)
        let p = "P" + pad(patient, 5)
        let time = iso8601(millis)
        let clinic = clinics[rng.next(below: clinics.count)]
        switch rng.next(below: 100) {
        case 0..<35:
            let reason = reasons[rng.next(below: reasons.count)]
            let provider = "dr-" + pad(1 + rng.next(below: 400), 4)
            return #"{"type":"visit","patient":"\#(p)","at":"\#(time)","clinic":"\#(clinic)","provider":"\#(provider)","reason":"\#(reason)","minutes":\#(5 + rng.next(below: 56))}"#
        case 35..<65:
            let channel = channels[rng.next(below: channels.count)]
            let template = templates[rng.next(below: templates.count)]
            let status = statuses[rng.next(below: statuses.count)]
            let direction = rng.next(below: 4) == 0 ? "in" : "out"
            return #"{"type":"message","patient":"\#(p)","at":"\#(time)","channel":"\#(channel)","direction":"\#(direction)","template":"\#(template)","status":"\#(status)"}"#
        case 65..<85:
            return #"{"type":"check-in","patient":"\#(p)","at":"\#(time)","clinic":"\#(clinic)","kiosk":"k\#(1 + rng.next(below: 9))","waitMinutes":\#(rng.next(below: 90)),"pain":\#(rng.next(below: 11))}"#
        default:
            let (drug, ndc) = drugs[rng.next(below: drugs.count)]
            let quantity = [14, 28, 30, 56, 60, 90][rng.next(below: 6)]
            return #"{"type":"dispense","patient":"\#(p)","at":"\#(time)","drug":"\#(drug)","ndc":"\#(ndc)","quantity":\#(quantity),"pharmacist":"rph-\#(pad(1 + rng.next(below: 60), 3))"}"#
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for Unix milliseconds (proleptic Gregorian, UTC).
    static func iso8601(_ millis: Int64) -> String {
        let ms = Int(millis % 1000)
        let seconds = millis / 1000
        let days = Int(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        // days -> civil date (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(ms, 3) + "Z"
    }
}

/// A small, fast, deterministic generator (SplitMix64).
public struct SplitMix64: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (bound > 0).
    @inline(__always)
    public mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}

import LedgerEvents

/// A synthetic patient cohort, as the events an upstream would send a
/// ledger: deterministic for a seed, streamed, and valid by construction
/// (every event obeys events.md).
///
/// ```swift
/// let summary = try CohortGenerator(patients: 10_000, seed: 7).generate { event in
///     try writer.write(event)
/// }
/// ```
///
/// ## The cohort (Docs/CohortModel.md has the full model and its sources)
///
/// An adult outpatient panel (ages 18-94: 32% under 40, 42% 40-64, 26% 65+;
/// 53% women) whose patients register over the window (55% in its first
/// sixth, the rest evenly), with chronic conditions at general-population
/// prevalence: hypertension ~30%, diabetes ~12% (0.6% type 1), depression
/// ~9%, asthma ~8%, coronary disease ~6%, thyroid disease ~5%, COPD ~4%, CKD
/// ~4%, cancer in follow-up ~3%, heart failure ~2%; 7% of women 18-44
/// pregnant in a year (8% of them with gestational diabetes); 4% of
/// patients a year newly diagnosed.
///
/// - Visits: booked follow-ups at the condition's cadence (60-180 days;
///   prenatal every 4, 2, then 1 week; healthy patients an annual checkup)
///   with 9% no-shows, 7% cancellations, 4% reschedules and reminders the day
///   before; 1.2 unplanned visits, 0.2-0.9 emergency visits and 0.04-0.6
///   admissions per patient-year (heart failure highest); stays of 1-9 days
///   with a `discharge`. 10% of chronic patients a year are lost to follow-up.
/// - Journeys (ROADMAP item 1): a cardiology discharge enrols
///   `cardio-discharge`: day 3 care message, day 7 `rehab-video-1`, day 30
///   satisfaction survey, day 90 return-visit reminder, then an unenrol;
///   60% of other discharges `general-discharge` (day 2 follow-up, day 30
///   satisfaction survey). Nothing is sent while messaging consent is withdrawn.
/// - Medication: first-line drugs per condition (two `diabetes`-class drugs
///   for a quarter of diabetics; same-class switches at visits, filled over
///   the old supply), 30- or 90-day fills (30% 90-day), early, on-time and
///   late refills and stops by adherence profile (50% good, 32% fair, 18% poor).
/// - Check-in plans (`bp-home` daily or weekly, `glucose-log` every 1, 3 or
///   7 days, `hf-weight`, `weight-loss`, `steps-challenge`, `habit-tracker`,
///   `cardiac-rehab`, `gdm-glucose`) with 7-30 day lapses, silent stops,
///   re-enrolments (daily to weekly) and unenrols.
/// - Messages: education about monthly for chronic patients with read rates
///   of 17-59% per content and partial reads, marketing campaigns every 90
///   days, follow-ups answered within 7 days (or late, or never), patient
///   questions answered by nurses; 15% of patients never engage digitally,
///   30% of the others a year stop.
/// - Surveys: PHQ-9 (depression, every 2-4 months; at checkups), satisfaction
///   (after 20% of visits), NPS (twice a year), `gad7`, `cat`, `intake`.
/// - Consent events at registration (70%), messaging opt-outs (3% a year, a
///   fifth opt back in), research withdrawals; manual tags; erasures (0.4% a
///   year; a fifth come back as a new history).
/// - The feed: 96% of events carry an `id` (`e-<patient>-<n>`; none on
///   legacy-feed visits and registers, 40% of wearable check-ins); about 2% of
///   events arrive 1-72 hours late (out of time order) and 1% of those with
///   an `id` are re-sent as exact duplicates 1 minute to 6 hours later.
///
/// Over 365 days a patient produces about 43 events (patients are present
/// about three quarters of the window): 10,000 patients give about 443,000
/// events, 172 bytes each as JSON.
///
/// ## Order, determinism, memory
///
/// Events come in *arrival order*: day by day, each day's events sorted by
/// time (ties by patient, then by generation), with the delayed and re-sent
/// ones slotted in at their arrival; nothing of a patient arrives after
/// their `erase`. Every patient-day draws from its own xoshiro256** stream
/// seeded by SplitMix64 from (seed, patient, day), and the upstream's delays
/// and re-sends from a stream per (seed, day): the same arguments give the
/// same sequence on every machine, and a patient's events do not depend on
/// how many other patients are generated. Memory is 336 bytes of state per
/// patient, one day's events and the delay buffer (about 3% of three days'
/// events); it does not grow with the number of days or events.
public struct CohortGenerator: Sendable {
    /// 2026-06-30T23:59:59Z, the default end of the window.
    public static let defaultEnd = EventTime(
        millisecondsSince1970: EventTimeFormat.days(year: 2026, month: 6, day: 30) * 86_400_000 + 86_399_000)

    /// Patients `P000001` ... (at least six digits).
    public let patients: Int
    /// Days in the window, ending on the day of `end`.
    public let days: Int
    public let seed: UInt64
    /// No event has a later `time` (discharges and booked appointments may
    /// lie after it).
    public let end: EventTime

    /// - Precondition: `patients >= 0`, `days >= 1`, and the window lies in
    ///   years 0001-9999.
    public init(patients: Int, days: Int = 365, seed: UInt64 = 1, end: EventTime = CohortGenerator.defaultEnd) {
        precondition(patients >= 0, "patients must not be negative")
        precondition(days >= 1, "days must be at least 1")
        precondition(end <= EventTime.latest && end.day - Int64(days) + 1 >= EventTime.earliest.day + 400,
                     "the window must lie in years 0001-9999")
        self.patients = patients
        self.days = days
        self.seed = seed
        self.end = end
    }

    /// Midnight (UTC) of the window's first day: every event's `time` lies in
    /// `start ... end` (a progress display can use that).
    public var start: EventTime {
        EventTime(millisecondsSince1970: (end.day - Int64(days) + 1) * 86_400_000)
    }

    /// Generates the cohort, calling `emit` with each event in arrival order.
    /// Returns the counts (``CohortSummary``). Stops at the first error
    /// `emit` throws, and rethrows it.
    @discardableResult
    public func generate(_ emit: (PatientEvent) throws -> Void) rethrows -> CohortSummary {
        let lastDay = Int(end.day)
        let firstDay = lastDay - days + 1
        let endYear = Int(EventTimeFormat.civil(days: Int64(lastDay)).year)
        var states: [PatientState] = []
        states.reserveCapacity(patients)
        for p in 0..<patients {
            states.append(PatientState(number: p + 1, seed: seed, firstDay: firstDay, lastDay: lastDay, endYear: endYear))
        }

        var out = Arrivals(seed: seed)
        var sink = EventSink()
        var order: [(time: Int64, index: Int32)] = []
        for day in firstDay...lastDay {
            let offset = day - firstDay
            let campaign: Int? = offset >= 30 && (offset - 30) % CohortModel.campaignEveryDays == 0
                ? ((offset - 30) / CohortModel.campaignEveryDays % 2 == 0 ? CohortModel.marketingContent : CohortModel.marketingContent - 1)
                : nil
            let dayStart = Int64(day) * 86_400_000
            let context = DayContext(day: day, dayStart: dayStart,
                                     lastMs: min(dayStart + 86_399_999, end.millisecondsSince1970),
                                     firstDay: firstDay, lastDay: lastDay, campaign: campaign,
                                     year: Int(EventTimeFormat.civil(days: Int64(day)).year))
            sink.entries.removeAll(keepingCapacity: true)
            for i in states.indices where day >= Int(states[i].joinDay) {
                var rng = Xoshiro256(seed: SplitMix64.subSeed(seed, 2, UInt64(i + 1), UInt64(bitPattern: Int64(day))))
                states[i].simulate(context, &rng, &sink)
            }
            order.removeAll(keepingCapacity: true)
            for (i, entry) in sink.entries.enumerated() {
                order.append((entry.event.time.millisecondsSince1970, Int32(i)))
            }
            order.sort { $0.time < $1.time || ($0.time == $1.time && $0.index < $1.index) }
            out.startDay(day, buffered: sink.entries.count)
            for (_, i) in order {
                let entry = sink.entries[Int(i)]
                try out.arrive(entry.event, holdable: entry.holdable, emit)
            }
        }
        try out.finish(emit)
        var summary = out.summary
        summary.patients = states.reduce(0) { $0 + ($1.flags.contains(.seen) ? 1 : 0) }
        return summary
    }
}

/// What a generation produced.
public struct CohortSummary: Sendable, Equatable {
    /// Patients with at least one event.
    public internal(set) var patients = 0
    /// Events emitted, re-sent copies included.
    public internal(set) var events = 0
    /// Events emitted by type, re-sent copies included (indexed by
    /// ``EventType/rawValue``; use ``count(of:)``).
    var byType = [Int](repeating: 0, count: 16)
    /// Re-sent copies (exact duplicates of an event emitted before, same `id`).
    public internal(set) var duplicates = 0
    /// Events held back 1-72 hours by the upstream.
    public internal(set) var delayed = 0
    /// Events emitted after an event with a later `time`.
    public internal(set) var outOfOrder = 0
    /// Events without an `id`.
    public internal(set) var withoutId = 0
    /// The most events held at once: one day's events plus the delay buffer.
    public internal(set) var peakBuffered = 0
    /// The most events held in the delay buffer at once.
    public internal(set) var peakDelayBuffer = 0
    /// The earliest and latest `time` emitted (nil when nothing was).
    public internal(set) var firstTime: EventTime?
    public internal(set) var lastTime: EventTime?

    /// Events emitted of `type`, re-sent copies included.
    public func count(of type: EventType) -> Int { byType[Int(type.rawValue)] }

    /// Events emitted by type, re-sent copies included (types with none left out).
    public var eventsByType: [EventType: Int] {
        var result: [EventType: Int] = [:]
        for type in EventType.allCases where byType[Int(type.rawValue)] > 0 { result[type] = byType[Int(type.rawValue)] }
        return result
    }

    /// Distinct events (a ledger stores this many when nothing is erased).
    public var distinctEvents: Int { events - duplicates }
}

/// The upstream between the simulation and the reader: delays some events,
/// re-sends some, and hands everything over in arrival order. Holds only
/// the events in flight (a bounded min-heap by arrival time).
struct Arrivals {
    struct Held {
        var arrival: Int64
        var sequence: UInt64
        var event: PatientEvent
        var copy: Bool
    }

    let seed: UInt64
    var rng: Xoshiro256
    var heap: [Held] = []
    var sequence: UInt64 = 0
    var maxTime = Int64.min
    var dayBuffered = 0
    var summary = CohortSummary()

    init(seed: UInt64) {
        self.seed = seed
        rng = Xoshiro256(seed: SplitMix64.subSeed(seed, 3, 0, 0))
    }

    mutating func startDay(_ day: Int, buffered: Int) {
        rng = Xoshiro256(seed: SplitMix64.subSeed(seed, 3, 1, UInt64(bitPattern: Int64(day))))
        dayBuffered = buffered
        summary.peakBuffered = max(summary.peakBuffered, buffered + heap.count)
    }

    /// An event whose time has come: delayed, or handed over (after anything
    /// held that arrives first).
    mutating func arrive(_ event: PatientEvent, holdable: Bool, _ emit: (PatientEvent) throws -> Void) rethrows {
        let t = event.time.millisecondsSince1970
        if holdable && rng.chance(CohortModel.delayed) {
            summary.delayed += 1
            hold(Held(arrival: t + Int64(rng.int(CohortModel.delayMinutes)) * 60_000 + Int64(rng.below(60_000)),
                      sequence: 0, event: event, copy: false), holdable: holdable)
            return
        }
        try release(upTo: t, emit)
        try hand(event, at: t, holdable: holdable, copy: false, emit)
    }

    mutating func finish(_ emit: (PatientEvent) throws -> Void) rethrows {
        try release(upTo: .max, emit)
    }

    private mutating func hand(_ event: PatientEvent, at arrival: Int64, holdable: Bool, copy: Bool,
                               _ emit: (PatientEvent) throws -> Void) rethrows {
        let t = event.time.millisecondsSince1970
        if t < maxTime { summary.outOfOrder += 1 }
        maxTime = max(maxTime, t)
        summary.events += 1
        summary.byType[Int(event.type.rawValue)] += 1
        if event.id == nil { summary.withoutId += 1 }
        if copy { summary.duplicates += 1 }
        if summary.firstTime.map({ event.time < $0 }) ?? true { summary.firstTime = event.time }
        if summary.lastTime.map({ event.time > $0 }) ?? true { summary.lastTime = event.time }
        try emit(event)
        if !copy && holdable && event.id != nil && rng.chance(CohortModel.resent) {
            hold(Held(arrival: arrival + Int64(rng.int(CohortModel.resendMinutes)) * 60_000 + Int64(rng.below(60_000)),
                      sequence: 0, event: event, copy: true), holdable: true)
        }
    }

    private mutating func release(upTo t: Int64, _ emit: (PatientEvent) throws -> Void) rethrows {
        while let first = heap.first, first.arrival <= t {
            let held = pop()
            try hand(held.event, at: held.arrival, holdable: !held.copy, copy: held.copy, emit)
        }
    }

    private mutating func hold(_ held: Held, holdable: Bool) {
        var held = held
        sequence += 1
        held.sequence = sequence
        heap.append(held)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Arrivals.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
        summary.peakDelayBuffer = max(summary.peakDelayBuffer, heap.count)
        summary.peakBuffered = max(summary.peakBuffered, dayBuffered + heap.count)
    }

    private mutating func pop() -> Held {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && Arrivals.before(heap[l], heap[m]) { m = l }
                if r < heap.count && Arrivals.before(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }

    private static func before(_ a: Held, _ b: Held) -> Bool {
        a.arrival < b.arrival || (a.arrival == b.arrival && a.sequence < b.sequence)
    }
}

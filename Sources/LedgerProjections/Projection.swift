import LedgerEvents

/// A read model folded from a ledger's events, which the ledger keeps up to
/// date and checkpoints: implement it for a service's own views.
///
/// The ledger feeds a projection every visible event in log order (events
/// hidden by a later `erase` never reach it) and calls ``erase(patient:)``
/// at each `erase` record; it persists ``checkpoint()`` with the log position
/// it reflects, and on the next open decodes it with ``init(checkpoint:)``
/// and feeds only the events stored since. So a projection must be a pure
/// function of the events it was given: no clock, no randomness, no I/O.
///
/// Log order is not time order: events can arrive late with earlier times.
/// A projection that needs time order keeps the (time, position) of what it
/// stores, as ``PatientProjections`` does.
///
/// ```swift
/// /// Outbound messages per channel.
/// struct MessagesPerChannel: Projection {
///     static let name = "messages-per-channel"
///     static let version: UInt32 = 1
///     var counts: [String: [Channel: Int]] = [:]     // per patient, so erase can forget
///     init() {}
///     mutating func apply(_ record: PatientEventRecord) {
///         if case .message(let m) = record.event.body, m.direction == .outbound {
///             counts[record.event.patient, default: [:]][m.channel, default: 0] += 1
///         }
///     }
///     mutating func erase(patient: String) { counts[patient] = nil }
///     func checkpoint() -> [UInt8] { ... }
///     init(checkpoint bytes: UnsafeRawBufferPointer) throws(StateDecodingError) { ... }
/// }
/// let view = try ledger.projection(MessagesPerChannel.self)   // checkpoint + catch-up
/// ```
public protocol Projection: Sendable {
    /// Names the projection and its checkpoint file: 1-64 characters among
    /// `a-z`, `0-9` and `-`. Unique among a ledger's projections.
    static var name: String { get }
    /// The version of ``checkpoint()``'s bytes (and of the fold's rules):
    /// bump it when either changes, and checkpoints of other versions are
    /// rebuilt from the log instead of decoded.
    static var version: UInt32 { get }
    /// The projection of an empty ledger.
    init()
    /// Folds the next visible event (never an `erase` record), in log order.
    mutating func apply(_ record: PatientEventRecord)
    /// Folds the next visible event (never an `erase` record), in log
    /// order, read in place from its encoded form: what the ledger calls
    /// when it folds a scan of its log. `event` is valid only during the
    /// call.
    ///
    /// The default materializes the event (``PatientEventView/event()``)
    /// and calls ``apply(_:)-(PatientEventRecord)``: implement it only to
    /// fold faster by decoding just what the projection reads. It must
    /// fold exactly as ``apply(_:)-(PatientEventRecord)`` would, and throw
    /// exactly when ``PatientEventView/event()`` throws (the ledger then
    /// reports the record as undecodable).
    mutating func apply(_ event: PatientEventView, position: UInt64) throws(EventCodecError)
    /// Forgets everything derived from `patient`'s events: an `erase`
    /// record was stored. Later events of the patient start a new history.
    mutating func erase(patient: String)
    /// The projection's state as bytes, for a checkpoint.
    func checkpoint() -> [UInt8]
    /// The state ``checkpoint()`` wrote. The ledger checks the bytes'
    /// checksum before; throw on anything else that is wrong.
    init(checkpoint bytes: UnsafeRawBufferPointer) throws(StateDecodingError)
    /// Shrinks the memory the projection holds between queries (the ledger
    /// calls it after each catch-up). Default: nothing.
    mutating func compact()
}

extension Projection {
    public mutating func compact() {}

    public mutating func apply(_ event: PatientEventView, position: UInt64) throws(EventCodecError) {
        apply(PatientEventRecord(position: position, event: try event.event()))
    }
}

/// The built-in projection: a ``PatientState`` per patient, from which each
/// patient's profile, tags and adherence and the cohort metrics follow at
/// any as-of time at or after the patient's latest event.
///
/// ```swift
/// let all = try ledger.projection(PatientProjections.self)
/// all.projection(of: "P001", asOf: asOf)        // nil when asOf is before P001's latest event
/// all.cohortMetrics(asOf: asOf)                  // nil when asOf is before some patient's latest event
/// ```
///
/// **Memory.** A state being folded is held decoded; ``compact()`` (which
/// the ledger calls after each catch-up) turns every state into its
/// encoded bytes, a few hundred bytes per patient, decoded again on
/// access. So a ledger serving queries holds its patients compactly and a
/// catch-up decodes only the patients it touches.
///
/// Erased patients leave it entirely (metrics.md: an erased patient is in
/// no projection and no count). Its checkpoint holds the patients sorted by
/// id, each with its state's bytes.
public struct PatientProjections: Projection {
    public static let name = "patients"
    /// 1: the first format of ``PatientState/encode(into:)``.
    public static let version: UInt32 = 1

    /// States being folded.
    private var live: [String: PatientState] = [:] {
        // In place (no `oldValue`): any change, even to a state, forgets
        // the index ``apply(_:of:time:position:)`` sets again.
        didSet { recent = nil }
    }
    /// The patient of the last event folded and where their state is in
    /// ``live``: a replay hands over each patient's events one after
    /// another (``Ledger/replay(asOf:threads:progress:)`` groups them), so
    /// the next event's state is mostly found without hashing its patient.
    /// Valid only until ``live`` changes otherwise.
    private var recent: (patient: String, index: Dictionary<String, PatientState>.Index)?
    /// States at rest: their encoded bytes.
    private var encoded: [String: [UInt8]] = [:]

    /// Events after this time are left out (a projection as of a fixed
    /// time, for a replay at an earlier T); nil: none are.
    public let cutoff: EventTime?
    /// The closing fold's state (``beginClosing(metricsAsOf:keepingStates:patients:)``).
    private var closing = Closing()

    public init() { cutoff = nil }

    /// A projection that leaves out events after `cutoff`: it answers only
    /// as of `cutoff` (and is not checkpointed).
    public init(cutoff: EventTime) { self.cutoff = cutoff }

    public mutating func apply(_ record: PatientEventRecord) {
        apply(record.event.body, of: record.event.patient, time: record.event.time, position: record.position)
    }

    /// Reads the body in place (and checks the id and actor as
    /// ``PatientEventView/event()`` would, without building them): only as
    /// far as the fold reads it, with the same checks and errors
    /// (``PatientEventView/bodyView()``).
    public mutating func apply(_ event: PatientEventView, position: UInt64) throws(EventCodecError) {
        try event.checkIDAndActor()
        let body = try event.bodyView()
        let time = event.time
        fold(of: event.patient, time: time) { $0.apply(body, time: time, position: position) }
    }

    /// Folds an event of `patient` into their state.
    private mutating func apply(_ body: EventBody, of patient: String, time: EventTime, position: UInt64) {
        fold(of: patient, time: time) { $0.apply(body, time: time, position: position) }
    }

    /// Calls `add` with the state of `patient` (decoded from rest, or
    /// created, when it is not in ``live``), unless the event at `time` is
    /// after ``cutoff`` and left out.
    @inline(__always)
    private mutating func fold(of patient: String, time: EventTime, _ add: (inout PatientState) -> Void) {
        if let cutoff, time > cutoff { return }
        let index: Dictionary<String, PatientState>.Index
        if let recent, recent.patient == patient {
            index = recent.index
        } else if let found = live.index(forKey: patient) {
            index = found
        } else {
            // A patient at rest is decoded to be folded again; a new one
            // starts empty.
            let resting = encoded.isEmpty ? nil : encoded.removeValue(forKey: patient)
            live[patient] = resting.map(Self.decode) ?? PatientState()
            index = live.index(forKey: patient)!
        }
        add(&live.values[index])
        recent = (patient, index)
    }

    /// Makes room for `patients` states being folded, so that a replay
    /// that knows how many patients it will meet (the ledger's index does)
    /// inserts them without the table growing: each growth moved every
    /// state folded so far (a few hundred bytes each) into fresh,
    /// page-faulting memory, about 8% of a one-thread replay of a large
    /// cohort.
    public mutating func reserveCapacity(_ patients: Int) {
        live.reserveCapacity(patients)
    }

    public mutating func erase(patient: String) {
        live[patient] = nil
        encoded[patient] = nil
        if closing.scratchPatient == patient {
            closing.scratch.removeAll()
            closing.scratchPatient = nil
        }
        if !closing.restingNotMet.isEmpty { closing.restingNotMet.remove(patient) }
    }

    /// Encodes every state being folded.
    public mutating func compact() {
        compactStates { _ in }
    }

    /// ``compact()`` and ``cohortMetrics(asOf:)`` in one pass over the
    /// states being folded: each state's projection is added to the metrics
    /// just before it is encoded, so the states' memory is walked once
    /// (the end of a replay does both).
    ///
    /// - Returns: the cohort metrics as of `asOf`, or nil when some patient
    ///   has an event after it (the states are compacted either way).
    public mutating func compact(cohortMetricsAsOf asOf: EventTime) -> CohortMetrics? {
        var metrics = CohortMetrics(asOf: asOf)
        var complete = addResting(to: &metrics)
        compactStates { state in
            if complete { complete = metrics.add(state) }
        }
        return complete ? metrics : nil
    }

    /// Encodes every state being folded, showing each to `visit` first.
    private mutating func compactStates(_ visit: (_ state: PatientState) -> Void) {
        guard !live.isEmpty else { return }
        encoded.reserveCapacity(encoded.count + live.count)
        // Each state is encoded into one reused writer and then copied
        // into an array of its exact size: one allocation per patient
        // rather than one per doubling of a growing array, and no spare
        // capacity held at rest.
        //
        // Each state is moved out of its slot (left empty) rather than
        // copied, and freed right after its encoding, while its memory is
        // still in cache: freeing them all at `live = [:]` was a second
        // sweep over every state's objects. The index loop holds no
        // reference to the table, which `live.indices` would, so the
        // slots are changed in place.
        var writer = StateWriter(capacity: 4096)
        var touched = 0
        var index = live.startIndex
        while index != live.endIndex {
            var state = PatientState()
            swap(&state, &live.values[index])
            touched &+= Self.touchArrays(of: state)
            visit(state)
            writer.removeAll()
            state.encode(to: &writer)
            encoded[live.keys[index]] = writer.bytes
            live.formIndex(after: &index)
        }
        live = [:]
        // Uses the loads (the compiler cannot tell it holds), so that
        // they are kept.
        precondition(touched >= 0, "array counts are never negative")
    }

    /// The counts of the arrays a state's history holds (its own, then
    /// those in its maps' values), summed: read one after another with no
    /// work between, so that the CPU asks for their objects' cache lines
    /// together rather than one by one as the metrics and the encoding
    /// first reach each. The states' objects lie scattered in a heap far
    /// larger than the caches, and every one is a miss: waited for one by
    /// one, they were most of the metrics' time at the end of a replay.
    /// (An array left out here costs only speed.) The reads take no
    /// reference (no atomic operation orders them).
    private static func touchArrays(of state: borrowing PatientState) -> Int {
        let h = state.history
        let f = h.followUps
        var sum = h.conditions.count &+ h.visitTimes.count &+ h.visitsByKind.count &+ h.attended.count
        sum &+= h.appointments.count &+ h.delivered.count &+ f.followUps.count &+ f.surveysByMessage.count
        sum &+= f.surveysByID.count &+ f.readsByMessage.count &+ f.readsByContent.count &+ f.inbound.count
        sum &+= h.maxProgress.count &+ h.latestCheckins.count &+ h.checkinDays.count &+ h.latestSurveys.count
        sum &+= h.fills.count &+ h.consentGiven.count &+ h.enrolmentChanges.count &+ h.tagChanges.count
        for fills in h.fills.values { sum &+= fills.count }
        for (_, days) in h.checkinDays { sum &+= days.count }
        for times in f.surveysByMessage.values { sum &+= times.count }
        for times in f.surveysByID.values { sum &+= times.count }
        for times in f.readsByMessage.values { sum &+= times.count }
        for times in f.readsByContent.values { sum &+= times.count }
        return sum
    }

    // MARK: Closing fold

    /// What the closing fold keeps between its calls.
    private struct Closing: Sendable {
        var isActive = false
        /// Whether a closed state is kept (encoded, at rest) or dropped.
        var keepsStates = true
        /// The metrics of the states closed (and of those at rest when the
        /// fold began); nil when none were asked for.
        var metrics: CohortMetrics?
        /// False once a state closed had an event after the metrics' time.
        var complete = true
        /// The state of ``scratchPatient``: one state reused patient after
        /// patient (``PatientState/removeAll()``).
        var scratch = PatientState()
        /// The patient folded into ``scratch``; nil when it is free.
        var scratchPatient: String?
        /// Patients folded into a state of their own (in ``live``) since
        /// the last ``closeFolded()``.
        var touched: [String] = []
        /// The patients at rest when the fold began and not met since: a
        /// patient met is looked up at rest only when among them (those
        /// closed since are never met again); their metrics are added at
        /// the end.
        var restingNotMet: Set<String> = []
    }

    /// Begins a closing fold: the events folded from now on with
    /// ``applyClosing(_:position:)`` are their patients' last, handed over
    /// patient by patient, and ``closeFolded()`` after a patient's events
    /// ends their state: its cohort metrics are added, then it is encoded
    /// and kept at rest (`keepingStates`) or dropped. ``endClosing()``
    /// ends the fold.
    ///
    /// What a replay's last batch of events does. A patient first met there
    /// is folded into one state reused for patient after patient, rather
    /// than a state of their own (no slot in the table, none of its lists
    /// allocated and freed), and every state is encoded and measured while
    /// its memory is in the cache, rather than in a sweep over all the
    /// states at the end. A replay whose events fit one batch builds no
    /// state of its own at all. The states, metrics and checkpoint are
    /// those of ``apply(_:position:)`` followed by
    /// ``compact(cohortMetricsAsOf:)``.
    ///
    /// - Parameters:
    ///   - asOf: the cohort metrics' time, or nil for none: of every
    ///     patient the projection holds at the end.
    ///   - keepingStates: false for a projection that serves only the
    ///     metrics (a replay's ``cutoff`` projection): a closed patient
    ///     then leaves it.
    ///   - patients: how many patients are likely to be closed, for the
    ///     table of states at rest.
    package mutating func beginClosing(metricsAsOf asOf: EventTime?, keepingStates: Bool, patients: Int) {
        precondition(!closing.isActive, "PatientProjections.beginClosing: a closing fold is under way")
        closing = Closing()
        closing.isActive = true
        closing.keepsStates = keepingStates
        closing.restingNotMet = Set(encoded.keys)
        closing.metrics = asOf.map { CohortMetrics(asOf: $0) }
        if keepingStates { encoded.reserveCapacity(encoded.count + patients) }
    }

    /// Folds an event of a closing fold: as ``apply(_:position:)``, into
    /// the reused state when the patient has no state being folded and it
    /// is free. Until the next ``closeFolded()`` the patient's state is
    /// not in the projection. A patient closed is not met again in the
    /// same fold (each patient's events come in one run, erasures
    /// included: a replay's batch groups them).
    package mutating func applyClosing(_ event: PatientEventView, position: UInt64) throws(EventCodecError) {
        precondition(closing.isActive, "PatientProjections.applyClosing: no closing fold is under way")
        try event.checkIDAndActor()
        let body = try event.bodyView()
        let time = event.time
        if let cutoff, time > cutoff { return }
        let patient = event.patient
        if closing.scratchPatient != patient {
            // A patient with a state being folded (met before the closing
            // fold, or while the reused state held another patient of the
            // same batch group) keeps it.
            guard closing.scratchPatient == nil, live.isEmpty || live.index(forKey: patient) == nil else {
                fold(of: patient, time: time) { $0.apply(body, time: time, position: position) }
                if closing.touched.last != patient { closing.touched.append(patient) }
                if !closing.restingNotMet.isEmpty { closing.restingNotMet.remove(patient) }
                return
            }
            if !closing.restingNotMet.isEmpty, closing.restingNotMet.remove(patient) != nil,
               let resting = encoded.removeValue(forKey: patient) {
                closing.scratch = Self.decode(resting)
            }
            closing.scratchPatient = patient
        }
        closing.scratch.apply(body, time: time, position: position)
    }

    /// Ends the state of every patient folded since the last call (their
    /// events are all folded): see ``beginClosing(metricsAsOf:keepingStates:patients:)``.
    package mutating func closeFolded() {
        precondition(closing.isActive, "PatientProjections.closeFolded: no closing fold is under way")
        if let patient = closing.scratchPatient {
            Self.close(closing.scratch, of: patient, keeping: closing.keepsStates,
                       metrics: &closing.metrics, complete: &closing.complete, encoded: &encoded)
            closing.scratch.removeAll()
            closing.scratchPatient = nil
        }
        guard !closing.touched.isEmpty else { return }
        for patient in closing.touched {
            guard let state = live.removeValue(forKey: patient) else { continue }    // erased since
            Self.close(state, of: patient, keeping: closing.keepsStates,
                       metrics: &closing.metrics, complete: &closing.complete, encoded: &encoded)
        }
        closing.touched.removeAll(keepingCapacity: true)
    }

    /// Ends the closing fold: closes the patients folded since the last
    /// ``closeFolded()``, then every state still being folded (patients
    /// not met during the fold): compacted (``compact()``) when states are
    /// kept, their metrics added either way, as are those of the states at
    /// rest that the fold did not meet.
    ///
    /// - Returns: the cohort metrics as of the time given to
    ///   ``beginClosing(metricsAsOf:keepingStates:patients:)``; nil when
    ///   none was, or when some patient has an event after it.
    package mutating func endClosing() -> CohortMetrics? {
        precondition(closing.isActive, "PatientProjections.endClosing: no closing fold is under way")
        closeFolded()
        var metrics = closing.metrics
        var complete = closing.complete
        let add = { (state: PatientState) in
            if complete, metrics != nil { complete = metrics!.add(state) }
        }
        if metrics != nil {
            for patient in closing.restingNotMet { if let bytes = encoded[patient] { add(Self.decode(bytes)) } }
        }
        if closing.keepsStates {
            compactStates(add)
        } else {
            for state in live.values { add(state) }
        }
        closing = Closing()
        return complete ? metrics : nil
    }

    /// Adds a closed state's metrics, then keeps its bytes at rest unless
    /// the fold drops states.
    private static func close(_ state: borrowing PatientState, of patient: String, keeping: Bool,
                              metrics: inout CohortMetrics?, complete: inout Bool, encoded: inout [String: [UInt8]]) {
        if complete, metrics != nil { complete = metrics!.add(state) }
        guard keeping else { return }
        var writer = StateWriter(capacity: 1024)
        state.encode(to: &writer)
        encoded[patient] = writer.bytes
    }

    /// Adds the patients of `other`, which has none of this projection's:
    /// the partitions of a replay that split the patients between threads.
    public mutating func merge(disjoint other: PatientProjections) {
        var other = other
        // The smaller side's states go into the larger side's tables: the
        // one part of a replay on one thread is taken as it is, not
        // inserted patient by patient into an empty projection.
        if patientCount < other.patientCount {
            swap(&live, &other.live)
            swap(&encoded, &other.encoded)
        }
        live.merge(other.live) { _, _ in preconditionFailure("partitions share a patient") }
        encoded.merge(other.encoded) { _, _ in preconditionFailure("partitions share a patient") }
    }

    /// Patients with a visible event (at any time).
    public var patientCount: Int { live.count + encoded.count }

    /// Every patient with a visible event, in no order.
    public var patients: [String] { Array(live.keys) + Array(encoded.keys) }

    /// `patient`'s state; nil when they have no visible event.
    public func state(of patient: String) -> PatientState? {
        if let state = live[patient] { return state }
        return encoded[patient].map(Self.decode)
    }

    /// Every state, decoded: O(patients).
    public var states: [String: PatientState] {
        var all = live
        for (patient, bytes) in encoded { all[patient] = Self.decode(bytes) }
        return all
    }

    /// Bytes of the states at rest (compacted), for memory figures.
    public var encodedBytes: Int { encoded.values.reduce(0) { $0 + $1.count } }

    private static func decode(_ bytes: [UInt8]) -> PatientState {
        // The bytes were encoded by this process, or by this version's
        // encoder into a checkpoint whose checksum held: they decode.
        bytes.withUnsafeBytes { raw in
            do throws(StateDecodingError) { return try PatientState(decoding: raw) } catch {
                preconditionFailure("a state this projection encoded does not decode: \(error)")
            }
        }
    }

    /// The latest event time over all patients; nil when there is none.
    public var latestTime: EventTime? { states.values.lazy.compactMap(\.latestTime).max() }

    /// `patient`'s projection as of `asOf`: nil when the patient has no
    /// state or events after `asOf` (fold their stream up to `asOf` then).
    public func projection(of patient: String, asOf: EventTime) -> PatientProjection? {
        state(of: patient)?.projection(patient: patient, asOf: asOf)
    }

    /// The cohort metrics as of `asOf`, or nil when some patient has an
    /// event after it (replay with a ``cutoff`` then).
    public func cohortMetrics(asOf: EventTime) -> CohortMetrics? {
        var metrics = CohortMetrics(asOf: asOf)
        for state in live.values { guard metrics.add(state) else { return nil } }
        return addResting(to: &metrics) ? metrics : nil
    }

    /// Adds the patients at rest to `metrics`; false when one has an event
    /// after its as-of time.
    private func addResting(to metrics: inout CohortMetrics) -> Bool {
        for bytes in encoded.values { guard metrics.add(Self.decode(bytes)) else { return false } }
        return true
    }

    /// A varint count, then per patient by code point: the id, the state's
    /// byte length (varint) and its bytes.
    ///
    /// Written straight into an array of its exact size (the states at
    /// rest are a few hundred bytes per patient, tens of megabytes for a
    /// large cohort): their sizes are summed first, so that no byte is
    /// copied twice and no memory is touched that the result does not hold.
    public func checkpoint() -> [UInt8] {
        var w = StateWriter()
        var liveBytes: [String: [UInt8]] = [:]
        for (patient, state) in live {
            w.removeAll()
            state.encode(to: &w)
            liveBytes[patient] = w.bytes
        }
        let sorted = CodePointOrder.sorted(patients)
        let states = sorted.map { encoded[$0] ?? liveBytes[$0]! }
        var size = Self.varintSize(sorted.count)
        for (patient, state) in zip(sorted, states) {
            let idLength = patient.utf8.count
            size += Self.varintSize(idLength) + idLength + Self.varintSize(state.count) + state.count
        }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var offset = 0
            func varint(_ value: Int) {
                var v = UInt64(value)
                while v >= 0x80 {
                    buffer[offset] = UInt8(truncatingIfNeeded: v) | 0x80
                    offset += 1
                    v >>= 7
                }
                buffer[offset] = UInt8(v)
                offset += 1
            }
            func append(_ bytes: UnsafeBufferPointer<UInt8>) {
                varint(bytes.count)
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset...]).initialize(from: bytes)
                offset += bytes.count
            }
            varint(sorted.count)
            for (patient, state) in zip(sorted, states) {
                var id = patient
                id.withUTF8 { append($0) }
                state.withUnsafeBufferPointer { append($0) }
            }
            precondition(offset == size, "checkpoint bytes: \(offset) written, \(size) counted")
            initialized = offset
        }
    }

    /// The bytes of `value` as a varint.
    private static func varintSize(_ value: Int) -> Int {
        var v = UInt64(value), n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    /// Keeps each patient's state bytes, decoded when the patient is
    /// needed. With `verifyingStates` every state is decoded once now, so
    /// that bytes this version's encoder did not write are refused here
    /// rather than at a query.
    ///
    /// The ledger checks the checkpoint's CRC-32C, name and version first:
    /// the bytes are then exactly those ``checkpoint()`` wrote, which
    /// decode (a tested law), so it skips the per-state check and a
    /// one-patient query does not pay for decoding every patient.
    public init(checkpoint bytes: UnsafeRawBufferPointer, verifyingStates: Bool) throws(StateDecodingError) {
        cutoff = nil
        var r = StateReader(bytes)
        let n = try r.count(minimumBytes: 2)
        encoded.reserveCapacity(n)
        for _ in 0..<n {
            let patient = try r.string()
            let length = try r.count()
            let start = r.offset
            r.offset += length
            let state = UnsafeRawBufferPointer(rebasing: bytes[start..<r.offset])
            if verifyingStates {
                do throws(StateDecodingError) {
                    _ = try PatientState(decoding: state)
                } catch {
                    throw StateDecodingError(offset: start + error.offset, reason: "patient \(patient): \(error.reason)")
                }
            }
            guard encoded.updateValue(Array(state), forKey: patient) == nil else {
                throw StateDecodingError(offset: start, reason: "patient \(patient) appears twice")
            }
        }
        guard r.isAtEnd else { throw r.fail("bytes after the last patient") }
    }

    /// The projection a ledger loads from a checksummed checkpoint: see
    /// ``init(checkpoint:verifyingStates:)`` (states are not decoded now).
    public init(checkpoint bytes: UnsafeRawBufferPointer) throws(StateDecodingError) {
        try self.init(checkpoint: bytes, verifyingStates: false)
    }
}

extension CohortMetrics {
    /// Adds the projection of the patient with this state, without
    /// building it (``add(history:)``); false (nothing added) when the
    /// state has an event after ``asOf``.
    fileprivate mutating func add(_ state: PatientState) -> Bool {
        guard state.answers(asOf: asOf) else { return false }
        add(history: state.history)
        return true
    }
}

/// A borrowed, non-allocating view of one encoded event: the envelope read
/// in place, the body decoded only when asked.
///
/// For replay and scans that look at a few fields of every event: building
/// a view reads the payload's four header bytes and the lengths of its
/// patient, id and actor, and checks them, but allocates nothing and copies
/// nothing. The strings are byte ranges of the payload
/// (``patientBytes``, ``idBytes``, ``actorBytes``); ``patient``, ``id()`` and
/// ``actor()`` build `String`s on demand, and ``event()`` materializes the
/// whole ``PatientEvent``, exactly as ``EventCodec/decode(_:time:)-(UnsafeRawBufferPointer,EventTime)``
/// would.
///
/// **Validity.** A view points into the memory it was built over (for
/// ``Ledger/scan``, the decompressed block): it is valid only as long as
/// that memory is, i.e. inside the closure that receives it. Do not store
/// it or its byte buffers; copy what must outlive the closure (``event()``,
/// ``patient``, `Array(view.patientBytes)`).
///
/// **What is validated when.** Everything `EventCodec.decode` checks is
/// checked before a value is handed out, with the same ``EventCodecError``
/// (reason and offset); what is checked when is chosen for replay, which
/// reads the type, time and patient of every event and little else:
/// - eagerly, in ``init(payload:time:)``: the four header bytes (format
///   version, unknown flag bits), the lengths of the patient, id and actor
///   (shortest-form varints, within the payload), and the patient's UTF-8
///   (ASCII is checked a word at a time; other text takes the full check).
///   So ``type``, ``time``, ``patientBytes``, ``patient`` and
///   ``hasPatient(_:)`` never fail, and every byte range lies inside the
///   payload.
/// - lazily: the UTF-8 of the id and the actor, in ``id()``, ``actor()``,
///   ``envelope()`` and ``event()`` (``idBytes`` and ``actorBytes`` are the
///   raw, not yet checked bytes); the body (presence bits, enumeration
///   codes, numbers, nested strings, trailing bytes) in ``body()`` and
///   ``event()``.
///
/// So a view may exist over a payload `decode` rejects; ``event()`` then
/// throws `decode`'s error, and ``envelope()`` throws what
/// ``EventCodec/envelope(_:)`` throws. When the initializer throws, it is
/// the error `decode` and `envelope` throw. Nothing traps on any input.
///
/// ```swift
/// let view = try PatientEventView(payload: payload, time: time)
/// if view.type == .checkin && view.hasPatient("P001") {
///     let event = try view.event()          // allocates only now
/// }
/// ```
///
/// Thread-safety: a value over borrowed memory; use it on the thread that
/// holds the memory.
public struct PatientEventView {
    /// The whole payload the view reads (envelope and body).
    public let payload: UnsafeRawBufferPointer
    /// The event's time: the record's timestamp, which the payload does not
    /// repeat.
    public let time: EventTime
    /// The binary type code: ``EventType/rawValue`` for this version's
    /// types (1...13), anything for a newer one.
    public let typeCode: UInt8
    /// The body's version for that type (1 for every type of format 1;
    /// bit 7 marks a sealed body).
    public let typeVersion: UInt8
    @usableFromInline let flags: UInt8
    @usableFromInline let patientStart: Int
    @usableFromInline let patientEnd: Int
    /// -1 when absent.
    @usableFromInline let idStart: Int
    @usableFromInline let idEnd: Int
    /// -1 when absent.
    @usableFromInline let actorStart: Int
    @usableFromInline let actorEnd: Int
    @usableFromInline let bodyStart: Int

    /// Reads the envelope of `payload`; see the type's documentation for
    /// what is checked now and what later.
    ///
    /// - Parameters:
    ///   - payload: Exactly one record's payload. The view borrows it.
    ///   - time: The record's timestamp (the event's time).
    /// - Throws: ``EventCodecError``, the same as ``EventCodec/envelope(_:)``
    ///   and `decode` throw for this payload.
    ///
    /// Cost: the header bytes, three lengths and the patient's bytes (about
    /// 20 bytes for these patient ids); no allocation.
    @inline(__always)
    public init(payload: UnsafeRawBufferPointer, time: EventTime) throws(EventCodecError) {
        var reader = PayloadReader(payload)
        let (typeCode, typeVersion, flags) = try reader.envelopeHeader()
        let patient = try reader.stringRange("patient")
        var id = -1..<(-1)
        var actor = -1..<(-1)
        do throws(EventCodecError) {
            if flags & EventCodec.Flag.id != 0 { id = try reader.unvalidatedStringRange("id") }
            if flags & EventCodec.Flag.actor != 0 { actor = try reader.unvalidatedStringRange("actor") }
        } catch {
            // decode checks the id's UTF-8 before it reads the actor.
            if id.lowerBound >= 0, let earlier = PayloadReader.utf8Failure("id", id, in: payload) { throw earlier }
            throw error
        }
        self.payload = payload
        self.time = time
        self.typeCode = typeCode
        self.typeVersion = typeVersion
        self.flags = flags
        patientStart = patient.lowerBound
        patientEnd = patient.upperBound
        idStart = id.lowerBound
        idEnd = id.upperBound
        actorStart = actor.lowerBound
        actorEnd = actor.upperBound
        bodyStart = reader.offset
    }

    // MARK: - Envelope, in place

    /// The event's type when this codec decodes its body; nil when the body
    /// is carried as ``EventBody/unrecognized(_:)`` (a newer type or type
    /// version, a sealed or an opaque body). Equal to `try event().type`
    /// whenever that is not `.unrecognized`.
    @inlinable
    public var type: EventType? {
        // 0b100: EventCodec.Flag.opaque; 1: EventCodec.typeVersion (inlinable code sees only public names).
        guard flags & 0b100 == 0, typeVersion == 1 else { return nil }
        return EventType(rawValue: typeCode)
    }

    /// Whether ``event()`` would be an `erase` (erase records are audit
    /// records: a scan shows them even when it hides erased events).
    @inlinable
    public var isErase: Bool { typeCode == EventType.erase.rawValue && typeVersion == 1 && flags & 0b100 == 0 }

    /// The patient's UTF-8 bytes, inside ``payload``: valid as long as it is.
    @inlinable
    public var patientBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: payload[patientStart..<patientEnd])
    }

    /// The idempotency id's bytes, or nil when the event has none: not yet
    /// checked as UTF-8 (``id()`` checks).
    @inlinable
    public var idBytes: UnsafeRawBufferPointer? {
        idStart < 0 ? nil : UnsafeRawBufferPointer(rebasing: payload[idStart..<idEnd])
    }

    /// The actor's bytes, or nil when the event has none: not yet checked as
    /// UTF-8 (``actor()`` checks).
    @inlinable
    public var actorBytes: UnsafeRawBufferPointer? {
        actorStart < 0 ? nil : UnsafeRawBufferPointer(rebasing: payload[actorStart..<actorEnd])
    }

    /// The bytes of the id and the actor with their lengths: what
    /// ``copyWithoutIDAndActor(to:)`` leaves out.
    package var idAndActorByteCount: Int { bodyStart - patientEnd }

    /// Writes the payload without the id and the actor (their flags
    /// cleared) to `destination`, which has room for `payload.count -
    /// idAndActorByteCount` bytes: the payload of an event with the same
    /// type, patient and body (a replay keeps events so, having checked
    /// their id and actor). An error in its body lies
    /// ``idAndActorByteCount`` bytes before the same error in this payload.
    package func copyWithoutIDAndActor(to destination: UnsafeMutableRawPointer) {
        guard let source = payload.baseAddress else { return }
        destination.copyMemory(from: source, byteCount: patientEnd)
        // The flags byte follows the format version, type code and type
        // version (PayloadReader.envelopeHeader).
        destination.storeBytes(of: flags & ~(EventCodec.Flag.id | EventCodec.Flag.actor), toByteOffset: 3, as: UInt8.self)
        (destination + patientEnd).copyMemory(from: source + bodyStart, byteCount: payload.count - bodyStart)
    }

    /// The encoded body: every byte after the envelope (Docs/EventCodec.md,
    /// "Bodies"). Not validated until ``body()`` or ``event()``.
    @inlinable
    public var bodyBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: payload[bodyStart..<payload.count])
    }

    /// Calls `body` with the patient's bytes and returns its result: the
    /// borrow made explicit.
    @inlinable
    public func withPatient<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(patientBytes)
    }

    /// Whether the event's patient is `patient`, comparing UTF-8 bytes (no
    /// allocation; strings are stored exactly as given, without
    /// normalization, so this is `String` equality for these ids).
    public func hasPatient(_ patient: String) -> Bool {
        var patient = patient
        return patient.withUTF8 { utf8 in
            utf8.count == patientEnd - patientStart && utf8.elementsEqual(patientBytes)
        }
    }

    /// The patient, as a new `String` (no heap allocation for 15 ASCII
    /// bytes or fewer).
    public var patient: String { string(patientStart, patientEnd) }

    /// The idempotency id, as a new `String`, or nil.
    /// - Throws: `decode`'s error when it is not valid UTF-8.
    public func id() throws(EventCodecError) -> String? {
        guard idStart >= 0 else { return nil }
        if let error = PayloadReader.utf8Failure("id", idStart..<idEnd, in: payload) { throw error }
        return string(idStart, idEnd)
    }

    /// The actor, as a new `String`, or nil.
    /// - Throws: `decode`'s error when it is not valid UTF-8.
    public func actor() throws(EventCodecError) -> String? {
        guard actorStart >= 0 else { return nil }
        if let error = PayloadReader.utf8Failure("actor", actorStart..<actorEnd, in: payload) { throw error }
        return string(actorStart, actorEnd)
    }

    /// Checks the UTF-8 of the id and the actor, which ``init(payload:time:)``
    /// leaves for later, without building their `String`s: throws what
    /// ``id()`` and then ``actor()`` would throw.
    ///
    /// For a fold that reads the body (``body()``) but neither string:
    /// `checkIDAndActor()` then `body()` accepts exactly the payloads
    /// ``event()`` accepts and throws the same errors.
    @inline(__always)
    public func checkIDAndActor() throws(EventCodecError) {
        if idStart >= 0, let error = PayloadReader.utf8Failure("id", idStart..<idEnd, in: payload) { throw error }
        if actorStart >= 0, let error = PayloadReader.utf8Failure("actor", actorStart..<actorEnd, in: payload) { throw error }
    }

    /// The envelope as ``EventCodec/envelope(_:)`` returns it (or the error
    /// it throws: the id's or actor's UTF-8).
    public func envelope() throws(EventCodecError) -> EventEnvelope {
        let id = try id()
        return EventEnvelope(typeCode: typeCode, typeVersion: typeVersion, patient: patient, id: id, actor: try actor())
    }

    // MARK: - Materializing

    /// Decodes the body, as ``EventCodec/decode(_:time:)-(UnsafeRawBufferPointer,EventTime)``
    /// would (an unknown type or version, or an opaque body, is
    /// `.unrecognized` with the body's bytes).
    ///
    /// - Throws: ``EventCodecError`` with the offset (within the payload)
    ///   of the malformed field, as `decode` does.
    /// Cost: O(body size); allocates the body's strings longer than 15
    /// bytes and its arrays.
    public func body() throws(EventCodecError) -> EventBody {
        var reader = PayloadReader(payload, offset: bodyStart)
        if flags & EventCodec.Flag.opaque != 0 || !EventCodec.decodesBody(typeCode: typeCode, typeVersion: typeVersion) {
            return .unrecognized(UnrecognizedBody(typeCode: typeCode, typeVersion: typeVersion, bytes: reader.rest()))
        }
        return try reader.body(typeCode: typeCode, time: time)
    }

    /// The whole event, equal to what ``EventCodec/decode(_:time:)-(UnsafeRawBufferPointer,EventTime)``
    /// returns for the same payload and time (and throwing the same error
    /// when it throws).
    ///
    /// Cost: `decode`'s, less the envelope's re-parsing; allocates the
    /// strings longer than 15 bytes (here UUID ids) and the arrays.
    public func event() throws(EventCodecError) -> PatientEvent {
        // decode's order: id, actor, body.
        let id = try id()
        let actor = try actor()
        let body = try body()
        return PatientEvent(patient: patient, time: time, id: id, actor: actor, body: body)
    }

    /// The string of the (validated) bytes `start..<end` of the payload.
    @inline(__always)
    func string(_ start: Int, _ end: Int) -> String {
        guard let base = payload.baseAddress, end > start else { return "" }
        let p = (base + start).assumingMemoryBound(to: UInt8.self)
        if let small = SmallASCIIString.make(p, count: end - start, readable: payload.count - start) {
            return small
        }
        return String(decoding: UnsafeBufferPointer(start: p, count: end - start), as: UTF8.self)
    }
}

extension PatientEventView: CustomStringConvertible {
    /// `TYPE patient=P id=I actor=A @ TIME`, for debugging (allocates).
    public var description: String {
        let name = type.map { $0.name } ?? "unrecognized(\(typeCode)/\(typeVersion))"
        var text = "\(name) patient=\(patient)"
        if let id = idBytes { text += " id=\(String(decoding: id, as: UTF8.self))" }
        if let actor = actorBytes { text += " actor=\(String(decoding: actor, as: UTF8.self))" }
        return text + " @ \(time.millisecondsSince1970)"
    }
}

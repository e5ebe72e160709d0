/// The versioned binary form of a ``PatientEvent``: the payload of one
/// segment-log record. The format is specified in `Docs/EventCodec.md`;
/// this file holds its constants; change both together.
///
/// ```
/// payload  := envelope body                       ; body: the rest of the payload
/// envelope := formatVersion(u8 = 1) typeCode(u8) typeVersion(u8) flags(u8)
///             string(patient) [string(id)] [string(actor)]
/// ```
///
/// The event's `time` is not in the payload: the segment log stores it as the
/// record's timestamp, so it is passed to ``decode(_:time:)-(UnsafeRawBufferPointer,EventTime)``.
///
/// ```swift
/// var payload: [UInt8] = []
/// payload.reserveCapacity(4096)
/// EventCodec.encode(event, into: &payload)           // appends; no allocation with capacity
/// try log.append(timestamp: event.time.millisecondsSince1970, payload: payload)
///
/// let record = try log.read(at: position)
/// let time = EventTime(millisecondsSince1970: record.timestamp)
/// let back = try EventCodec.decode(record.payload, time: time)   // == event
/// ```
///
/// Thread-safety: stateless; every function may be called from any thread.
public enum EventCodec {
    /// The payload format this codec writes and reads (the payload's first
    /// byte). A payload with another value is refused: a new format version
    /// is reserved for a redesign of the envelope; new event types, new
    /// versions of a type and sealed bodies all fit within format 1.
    public static let formatVersion: UInt8 = 1

    /// The body version this codec writes, and the only one it decodes, for
    /// each of the 13 types of ``EventType``.
    static let typeVersion: UInt8 = 1

    /// Envelope flag bits (Docs/EventCodec.md, "Envelope").
    enum Flag {
        /// An idempotency id follows the patient.
        static let id: UInt8 = 1 << 0
        /// An actor follows the patient (and the id, if any).
        static let actor: UInt8 = 1 << 1
        /// The body is carried opaque: decode yields `.unrecognized` whatever
        /// the type code and version. Set only when encoding an
        /// `.unrecognized` value whose type code and version this codec would
        /// otherwise decode.
        static let opaque: UInt8 = 1 << 2
        /// Every bit format 1 defines; any other set bit is an error.
        static let known: UInt8 = id | actor | opaque
    }

    /// Reserved, never written by this version: a type version with this bit
    /// set marks a sealed (encrypted) body (crypto-shredding, ROADMAP.md
    /// "Privacy"). This reader carries such records as `.unrecognized`.
    static let sealedTypeVersionBit: UInt8 = 0x80

    /// Whether this codec decodes bodies of `typeCode` at `typeVersion`.
    @inline(__always)
    static func decodesBody(typeCode: UInt8, typeVersion: UInt8) -> Bool {
        typeCode >= 1 && typeCode <= 13 && typeVersion == EventCodec.typeVersion
    }

    // MARK: - Encoding

    /// Appends the payload of `event` to `bytes`.
    ///
    /// Does not validate (that is ``PatientEvent`` validation's job), yet
    /// every value the model can hold encodes to a payload that decodes back
    /// to it: strings of any length, any `Int`, any `Double` bit pattern (NaN
    /// payloads included), any pair of times. An `.unrecognized` body is
    /// written back exactly as it was read.
    ///
    /// - Parameters:
    ///   - event: The event. Its `time` is not written; discharge and
    ///     scheduled times are written relative to it.
    ///   - bytes: The array to append to; existing content is kept.
    ///
    /// Cost: O(payload size); no allocation when `bytes` has the capacity
    /// (a few dozen bytes for typical events), otherwise the array grows.
    ///
    /// ```swift
    /// var block: [UInt8] = []
    /// block.reserveCapacity(32 << 10)
    /// for event in events { EventCodec.encode(event, into: &block) }
    /// ```
    public static func encode(_ event: PatientEvent, into bytes: inout [UInt8]) {
        // The scratch on the stack (PayloadWriter); `bytes` moved in and out.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { scratch in
            var writer = PayloadWriter(taking: &bytes, scratch: scratch)
            writer.event(event)
            bytes = writer.finish()
        }
    }

    /// The payload of `event`, in a new array.
    ///
    /// Cost: allocates the array (reserving 64 bytes, growing if needed).
    ///
    /// ```swift
    /// let payload = EventCodec.encode(event)
    /// ```
    public static func encode(_ event: PatientEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        encode(event, into: &bytes)
        return bytes
    }

    // MARK: - Decoding

    /// Decodes one payload into an event.
    ///
    /// A record of a type or type version this codec does not know (written
    /// by a newer PatientLedger) decodes to `.unrecognized` carrying the body
    /// bytes, with the envelope fields intact; it is never an error, and
    /// ``encode(_:into:)`` writes it back byte for byte.
    ///
    /// - Parameters:
    ///   - payload: Exactly one record's payload.
    ///   - time: The record's timestamp (the event's time), which the payload
    ///     does not repeat.
    /// - Returns: The event, with `time` set to `time`.
    /// - Throws: ``EventCodecError`` with the offset of the offending field
    ///   when the payload is malformed (truncated, trailing bytes, an unknown
    ///   enumeration code or flag, invalid UTF-8, a non-canonical varint or
    ///   number) or has a format version other than ``formatVersion``.
    ///   Never traps, whatever the bytes.
    ///
    /// Cost: O(payload size); allocates the event's strings longer than 15
    /// bytes and its arrays.
    ///
    /// ```swift
    /// let event = try payload.withUnsafeBytes { try EventCodec.decode($0, time: time) }
    /// ```
    public static func decode(_ payload: UnsafeRawBufferPointer, time: EventTime) throws(EventCodecError) -> PatientEvent {
        var reader = PayloadReader(payload)
        // The envelope's fields go straight into locals (not an
        // EventEnvelope), so building the event moves its strings instead
        // of copying them and releasing the envelope's.
        let (typeCode, typeVersion, flags) = try reader.envelopeHeader()
        let patient = try reader.string("patient")
        let id = flags & Flag.id != 0 ? try reader.string("id") : nil
        let actor = flags & Flag.actor != 0 ? try reader.string("actor") : nil
        let body: EventBody
        if flags & Flag.opaque != 0 || !decodesBody(typeCode: typeCode, typeVersion: typeVersion) {
            body = .unrecognized(UnrecognizedBody(typeCode: typeCode, typeVersion: typeVersion, bytes: reader.rest()))
        } else {
            body = try reader.body(typeCode: typeCode, time: time)
        }
        return PatientEvent(patient: patient, time: time, id: id, actor: actor, body: body)
    }

    /// Decodes one payload into an event; see
    /// ``decode(_:time:)-(UnsafeRawBufferPointer,EventTime)``.
    ///
    /// ```swift
    /// let event = try EventCodec.decode(record.payload, time: EventTime(millisecondsSince1970: record.timestamp))
    /// ```
    public static func decode(_ payload: [UInt8], time: EventTime) throws(EventCodecError) -> PatientEvent {
        let result: Result<PatientEvent, EventCodecError> = payload.withUnsafeBytes { buffer in
            do throws(EventCodecError) {
                return .success(try decode(buffer, time: time))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads only the envelope of a payload: type code and version, patient,
    /// id and actor. The body is neither decoded nor checked.
    ///
    /// For the per-patient and idempotency indexes, which read every record
    /// on recovery. Agrees with ``decode(_:time:)-(UnsafeRawBufferPointer,EventTime)``
    /// on every payload that decodes; may succeed on one whose body is
    /// malformed.
    ///
    /// - Throws: ``EventCodecError`` when the envelope itself is malformed
    ///   or of another format version.
    ///
    /// Cost: reads 4 bytes and up to three strings; allocates only strings
    /// longer than 15 bytes.
    ///
    /// ```swift
    /// let envelope = try record.payload.withUnsafeBytes { try EventCodec.envelope($0) }
    /// patientIndex.add(position, for: envelope.patient)
    /// ```
    public static func envelope(_ payload: UnsafeRawBufferPointer) throws(EventCodecError) -> EventEnvelope {
        var reader = PayloadReader(payload)
        var flags: UInt8 = 0
        return try reader.envelope(flags: &flags)
    }
}

// MARK: - Envelope

extension PayloadWriter {
    /// Writes the whole payload of `event`.
    mutating func event(_ event: PatientEvent) {
        let typeCode: UInt8
        let typeVersion: UInt8
        var flags: UInt8 = 0
        if case .unrecognized(let unrecognized) = event.body {
            typeCode = unrecognized.typeCode
            typeVersion = unrecognized.typeVersion
            if EventCodec.decodesBody(typeCode: typeCode, typeVersion: typeVersion) {
                flags |= EventCodec.Flag.opaque
            }
        } else {
            typeCode = event.body.type.rawValue
            typeVersion = EventCodec.typeVersion
        }
        if event.id != nil { flags |= EventCodec.Flag.id }
        if event.actor != nil { flags |= EventCodec.Flag.actor }
        byte(EventCodec.formatVersion)
        byte(typeCode)
        byte(typeVersion)
        byte(flags)
        string(event.patient)
        if let id = event.id { string(id) }
        if let actor = event.actor { string(actor) }
        body(event.body, time: event.time)
    }
}

extension PayloadReader {
    /// Reads the envelope; sets `flags` to its flags byte.
    mutating func envelope(flags: inout UInt8) throws(EventCodecError) -> EventEnvelope {
        let (typeCode, typeVersion, bits) = try envelopeHeader()
        flags = bits
        let patient = try string("patient")
        let id = flags & EventCodec.Flag.id != 0 ? try string("id") : nil
        let actor = flags & EventCodec.Flag.actor != 0 ? try string("actor") : nil
        return EventEnvelope(typeCode: typeCode, typeVersion: typeVersion, patient: patient, id: id, actor: actor)
    }

    /// Reads the envelope's four fixed bytes (format version checked,
    /// unknown flags refused): type code, type version, flags.
    @inline(__always)
    mutating func envelopeHeader() throws(EventCodecError) -> (typeCode: UInt8, typeVersion: UInt8, flags: UInt8) {
        guard !isAtEnd else { throw failure("empty payload", at: 0) }
        let format = try byte("format version")
        guard format == EventCodec.formatVersion else {
            if format > EventCodec.formatVersion {
                throw failure("written by a newer PatientLedger (format \(format)); this one reads format \(EventCodec.formatVersion)", at: 0)
            }
            throw failure("unknown format version 0", at: 0)
        }
        let typeCode = try byte("type code")
        let typeVersion = try byte("type version")
        let flagsOffset = offset
        let flags = try byte("envelope flags")
        guard flags & ~EventCodec.Flag.known == 0 else {
            throw failure("unknown envelope flags 0x\(Self.hex(flags & ~EventCodec.Flag.known))", at: flagsOffset)
        }
        return (typeCode, typeVersion, flags)
    }
}

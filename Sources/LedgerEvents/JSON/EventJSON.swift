/// The JSON Lines interchange format of events.md: what `ledger import`
/// reads and `ledger dump` writes, one event per line.
///
/// Decoding is strict (unknown keys, duplicate keys, `null`, non-finite
/// numbers, wrong value kinds are errors), upper-cases ICD-10 codes and runs
/// ``PatientEvent/validate()``. Encoding writes the canonical form, so that
/// for every valid line `x`, `encode(decode(x))` decodes to the same event
/// and `encode(decode(encode(e))) == encode(e)`.
///
/// Stateless and thread-safe. No Foundation.
///
/// ```swift
/// switch EventJSON.decode(#"{"type":"erase","patient":"P001","time":"2026-01-02T08:00:00+01:00"}"#) {
/// case .success(let event):
///     print(EventJSON.encode(event))
///     // {"type":"erase","patient":"P001","time":"2026-01-02T07:00:00Z"}
/// case .failure(let error):
///     print("events.jsonl:1: \(error.message)")
/// }
/// ```
public enum EventJSON {
    /// Decodes one line of JSON Lines (its bytes without the line end; a
    /// trailing `\r` or other JSON whitespace is allowed).
    ///
    /// - Parameter line: UTF-8 bytes. An empty or whitespace-only line is
    ///   `empty line`; a leading byte-order mark is refused.
    /// - Returns: the normalized, validated event, or the first problem
    ///   found as a one-line message without file or line (the caller
    ///   prefixes `FILE:LINE: `). Records of type `unrecognized` (as `dump`
    ///   writes them) are refused.
    ///
    /// Cost: one pass over the bytes (plus a second over `values`);
    /// allocates the event's strings (inline when 15 bytes or fewer) and
    /// arrays, nothing per key.
    public static func decode(line: UnsafeRawBufferPointer) -> Result<PatientEvent, EventValidationError> {
        do throws(EventValidationError) {
            return .success(try EventJSONDecoder.decode(line))
        } catch {
            return .failure(error)
        }
    }

    /// Decodes one line of JSON Lines given as a String; see
    /// ``decode(line:)``.
    public static func decode(_ line: String) -> Result<PatientEvent, EventValidationError> {
        var copy = line
        return copy.withUTF8 { decode(line: UnsafeRawBufferPointer($0)) }
    }

    /// The canonical JSON form of `event`, on one line, without a line end.
    ///
    /// Keys in the order of events.md's tables (`type`, `patient`, `time`,
    /// `id`, `actor`, then the type's keys), absent optional keys omitted,
    /// times in canonical UTC, no spaces. An ``EventBody/unrecognized(_:)``
    /// body is written as `{"type":"unrecognized",...,"typeCode":N,
    /// "typeVersion":N,"body":"<hex>"}`. The event is not validated; a
    /// non-finite number (never valid) is written as `null`.
    public static func encode(_ event: PatientEvent) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(192)
        EventJSONEncoder.append(event, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the canonical JSON form of `event` (see ``encode(_:)``) to
    /// `bytes`, without a line end.
    ///
    /// Cost: allocation-free when `bytes` has room (a number that is not
    /// integral may allocate its spelling).
    public static func append(_ event: PatientEvent, to bytes: inout [UInt8]) {
        EventJSONEncoder.append(event, to: &bytes)
    }
}

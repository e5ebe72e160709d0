// RFC 3339 date-times as events.md accepts them (the `time` row and the
// edge rules): `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any length
// (truncated to milliseconds, not rounded), then `Z` or `±HH:MM` with offsets
// up to ±23:59; `T` and `Z` in either case; no leap second; a real calendar
// date; years 0001-9999 in UTC once the offset is applied.

extension EventTime {
    /// Parses an RFC 3339 date-time as events.md accepts it.
    ///
    /// - Parameter text: e.g. `2026-03-01T08:30:00Z` or
    ///   `2026-03-01T16:30:00.25+08:00`.
    /// - Throws: ``EventValidationError`` saying what is wrong (syntax, a
    ///   date that does not exist, a leap second, an offset beyond ±23:59, a
    ///   UTC year outside 0001-9999).
    ///
    /// Fraction digits beyond the third are dropped (`.9999` is 999 ms).
    /// Allocation-free unless it throws.
    ///
    /// ```swift
    /// let t = try EventTime(parsing: "2026-03-01T16:30:00.25+08:00")
    /// t.description   // "2026-03-01T08:30:00.250Z"
    /// ```
    public init(parsing text: String) throws(EventValidationError) {
        var copy = text
        let result = copy.withUTF8 { RFC3339.parse(UnsafeRawBufferPointer($0)) }
        switch result {
        case .success(let ms): self.init(millisecondsSince1970: ms)
        case .failure(let failure): throw failure.error(subject: EventText.quoted(text))
        }
    }

    /// Parses the UTF-8 bytes of an RFC 3339 date-time as events.md accepts
    /// it; the byte-level form of ``init(parsing:)-(String)`` that the JSON
    /// reader uses.
    ///
    /// - Throws: ``EventValidationError`` as ``init(parsing:)-(String)``.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(EventValidationError) {
        switch RFC3339.parse(bytes) {
        case .success(let ms): self.init(millisecondsSince1970: ms)
        case .failure(let failure):
            throw failure.error(subject: EventText.quoted(String(decoding: bytes, as: UTF8.self)))
        }
    }
}

/// The RFC 3339 profile of events.md, on bytes.
enum RFC3339 {
    /// Why a text is not an acceptable date-time.
    enum Failure: Error, Equatable {
        case syntax
        case noSuchDate(year: Int64, month: Int64, day: Int64)
        case noSuchTime(hour: Int64, minute: Int64, second: Int64)
        case leapSecond
        case badOffset
        case outOfRange

        /// The message for `subject` (a quoted key like `"time"`, or the
        /// quoted text itself).
        func error(subject: String) -> EventValidationError {
            let not = "\(subject) is not an RFC 3339 date-time"
            switch self {
            case .syntax:
                return EventValidationError("\(not) (YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or ±HH:MM)")
            case .noSuchDate(let y, let m, let d):
                return EventValidationError("\(not): there is no date \(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))")
            case .noSuchTime(let h, let m, let s):
                return EventValidationError("\(not): there is no time of day \(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2))")
            case .leapSecond:
                return EventValidationError("\(not): leap seconds (:60) are not allowed")
            case .badOffset:
                return EventValidationError("\(not): offsets go up to ±23:59")
            case .outOfRange:
                return EventValidationError("\(subject) must be within years 0001-9999 (UTC)")
            }
        }

        private func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
    }

    /// Milliseconds since the epoch of the date-time in `bytes`.
    @inline(__always)
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<Int64, Failure> {
        guard let base = bytes.baseAddress else { return .failure(.syntax) }
        return parse(base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    }

    /// Milliseconds since the epoch of the date-time in `count` bytes at `p`.
    static func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Result<Int64, Failure> {
        guard n >= 20 else { return .failure(.syntax) }
        @inline(__always) func digit(_ i: Int) -> Int64? {
            let d = p[i] &- 48
            return d < 10 ? Int64(d) : nil
        }
        @inline(__always) func two(_ i: Int) -> Int64? {
            guard let a = digit(i), let b = digit(i + 1) else { return nil }
            return a * 10 + b
        }
        guard let y1 = two(0), let y2 = two(2), p[4] == UInt8(ascii: "-"),
              let month = two(5), p[7] == UInt8(ascii: "-"), let day = two(8),
              p[10] | 0x20 == UInt8(ascii: "t"),
              let hour = two(11), p[13] == UInt8(ascii: ":"), let minute = two(14),
              p[16] == UInt8(ascii: ":"), let second = two(17)
        else { return .failure(.syntax) }
        let year = y1 * 100 + y2

        var i = 19
        var millis: Int64 = 0
        if p[i] == UInt8(ascii: ".") {
            i += 1
            let first = i
            while i < n, let d = digit(i) {
                if i - first < 3 { millis = millis * 10 + d }
                i += 1
            }
            guard i > first else { return .failure(.syntax) }
            for _ in min(i - first, 3)..<3 { millis *= 10 }
        }
        guard i < n else { return .failure(.syntax) }
        var offsetMinutes: Int64 = 0
        var offsetHour: Int64 = 0
        var offsetMinute: Int64 = 0
        switch p[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == n else { return .failure(.syntax) }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == n, let h = two(i + 1), p[i + 3] == UInt8(ascii: ":"), let m = two(i + 4) else {
                return .failure(.syntax)
            }
            offsetHour = h
            offsetMinute = m
            offsetMinutes = (h * 60 + m) * (p[i] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return .failure(.syntax)
        }

        guard isValidDate(year: year, month: month, day: day) else {
            return .failure(.noSuchDate(year: year, month: month, day: day))
        }
        if second == 60 && hour < 24 && minute < 60 { return .failure(.leapSecond) }
        guard hour < 24 && minute < 60 && second < 60 else {
            return .failure(.noSuchTime(hour: hour, minute: minute, second: second))
        }
        guard offsetHour < 24 && offsetMinute < 60 else { return .failure(.badOffset) }

        let days = EventTimeFormat.days(year: year, month: month, day: day)
        let local = days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis
        let utc = local - offsetMinutes * 60_000
        guard utc >= EventTime.earliest.millisecondsSince1970 && utc <= EventTime.latest.millisecondsSince1970 else {
            return .failure(.outOfRange)
        }
        return .success(utc)
    }

    /// Whether the proleptic Gregorian date exists (year 0000 included: a
    /// local date in year 0000 can still be 0001 in UTC).
    @inline(__always)
    static func isValidDate(year: Int64, month: Int64, day: Int64) -> Bool {
        guard day >= 1 else { return false }
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return day <= 31
        case 4, 6, 9, 11: return day <= 30
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return day <= (leap ? 29 : 28)
        default: return false
        }
    }
}

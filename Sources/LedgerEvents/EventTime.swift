/// An instant with millisecond precision: milliseconds since
/// 1970-01-01T00:00:00Z (negative before). Every event time, discharge and
/// scheduled time is one; the ledger stores times with this precision
/// (events.md: extra fraction digits are truncated, not rounded).
public struct EventTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, UTC.
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public static func < (a: EventTime, b: EventTime) -> Bool {
        a.millisecondsSince1970 < b.millisecondsSince1970
    }

    /// The earliest time events.md allows: 0001-01-01T00:00:00.000Z.
    public static let earliest = EventTime(millisecondsSince1970: -62_135_596_800_000)
    /// The latest time events.md allows: 9999-12-31T23:59:59.999Z.
    public static let latest = EventTime(millisecondsSince1970: 253_402_300_799_999)

    /// The UTC calendar day, as days since 1970-01-01 (floor division).
    public var day: Int64 {
        let ms = millisecondsSince1970
        return ms >= 0 ? ms / 86_400_000 : -((-ms + 86_399_999) / 86_400_000)
    }

    /// The canonical form of events.md: `YYYY-MM-DDTHH:MM:SSZ`, or
    /// `YYYY-MM-DDTHH:MM:SS.sssZ` when the milliseconds are not zero.
    public var description: String { EventTimeFormat.format(self) }
}

/// Civil-calendar arithmetic for ``EventTime`` (proleptic Gregorian, UTC),
/// by Howard Hinnant's days-from-civil algorithms; no Foundation.
public enum EventTimeFormat {
    /// Days since 1970-01-01 of a civil date.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Whether `day` exists in `month` of `year`.
    public static func isValid(year: Int64, month: Int64, day: Int64) -> Bool {
        guard month >= 1 && month <= 12 && day >= 1 else { return false }
        let lengths: [Int64] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return day <= (month == 2 && leap ? 29 : lengths[Int(month - 1)])
    }

    /// The canonical UTC text of `time`.
    public static func format(_ time: EventTime) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(time, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the canonical UTC text of `time` to `bytes`. Allocation-free
    /// when `bytes` has room.
    public static func append(_ time: EventTime, to bytes: inout [UInt8]) {
        let ms = time.millisecondsSince1970
        let days = time.day
        var rest = ms - days * 86_400_000
        let millis = rest % 1000
        rest /= 1000
        let (y, m, d) = civil(days: days)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = count == 4 ? 1000 : count == 3 ? 100 : 10
            while divisor > 0 {
                bytes.append(UInt8(48 + (value / divisor) % 10))
                divisor /= 10
            }
        }
        if y < 0 || y > 9999 {
            // Outside events.md's range; still unambiguous for diagnostics.
            bytes.append(contentsOf: Array(String(y).utf8))
        } else {
            digits(y, 4)
        }
        bytes.append(UInt8(ascii: "-")); digits(m, 2)
        bytes.append(UInt8(ascii: "-")); digits(d, 2)
        bytes.append(UInt8(ascii: "T")); digits(rest / 3600, 2)
        bytes.append(UInt8(ascii: ":")); digits(rest / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":")); digits(rest % 60, 2)
        if millis != 0 {
            bytes.append(UInt8(ascii: "."))
            digits(millis, 3)
        }
        bytes.append(UInt8(ascii: "Z"))
    }
}

/// Formats Unix epoch milliseconds as UTC times the way the ledger prints
/// them (../shared/spec/events.md): `YYYY-MM-DDTHH:MM:SSZ`, or
/// `YYYY-MM-DDTHH:MM:SS.sssZ` (always three digits) when the milliseconds are
/// not zero. Proleptic Gregorian calendar, years 0001 through 9999.
///
/// Pure integer arithmetic (Howard Hinnant's `civil_from_days`), no
/// Foundation; allocation is the result string only.
enum UTCTime {
    /// 0001-01-01T00:00:00Z.
    static let earliest: Int64 = -62_135_596_800_000
    /// 9999-12-31T23:59:59.999Z.
    static let latest: Int64 = 253_402_300_799_999

    private static let millisPerDay: Int64 = 86_400_000

    /// The time `millis` after 1970-01-01T00:00:00Z, or nil when it falls
    /// outside years 0001-9999.
    static func format(millis: Int64) -> String? {
        guard millis >= earliest, millis <= latest else { return nil }
        let days = floorDivide(millis, millisPerDay)
        let ofDay = millis - days * millisPerDay
        let date = civilDate(daysSinceEpoch: days)
        var text = pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
        text += "T" + pad(ofDay / 3_600_000, 2) + ":" + pad(ofDay / 60_000 % 60, 2) + ":" + pad(ofDay / 1000 % 60, 2)
        if ofDay % 1000 != 0 { text += "." + pad(ofDay % 1000, 3) }
        return text + "Z"
    }

    /// The proleptic Gregorian date `days` days after 1970-01-01 (negative
    /// before). Valid for any `days` within ±25 quadrillion.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468                                  // days since 0000-03-01
        let era = floorDivide(z, 146_097)                       // 400-year eras
        let dayOfEra = z - era * 146_097                        // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)           // 0...365, from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153            // 0 = March ... 11 = February
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// `value` (not negative) in decimal, zero-padded to `width` digits.
    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

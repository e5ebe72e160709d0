@testable import LedgerTool
import Testing

@Suite struct UTCTimeTests {
    @Test func knownTimes() {
        #expect(UTCTime.format(millis: 0) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.format(millis: -1) == "1969-12-31T23:59:59.999Z")
        #expect(UTCTime.format(millis: 1_767_225_600_001) == "2026-01-01T00:00:00.001Z")
        #expect(UTCTime.format(millis: 951_827_696_789) == "2000-02-29T12:34:56.789Z")
        #expect(UTCTime.format(millis: 951_827_696_780) == "2000-02-29T12:34:56.780Z")
        #expect(UTCTime.format(millis: -2_203_891_200_000) == "1900-03-01T00:00:00Z")
    }

    @Test func years0001And9999AreTheEdges() {
        #expect(UTCTime.format(millis: -62_135_596_800_000) == "0001-01-01T00:00:00Z")
        #expect(UTCTime.format(millis: -62_135_596_799_999) == "0001-01-01T00:00:00.001Z")
        #expect(UTCTime.format(millis: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(UTCTime.format(millis: 253_402_300_799_000) == "9999-12-31T23:59:59Z")
        #expect(UTCTime.format(millis: -62_135_596_800_001) == nil)
        #expect(UTCTime.format(millis: 253_402_300_800_000) == nil)
        #expect(UTCTime.format(millis: .min) == nil)
        #expect(UTCTime.format(millis: .max) == nil)
    }

    /// The first and last day of every month of 0001-01-01 ... 9999-12-31,
    /// against a plain calendar walk (where a date algorithm goes wrong).
    @Test func everyMonthFrom0001To9999() {
        func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
        let monthLengths: [Int64] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var firstDay: Int64 = -719_162  // 0001-01-01, in days since 1970-01-01
        var mismatches: [String] = []
        for year in Int64(1)...9999 {
            for month in Int64(1)...12 {
                let length = monthLengths[Int(month - 1)] + (month == 2 && isLeap(year) ? 1 : 0)
                if UTCTime.civilDate(daysSinceEpoch: firstDay) != (year, month, 1)
                    || UTCTime.civilDate(daysSinceEpoch: firstDay + length - 1) != (year, month, length) {
                    mismatches.append("\(year)-\(month)")
                }
                firstDay += length
            }
        }
        #expect(mismatches.count == 0, "first mismatched months: \(mismatches.prefix(5))")
        #expect(firstDay == 2_932_897)  // 10000-01-01
    }
}

@Suite struct HumanFormatTests {
    @Test func bytesWithBinaryUnits() {
        #expect(HumanFormat.bytes(0) == "0 B")
        #expect(HumanFormat.bytes(1023) == "1023 B")
        #expect(HumanFormat.bytes(1024) == "1.0 KiB")
        #expect(HumanFormat.bytes(1_258_291) == "1.2 MiB")
        #expect(HumanFormat.bytes(1_048_575) == "1.0 MiB")
        #expect(HumanFormat.bytes(5 << 40) == "5.0 TiB")
    }

    @Test func fixedDecimals() {
        #expect(HumanFormat.fixed(4.126, places: 2) == "4.13")
        #expect(HumanFormat.fixed(4, places: 2) == "4.00")
        #expect(HumanFormat.fixed(0.05, places: 1) == "0.1")
        #expect(HumanFormat.fixed(-1.25, places: 1) == "-1.3")
        #expect(HumanFormat.fixed(7.4, places: 0) == "7")
    }
}

@Suite struct JSONValueTests {
    @Test func stringsAreEscaped() {
        #expect(JSONValue.quoted("plain") == #""plain""#)
        #expect(JSONValue.quoted("a\"b\\c\nd\te\u{01}\u{1F}") == #""a\"b\\c\nd\te\u0001\u001f""#)
        #expect(JSONValue.quoted("é ✓") == "\"é ✓\"")
    }

    @Test func objectsKeepTheirOrder() {
        let value = JSONValue.object([("b", .integer(-1)), ("a", .null), ("c", .array([.bool(true), .number(.nan), .string("x")]))])
        #expect(value.text == #"{"b":-1,"a":null,"c":[true,null,"x"]}"#)
    }
}

import Testing
import LedgerEvents

@Suite struct EventTimeParsingTests {
    func ms(_ text: String) -> Int64? { try? EventTime(parsing: text).millisecondsSince1970 }

    func message(_ text: String) -> String? {
        do {
            _ = try EventTime(parsing: text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func acceptsTheFormsOfEventsMd() {
        #expect(ms("2026-03-01T08:30:00Z") == 1_772_353_800_000)
        #expect(ms("2026-03-01T16:30:00.25+08:00") == 1_772_353_800_250)
        #expect(ms("2026-03-01t08:30:00z") == 1_772_353_800_000)
        #expect(ms("2026-03-01T08:30:00z") == 1_772_353_800_000)
        #expect(ms("2026-03-01t08:30:00Z") == 1_772_353_800_000)
        #expect(ms("2026-03-01T08:30:00+00:00") == 1_772_353_800_000)
        #expect(ms("2026-03-01T08:30:00-00:00") == 1_772_353_800_000)
        #expect(ms("2026-03-01T00:30:00-08:00") == 1_772_353_800_000)
        #expect(ms("2026-03-02T08:29:00+23:59") == 1_772_353_800_000)
    }

    @Test func offsetsGoUpToPlusMinus2359() {
        #expect(ms("2026-03-01T23:59:00+23:59") == ms("2026-03-01T00:00:00Z"))
        #expect(ms("2026-03-01T00:00:00-23:59") == ms("2026-03-01T23:59:00Z"))
        #expect(message("2026-03-01T00:00:00+24:00")?.contains("offsets go up to ±23:59") == true)
        #expect(message("2026-03-01T00:00:00-23:60")?.contains("offsets go up to ±23:59") == true)
        #expect(message("2026-03-01T00:00:00+99:00")?.contains("offsets go up to ±23:59") == true)
    }

    @Test func fractionsOfAnyLengthAreTruncatedToMillisecondsNotRounded() {
        #expect(ms("1970-01-01T00:00:00.9999Z") == 999)
        #expect(ms("1970-01-01T00:00:00.999999999999999999999Z") == 999)
        #expect(ms("1970-01-01T00:00:00.1Z") == 100)
        #expect(ms("1970-01-01T00:00:00.12Z") == 120)
        #expect(ms("1970-01-01T00:00:00.0015Z") == 1)
        #expect(ms("1970-01-01T00:00:00.000Z") == 0)
        #expect(ms("1969-12-31T23:59:59.9999Z") == -1)
        #expect(ms("1970-01-01T08:00:00.12345+08:00") == 123)
        #expect(message("1970-01-01T00:00:00.Z") != nil)
        #expect(message("1970-01-01T00:00:00,5Z") != nil)
    }

    @Test func leapSecondsAreRefused() {
        #expect(message("2016-12-31T23:59:60Z") == #""2016-12-31T23:59:60Z" is not an RFC 3339 date-time: leap seconds (:60) are not allowed"#)
        #expect(message("2016-12-31T23:59:60.5+01:00")?.contains("leap seconds") == true)
        #expect(ms("2016-12-31T23:59:59.999Z") != nil)
    }

    @Test func onlyRealCalendarDatesAndTimes() {
        #expect(ms("2024-02-29T00:00:00Z") != nil)
        #expect(ms("2000-02-29T00:00:00Z") != nil)
        #expect(message("2025-02-29T00:00:00Z")?.contains("there is no date 2025-02-29") == true)
        #expect(message("1900-02-29T00:00:00Z")?.contains("there is no date 1900-02-29") == true)
        #expect(message("2026-04-31T00:00:00Z")?.contains("there is no date") == true)
        #expect(message("2026-13-01T00:00:00Z")?.contains("there is no date") == true)
        #expect(message("2026-00-01T00:00:00Z")?.contains("there is no date") == true)
        #expect(message("2026-01-00T00:00:00Z")?.contains("there is no date") == true)
        #expect(message("2026-01-32T00:00:00Z")?.contains("there is no date") == true)
        #expect(message("2026-01-01T24:00:00Z")?.contains("there is no time of day 24:00:00") == true)
        #expect(message("2026-01-01T23:60:00Z")?.contains("there is no time of day") == true)
        #expect(message("2026-01-01T23:59:61Z")?.contains("there is no time of day") == true)
    }

    @Test func yearsMustBe0001Through9999InUTCAfterTheOffset() {
        #expect(ms("0001-01-01T00:00:00Z") == EventTime.earliest.millisecondsSince1970)
        #expect(ms("9999-12-31T23:59:59.999Z") == EventTime.latest.millisecondsSince1970)
        #expect(ms("9999-12-31T23:59:59.9999999Z") == EventTime.latest.millisecondsSince1970)
        #expect(ms("0001-01-01T01:00:00+01:00") == EventTime.earliest.millisecondsSince1970)
        #expect(ms("0000-12-31T23:00:00-01:00") == EventTime.earliest.millisecondsSince1970)
        #expect(ms("9999-12-31T22:59:59.999-01:00") == EventTime.latest.millisecondsSince1970)
        #expect(ms("10000-01-01T00:00:00+01:00") == nil)
        #expect(message("0001-01-01T00:59:59.999+01:00") == #""0001-01-01T00:59:59.999+01:00" must be within years 0001-9999 (UTC)"#)
        #expect(message("0000-12-31T23:59:59Z")?.contains("must be within years 0001-9999 (UTC)") == true)
        #expect(message("9999-12-31T23:59:59-00:01")?.contains("must be within years 0001-9999 (UTC)") == true)
        #expect(message("9999-12-31T23:00:00-01:00")?.contains("must be within years 0001-9999 (UTC)") == true)
    }

    @Test func syntaxIsExact() {
        for bad in ["", "2026-03-01", "2026-03-01T08:30Z", "2026-03-01T08:30:00", "2026-3-01T08:30:00Z",
                    "2026-03-01 08:30:00Z", "2026-03-01T08:30:00ZZ", "2026-03-01T08:30:00+0800",
                    "2026-03-01T08:30:00+08", "2026-03-01T08:30:00+8:00", " 2026-03-01T08:30:00Z",
                    "2026-03-01T08:30:00Z ", "+2026-03-01T08:30:00Z", "2026/03/01T08:30:00Z",
                    "２026-03-01T08:30:00Z", "2026-03-01T08:30:00UTC", "2026-03-01T08:30:00.+08:00"] {
            #expect(message(bad)?.contains("is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or ±HH:MM)") == true, "\(bad)")
        }
    }

    @Test func parsingAndFormattingRoundTrip() throws {
        var rng = SeededRandom(seed: 3)
        for _ in 0..<2000 {
            let t = EventTime(millisecondsSince1970: Int64.random(
                in: EventTime.earliest.millisecondsSince1970...EventTime.latest.millisecondsSince1970, using: &rng))
            #expect(try EventTime(parsing: t.description) == t)
            let bytes = Array(t.description.utf8)
            #expect(try bytes.withUnsafeBytes { try EventTime(parsing: $0) } == t)
        }
    }
}

import Testing
import LedgerEvents

@Suite struct EventTimeTests {
    @Test func formatsCanonicalUTCWithMillisecondsOnlyWhenNotZero() {
        #expect(EventTime(millisecondsSince1970: 0).description == "1970-01-01T00:00:00Z")
        #expect(EventTime(millisecondsSince1970: 1_767_340_800_000).description == "2026-01-02T08:00:00Z")
        #expect(EventTime(millisecondsSince1970: 1_767_340_800_250).description == "2026-01-02T08:00:00.250Z")
        #expect(EventTime(millisecondsSince1970: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(EventTime.earliest.description == "0001-01-01T00:00:00Z")
        #expect(EventTime.latest.description == "9999-12-31T23:59:59.999Z")
        #expect(EventTime(millisecondsSince1970: 951_782_400_000).description == "2000-02-29T00:00:00Z")
    }

    @Test func daysAreUTCCalendarDaysWithFloorDivision() {
        #expect(EventTime(millisecondsSince1970: 0).day == 0)
        #expect(EventTime(millisecondsSince1970: 86_399_999).day == 0)
        #expect(EventTime(millisecondsSince1970: 86_400_000).day == 1)
        #expect(EventTime(millisecondsSince1970: -1).day == -1)
        #expect(EventTime(millisecondsSince1970: -86_400_000).day == -1)
        #expect(EventTime(millisecondsSince1970: -86_400_001).day == -2)
    }

    @Test func civilDatesRoundTripOverTheWholeRange() {
        for days in stride(from: EventTime.earliest.day, through: EventTime.latest.day, by: 997) {
            let (y, m, d) = EventTimeFormat.civil(days: days)
            #expect(EventTimeFormat.days(year: y, month: m, day: d) == days)
            #expect(EventTimeFormat.isValid(year: y, month: m, day: d))
        }
        #expect(!EventTimeFormat.isValid(year: 1900, month: 2, day: 29))
        #expect(EventTimeFormat.isValid(year: 2000, month: 2, day: 29))
    }
}

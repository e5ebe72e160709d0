import Foundation
import LedgerTestSupport
import Testing

/// README.md's embedding example is ReadmeExample.swift, verbatim: this
/// target compiles it, and these tests run it and keep the two identical.
@Suite struct ReadmeExampleTests {
    static let marker = "<!-- embedding example: Tests/LedgerToolTests/ReadmeExample.swift -->"

    @Test func readmeShowsThisTargetsCodeVerbatim() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let example = try String(contentsOf: here.appendingPathComponent("ReadmeExample.swift"), encoding: .utf8)
        let readme = try String(contentsOf: here.appendingPathComponent("../../README.md").standardized, encoding: .utf8)
        let afterMarker = try #require(readme.range(of: Self.marker + "\n```swift\n"), "README.md lacks \(Self.marker)")
        let end = try #require(readme.range(of: "\n```\n", range: afterMarker.upperBound..<readme.endIndex))
        let shown = readme[afterMarker.upperBound..<end.lowerBound] + "\n"
        #expect(shown == example)
    }

    @Test func exampleAppendsAndReadsBack() throws {
        let ledger = TemporaryDirectory("ledger-readme")
        let history = try recordDischarge(ledger: ledger.path)
        #expect(history.map(\.position) == [0, 1])
        #expect(history.map(\.event.time.description) == ["2026-03-01T10:00:00Z", "2026-03-04T01:00:00Z"])
        #expect(history[0].event.id == "adt-881")
        // Running it again is idempotent: both ids are already stored.
        #expect(try recordDischarge(ledger: ledger.path).map(\.position) == [0, 1])
        #expect(try runLedger("verify", ledger.path).status == 0)
    }
}

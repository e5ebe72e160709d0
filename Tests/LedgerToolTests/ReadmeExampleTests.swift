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
        let records = try appendAndReadBack(ledger: ledger.path)
        #expect(records.map(\.position) == [0, 1])
        #expect(records.map(\.timestamp) == [1_767_340_800_000, 1_767_341_100_000])
        #expect(String(decoding: records[0].payload, as: UTF8.self) == #"{"type":"visit","patient":"P001"}"#)
        #expect(try appendAndReadBack(ledger: ledger.path).map(\.position) == [2, 3])
        #expect(try runLedger("verify", ledger.path).status == 0)
    }
}

import Testing
import LedgerEvents

/// Lines as (number, text) from the whole text at once.
func splitWhole(_ text: [UInt8]) -> [(Int, String)] {
    var lines: [(Int, String)] = []
    text.withUnsafeBytes { bytes in
        JSONLines.forEachLine(in: bytes) { n, line in lines.append((n, String(decoding: line, as: UTF8.self))) }
    }
    return lines
}

/// Lines as (number, text) from the text fed in chunks of `size` bytes.
func splitChunked(_ text: [UInt8], _ size: Int) -> [(Int, String)] {
    var lines: [(Int, String)] = []
    var reader = JSONLinesReader()
    var i = 0
    while i < text.count {
        let chunk = Array(text[i..<min(i + size, text.count)])
        chunk.withUnsafeBytes { bytes in
            reader.feed(bytes) { n, line in lines.append((n, String(decoding: line, as: UTF8.self))) }
        }
        i += size
    }
    reader.finish { n, line in lines.append((n, String(decoding: line, as: UTF8.self))) }
    #expect(reader.lineCount == lines.count)
    return lines
}

@Suite struct JSONLinesTests {
    static let cases: [(String, [String])] = [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\nb", ["a", "b"]),
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\r\n", ["a", "b"]),
        ("a\r\nb", ["a", "b"]),
        ("\n", [""]),
        ("\n\n", ["", ""]),
        ("a\n\n", ["a", ""]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\n  \n", ["a", "  "]),
        ("a\rb\n", ["a\rb"]),
        ("a\r", ["a\r"]),
        ("a\r\r\n", ["a\r"]),
        ("\r\n", [""]),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\ncccccccccccccccccccccccccccc", [
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccc"]),
    ]

    @Test func linesEndWithLFOrCRLFAndAFinalNewlineDoesNotStartALine() {
        for (text, expected) in Self.cases {
            let bytes = Array(text.utf8)
            let whole = splitWhole(bytes)
            #expect(whole.map(\.1) == expected, "\(Array(text.utf8))")
            #expect(whole.map(\.0) == Array(1...max(1, expected.count)).prefix(expected.count).map { $0 })
            for size in [1, 2, 3, 5, 8, 64] {
                let chunked = splitChunked(bytes, size)
                #expect(chunked.map(\.1) == expected, "chunks of \(size): \(Array(text.utf8))")
                #expect(chunked.map(\.0) == whole.map(\.0))
            }
        }
    }

    @Test func importerReportsEveryInvalidLineWithItsNumber() {
        let file = Array((
            "\u{FEFF}" + line("erase") + "\r\n" +
            line("erase") + "\r\n" +
            "\n" +
            "   \t\n" +
            line("register", #""birthYear":1850"#) + "\n" +
            line("erase") + "\n"
        ).utf8)
        var report: [String] = []
        var valid = 0
        file.withUnsafeBytes { bytes in
            JSONLines.forEachLine(in: bytes) { number, line in
                switch EventJSON.decode(line: line) {
                case .success: valid += 1
                case .failure(let error): report.append("f.jsonl:\(number): \(error.message)")
                }
            }
        }
        #expect(valid == 2)
        #expect(report == [
            "f.jsonl:1: a UTF-8 byte-order mark is not allowed",
            "f.jsonl:3: empty line",
            "f.jsonl:4: empty line",
            #"f.jsonl:5: "birthYear" must be 1900...2100"#,
        ])
    }

    @Test func aCRLFSplitAcrossChunksIsOneLineEnd() {
        let text = Array((line("erase") + "\r\n" + line("erase") + "\r\n").utf8)
        for split in 1..<text.count {
            var reader = JSONLinesReader()
            var decodedCount = 0
            var errors: [String] = []
            let check: (Int, UnsafeRawBufferPointer) -> Void = { n, line in
                switch EventJSON.decode(line: line) {
                case .success: decodedCount += 1
                case .failure(let e): errors.append("\(n): \(e.message)")
                }
            }
            Array(text[..<split]).withUnsafeBytes { reader.feed($0, check) }
            Array(text[split...]).withUnsafeBytes { reader.feed($0, check) }
            reader.finish(check)
            #expect(decodedCount == 2 && errors.isEmpty, "split at \(split): \(errors)")
        }
    }

    @Test func aThrowingBodyStopsTheWalk() {
        struct Stop: Error {}
        var seen: [Int] = []
        let text = Array("a\nb\nc\n".utf8)
        #expect(throws: Stop.self) {
            try text.withUnsafeBytes { bytes in
                try JSONLines.forEachLine(in: bytes) { n, _ in
                    seen.append(n)
                    if n == 2 { throw Stop() }
                }
            }
        }
        #expect(seen == [1, 2])
    }

    @Test func crlfLinesDecode() {
        let event = decoded(line("erase") + "\r")
        #expect(event?.patient == "P1")
        #expect(decoded(" \t" + line("erase") + " \r") == event)
    }
}

import LedgerTestSupport
@testable import LedgerTool
import Testing

@Suite struct LedgerCommandTests {
    @Test(arguments: ["stats", "verify"])
    func missingLedgerExits74NamingThePath(command: String) throws {
        let parent = TemporaryDirectory("ledger-missing")
        let missing = parent.appending("nowhere")
        let run = try runLedger(command, missing)
        #expect(run.status == 74)
        #expect(run.standardOutput == "")
        #expect(run.standardError.hasPrefix("ledger: \(missing): no such ledger"), "\(run.standardError)")
    }

    @Test(arguments: ["stats", "verify"])
    func directoryWithoutALogIsNoLedger(command: String) throws {
        let notALedger = TemporaryDirectory("ledger-empty")
        let run = try runLedger(command, notALedger.path)
        #expect(run.status == 74)
        #expect(run.standardError.hasPrefix("ledger: \(notALedger.path): no such ledger"))
    }

    @Test func badUsageExits64() throws {
        #expect(try runLedger("stats").status == 64)
        #expect(try runLedger("stats", "/tmp", "--no-such-flag").status == 64)
        #expect(try runLedger("no-such-command").status == 64)
    }

    @Test func versionAndHelp() throws {
        let version = try runLedger("--version")
        #expect(version.status == 0)
        #expect(version.standardOutput == LedgerCommand.version + "\n")

        let help = try runLedger("help")
        #expect(help.status == 0)
        for word in ["verify", "stats", "LEDGER/log", "75"] {
            #expect(help.standardOutput.contains(word))
        }
        let statsHelp = try runLedger("help", "stats")
        #expect(statsHelp.standardOutput.contains("--json"))
        #expect(statsHelp.standardOutput.contains("patients          patients with at least one visible (not erased) event"))
    }

    @Test func exitStatusOfEachStorageErrorKind() {
        #expect(ExitStatus.forStorageError(.locked).rawValue == 75)
        #expect(ExitStatus.forStorageError(.notFound).rawValue == 74)
        #expect(ExitStatus.forStorageError(.io).rawValue == 74)
        #expect(ExitStatus.forStorageError(.corruption).rawValue == 74)
        #expect(ExitStatus.forStorageError(.invalidArgument).rawValue == 64)
        #expect(ExitStatus.forStorageError(.readOnly).rawValue == 73)
    }

    @Test func ledgerPathsPutTheLogInLog() {
        #expect(LedgerPaths(root: "/var/lib/ledger").log == "/var/lib/ledger/log")
        #expect(LedgerPaths(root: "/var/lib/ledger/").log == "/var/lib/ledger/log")
        #expect(LedgerPaths(root: "rel").log == "rel/log")
    }
}

import ArgumentParser

/// `ledger`: the command-line tool over PatientLedger (../shared/spec/cli.md).
/// Each subcommand is a thin layer over public library API, in its own file.
@main
struct LedgerCommand: ParsableCommand {
    /// Printed by `ledger --version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Import, inspect, verify and query a PatientLedger event-sourced patient-relationship ledger.",
        discussion: """
            LEDGER is a ledger directory; its append-only segment log lives in LEDGER/log.
            Run `ledger help COMMAND` for a command's details.

            Exit status: 0 success; 1 verification found corruption; 64 bad usage;
            65 invalid input data; 73 cannot create or write; 74 I/O error (also: no
            such ledger, damage met while opening); 75 the ledger is locked by another
            writer. Every error message names the file, and the byte offset where that
            applies.
            """,
        version: version,
        subcommands: [GenerateCommand.self, ImportCommand.self, DumpCommand.self, VerifyCommand.self, StatsCommand.self, ReplayCommand.self, PatientCommand.self]
    )
}

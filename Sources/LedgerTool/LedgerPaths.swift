import ArgumentParser
import PatientLedger

/// Where things live inside a ledger directory. This is the one place in the
/// tool that knows the layout:
///
///     LEDGER/
///       log/          the segment log (LedgerStorage's `SegmentLog`)
///       index/        the per-patient index snapshot
///       projections/  projection checkpoints (`patients.ckpt`)
///
/// The library owns the layout; the tool only names `LEDGER` and `log/`.
struct LedgerPaths {
    /// The ledger directory as the user named it, kept verbatim for messages.
    let root: String

    /// The segment log's directory: `LEDGER/log`.
    var log: String { child("log") }

    private func child(_ name: String) -> String {
        root.hasSuffix("/") ? root + name : root + "/" + name
    }
}

/// The `LEDGER` argument every command takes.
struct LedgerArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The ledger directory (its segment log is LEDGER/log).", valueName: "LEDGER"))
    var ledger: String

    var paths: LedgerPaths { LedgerPaths(root: ledger) }
}

extension LedgerOptions {
    /// A read-only handle that keeps projection checkpoints up to date and
    /// says on standard error what it rebuilt (`replay` and `patient`).
    static var readOnlyWritingCheckpoints: LedgerOptions {
        var options = LedgerOptions.readOnly
        options.writesCheckpoints = true
        options.diagnostics = { StandardError.report("note: " + $0) }
        return options
    }
}

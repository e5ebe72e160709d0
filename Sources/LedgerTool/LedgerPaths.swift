import ArgumentParser

/// Where things live inside a ledger directory. This is the one place in the
/// tool that knows the layout:
///
///     LEDGER/
///       log/    the segment log (LedgerStorage's `SegmentLog`)
///
/// Later issues add siblings of `log/` (the per-patient index, projection
/// checkpoints); their paths belong here too.
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

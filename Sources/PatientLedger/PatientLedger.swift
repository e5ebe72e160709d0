// PatientLedger: the facade an embedding service imports.
//
// Today it exposes the storage engine (``SegmentLog``); the patient event
// model, projections and the `Ledger` type build on it in the next issues.
@_exported import LedgerStorage

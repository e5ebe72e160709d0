// PatientLedger: the facade an embedding service imports.
//
// `import PatientLedger` brings the ledger (``Ledger``), the patient event
// model (LedgerEvents: ``PatientEvent`` and its bodies, JSON Lines and binary
// codecs), the storage engine (LedgerStorage: ``SegmentLog``) and the projections
// (LedgerProjections: ``PatientProjection``, ``CohortMetrics``).
@_exported import LedgerEvents
@_exported import LedgerStorage
@_exported import LedgerProjections

// PatientLedger: the facade an embedding service imports.
//
// `import PatientLedger` brings the ledger (``Ledger``), the patient event
// model (LedgerEvents: ``PatientEvent`` and its bodies, JSON Lines and binary
// codecs) and the storage engine (LedgerStorage: ``SegmentLog``).
@_exported import LedgerEvents
@_exported import LedgerStorage

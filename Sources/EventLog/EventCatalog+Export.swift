/// The catalogue (event types, stream names) comes with the log: whoever reads or appends
/// events names them through it.
@_exported import EventCatalog

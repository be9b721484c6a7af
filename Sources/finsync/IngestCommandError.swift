/// A runtime problem of an ingestion command (not a usage error): printed as `Error: …`, exit 1.
struct IngestCommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

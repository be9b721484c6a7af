import CanonicalJSON
import EventLog

extension ProjectedEvent {
    /// The event with its payload decompressed and parsed, the bytes kept so that members a
    /// projection stores verbatim are cut from them (``canonicalText(ofMember:)``). Used by
    /// the runner's batches, a rebuild's final tail and lineage matching alike.
    ///
    /// - Throws: the log's corrupt-payload error, naming the event.
    public convenience init(decoding event: RecordedEvent) throws {
        let (payload, json) = try event.decoded()
        self.init(event: event, payload: payload, json: json)
    }
}

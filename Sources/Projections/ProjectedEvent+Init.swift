import CanonicalJSON
import EventLog

extension ProjectedEvent {
    /// An event with its parsed payload, for code that folds or inspects events outside
    /// the runner (a rebuild's final tail inside the swap transaction, lineage matching).
    public convenience init(_ event: RecordedEvent, json: JSONValue) {
        self.init(event: event, json: json)
    }
}

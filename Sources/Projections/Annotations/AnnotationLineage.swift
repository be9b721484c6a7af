import EventLog
import Postgres

/// The user events in a unified transaction's lineage (`finsync explain transactions <id>`):
/// those of every annotation stream that resolves to the row (its own, or its pending
/// predecessor's), next to the provider events.
enum AnnotationLineage {
    static func adding(to base: RowLineage, row: [String: String], in c: ProjectionContext) throws -> RowLineage {
        guard let id = row["id"] else { return base }
        let streams = try c.session.query("SELECT target_id::text FROM \(c.table("transaction_annotations")) WHERE transaction_id = $1::uuid OR target_id = $1::uuid ORDER BY 1",
                                          [.text(id)]).rows.compactMap { $0.string(0) }.map(StreamName.annotationsTransaction)
        guard !streams.isEmpty else { return base }
        let edits = Set(AnnotationEvents.transactionKinds.keys)
        // With the base's streams unknown (read by type), read by type for both.
        let combined = base.streams.map { $0 + streams }
        return RowLineage(streams: combined, eventTypes: base.eventTypes.union(edits)) { events in
            let mine = Set(streams)
            let provider = base.select(events.filter { !edits.contains($0.type) })
            let user = events.filter { edits.contains($0.type) && mine.contains($0.event.streamID) }
            return (provider + user).sorted { $0.position < $1.position }
        }
    }
}

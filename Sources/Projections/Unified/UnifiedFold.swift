/// One provider's (or concern's) part of the unified projection: the event types it folds,
/// and the fold. Each is declared next to its fold, in its own `UnifiedBatch+…` file;
/// ``UnifiedProjection/folds`` lists them, and the projection's subscribed event types and
/// its per-event dispatch are both derived from that list — a type cannot be subscribed
/// without a fold, or reach a fold it was not declared for.
struct UnifiedFold: Sendable {
    let name: String
    let eventTypes: Set<String>
    let fold: @Sendable (inout UnifiedBatch, ProjectedEvent, ProjectionContext) throws -> Void

    init(_ name: String, eventTypes: Set<String>, fold: @escaping @Sendable (inout UnifiedBatch, ProjectedEvent, ProjectionContext) throws -> Void) {
        self.name = name
        self.eventTypes = eventTypes
        self.fold = fold
    }

    /// Each event type's fold (a type two folds claim goes to the first listed; a test
    /// keeps the claims disjoint).
    static func dispatch(_ folds: [UnifiedFold]) -> [String: UnifiedFold] {
        var table: [String: UnifiedFold] = [:]
        for f in folds { for t in f.eventTypes where table[t] == nil { table[t] = f } }
        return table
    }
}

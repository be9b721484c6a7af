import CanonicalJSON
import EventLog
import Postgres

/// Which events produced or changed one row of a projection's table: where to look
/// (streams and event types, so the log is read through its indexes) and which of the
/// candidates actually wrote the row.
public struct RowLineage: Sendable {
    /// Streams whose events may write the row; nil to consider every stream (with `eventTypes`).
    public var streams: [String]?
    /// Event types that may write the row.
    public var eventTypes: Set<String>
    /// Given the candidates in position order, the ones whose fold wrote the row (inserted,
    /// updated or deleted it). Stateful on purpose: some rows are changed by an event only
    /// relative to the ones before it.
    public var select: @Sendable ([ProjectedEvent]) -> [ProjectedEvent]

    public init(streams: [String]?, eventTypes: Set<String>, select: @escaping @Sendable ([ProjectedEvent]) -> [ProjectedEvent]) {
        self.streams = streams
        self.eventTypes = eventTypes
        self.select = select
    }

    /// Every candidate event for which `touches` holds.
    public init(streams: [String]?, eventTypes: Set<String>, where touches: @escaping @Sendable (ProjectedEvent) -> Bool) {
        self.init(streams: streams, eventTypes: eventTypes, select: { $0.filter(touches) })
    }

    /// A row no event can have written (e.g. a table the projection does not fill yet).
    public static let empty = RowLineage(streams: [], eventTypes: [], where: { _ in false })
}

/// A projection that can say which events feed a row of its tables (`finsync explain`).
///
/// Lineage mirrors the fold: each conformance lives next to its projection and uses the
/// same key functions (deterministic ids, transaction keys), so it stays accurate when
/// the fold does.
public protocol ProjectionLineage: Projection {
    /// The lineage of the row of `table` whose columns (name → text value, NULLs absent) are
    /// `row`; `context` can look up related rows in the same schema. Nil when `table` is not
    /// this projection's.
    func lineage(table: String, row: [String: String], in context: ProjectionContext) throws -> RowLineage?
}

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

extension RowLineage {
    /// A row that whole sets replace (an account's balances, its pending transactions): it is
    /// written by each set event (`setType`) that holds it, and by the first one that drops it
    /// after one held it; `removes` names other events that delete it while it exists (a
    /// booking of a pending item). Only events for which `belongs` holds are considered.
    public static func replacedSetMember(streams: [String], eventTypes: Set<String>, setType: String,
                                         belongs: @escaping @Sendable (ProjectedEvent) -> Bool,
                                         holds: @escaping @Sendable (ProjectedEvent) -> Bool,
                                         removes: (@Sendable (ProjectedEvent) -> Bool)? = nil) -> RowLineage {
        RowLineage(streams: streams, eventTypes: eventTypes, select: { events in
            var existed = false
            return events.filter { e in
                guard belongs(e) else { return false }
                if e.type == setType {
                    let has = holds(e)
                    defer { existed = has }
                    return has || existed
                }
                guard existed, let removes, removes(e) else { return false }
                existed = false
                return true
            }
        })
    }
}

import CanonicalJSON
import EventLog
import Foundation
import Postgres

/// A fold of the event log into tables.
///
/// A projection declares the event types it reads, creates its tables in whatever schema
/// the runner gives it (the live schema, a rebuild's shadow schema, a replay's scratch
/// schema — never a hard-coded one), and applies batches of events inside the runner's
/// transaction, which also advances its checkpoint. It must be deterministic: the same
/// events give the same rows (ids and timestamps come from events, never from the clock),
/// so a rebuild reproduces the live tables exactly.
public protocol Projection: Sendable {
    /// Stable name, e.g. `unified`.
    var name: String { get }
    /// Bump when the tables' shape or the fold's meaning changes: the projection is then
    /// reported as needing a rebuild.
    var version: Int { get }
    /// Event types this projection reads (``EventKind/name``s from ``EventCatalog``).
    var eventTypes: Set<String> { get }
    /// The payload schema versions it folds of each of ``eventTypes``; a type not listed is
    /// folded at ``EventKind/firstVersion`` only (the default lists none). An event of one of
    /// its types at any other version is parked (``ProjectionError/Code/unknownSchemaVersion``),
    /// never folded as if it were a version this code knows.
    var schemaVersions: [String: ClosedRange<Int>] { get }
    /// The tables it owns (unqualified names).
    var tables: [String] { get }
    /// The schema its live tables live in (e.g. `public`, `analytics`).
    var liveSchema: String { get }
    /// Creates its tables (idempotently) in `context.schema`.
    func createTables(in context: ProjectionContext) throws
    /// Applies events in position order. Throw ``ProjectionError`` naming the event that
    /// cannot be applied; the runner rolls the whole batch back.
    func apply(_ events: [ProjectedEvent], in context: ProjectionContext) throws
}

extension Projection {
    public var schemaVersions: [String: ClosedRange<Int>] { [:] }

    /// The versions of `type` it folds.
    public func versions(of type: String) -> ClosedRange<Int> {
        schemaVersions[type] ?? EventKind.firstVersion...EventKind.firstVersion
    }
}

/// An event with its payload already decoded and parsed, shared by every projection.
///
/// A class: a batch's events are handed to several projections and filtered and grouped
/// by each, so they are passed by reference rather than copied.
public final class ProjectedEvent: Sendable {
    public let event: RecordedEvent
    public let json: JSONValue
    /// The recorded-at time as PostgreSQL timestamp text (deterministic `updated_at`s).
    public let recordedAtText: String
    /// The payload resolved once for every projection that reads it (or why it is
    /// malformed), for the types ``SharedPayloads`` lists; nil for other types.
    let sharedResolution: Result<any Sendable, ProjectionError>?

    /// The payload's canonical bytes, when the reader kept them (see ``canonicalText(ofMember:)``).
    public let payload: [UInt8]?

    /// Why no projection can store this event as sent, whatever it reads of it (a NUL
    /// character, which PostgreSQL's `text` and `jsonb` refuse), or nil. The runner parks
    /// such an event for every projection that reads its type, before any SQL runs.
    public let defect: String?

    public init(event: RecordedEvent, payload: [UInt8]? = nil, json: JSONValue) {
        self.event = event
        self.payload = payload
        self.json = json
        recordedAtText = PostgresTimestamp.iso8601(event.recordedAt)
        let mayHoldNUL = payload.map { $0.withUnsafeBytes(JSONValue.mayContainEscapedNUL) } ?? true
        defect = mayHoldNUL ? json.nulProblem().map { "the payload " + $0 } : nil
        if let resolve = SharedPayloads.resolvers[event.type.name] {
            do { sharedResolution = .success(try resolve(json)) } catch {
                sharedResolution = .failure(ProjectionError(code: .malformedPayload, message: "\(error)", position: event.position, eventType: event.type.name))
            }
        } else {
            sharedResolution = nil
        }
    }

    public var position: Int64 { event.position }
    public var type: String { event.type.name }

    /// The canonical text of a top-level payload member, cut from the stored bytes when
    /// they were kept and are canonical, else serialised from the parse.
    public func canonicalText(ofMember key: String) -> String? {
        if let payload, let text = payload.withUnsafeBytes({ JSONValue.canonicalMemberText(key, in: $0) }) { return text }
        return json[key]?.canonicalString
    }

    /// The shared resolution of the payload (see ``SharedPayloads``), or the error naming
    /// this event.
    func shared<T: Sendable>(as _: T.Type) throws -> T {
        guard let value = try sharedResolution?.get() as? T else { throw ProjectionError.malformed(self, "\(type) does not resolve to \(T.self)") }
        return value
    }
}

/// Where and how a projection writes: an open session inside the runner's transaction,
/// and the schema chosen at run time.
public struct ProjectionContext {
    public let session: PostgresSession
    /// The unquoted schema name.
    public let schema: String

    public init(session: PostgresSession, schema: String) {
        self.session = session
        self.schema = schema
    }

    /// `"schema"."table"`, quoted for SQL.
    public func table(_ name: String) -> String {
        PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(name)
    }
}

import CanonicalJSON
import Clocks
import EventLog
import Foundation
import Postgres
import Projections

/// Appends a person's edits — tags, categories, notes, category definitions and rules — to
/// the event log as user events (``EventCatalog``), never to a projection table.
///
/// Every method validates first and appends nothing when it throws (``AnnotationError``).
/// Writes to one stream use optimistic concurrency: pass the version the caller read
/// (`ifVersion`, the API's `If-Match`) and a concurrent edit makes the append fail with
/// ``AnnotationError/Code/staleVersion``; every method returns the stream's new version.
/// Who (`actor`: the API token's name or `cli`) and when go in each event's metadata.
public struct AnnotationWriter: Sendable {
    public let connection: PostgresConnection
    /// The schema of the unified tables transactions are looked up in.
    public let schema: String
    let log: EventLog
    /// When an edit is made (the `at` of its metadata): finsync's one clock.
    let clock: any FinsyncClock

    public init(connection: PostgresConnection, schema: String = UnifiedProjection().liveSchema, clock: any FinsyncClock = SystemClock()) {
        self.connection = connection
        self.schema = schema
        self.log = EventLog(connection: connection)
        self.clock = clock
    }

    /// A unified transaction as an annotation stream sees it.
    public struct TransactionTarget: Sendable, Hashable {
        /// The stream's key: the transaction's id when first annotated.
        public let targetID: String
        public let accountID: String
        public let transactionKey: String
        public init(targetID: String, accountID: String, transactionKey: String) {
            self.targetID = targetID
            self.accountID = accountID
            self.transactionKey = transactionKey
        }
        public var stream: String { StreamName.annotationsTransaction(targetID) }
    }

    // MARK: Transactions

    public func addTag(_ tag: String, to transaction: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let tag = try AnnotationInput.tag(tag)
        return try await annotate(transaction, EventCatalog.annotationTagAdded, ["tag": .string(tag)], actor: actor, ifVersion: ifVersion)
    }

    public func removeTag(_ tag: String, from transaction: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let tag = try AnnotationInput.tag(tag)
        return try await annotate(transaction, EventCatalog.annotationTagRemoved, ["tag": .string(tag)], actor: actor, ifVersion: ifVersion)
    }

    /// Sets the category named by `category` (its id or its name).
    public func setCategory(_ category: String, on transaction: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        guard let c = try await CategoryList.read(log).live(category) else { throw AnnotationError.notFound("category", "no category \"\(category)\"; define it first (`finsync categories add`)") }
        return try await annotate(transaction, EventCatalog.annotationCategorySet, ["category_id": .string(c.id)], actor: actor, ifVersion: ifVersion)
    }

    public func clearCategory(on transaction: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        try await annotate(transaction, EventCatalog.annotationCategoryCleared, [:], actor: actor, ifVersion: ifVersion)
    }

    /// Sets the note; an empty note clears it.
    public func setNote(_ note: String, on transaction: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let note = try AnnotationInput.note(note)
        return try await annotate(transaction, EventCatalog.annotationNoteSet, ["note": .string(note)], actor: actor, ifVersion: ifVersion)
    }

    /// The annotation stream of `transaction` (a unified transaction id, or the key of an
    /// annotation stream whose transaction is gone) and its version.
    public func target(of transaction: String) async throws -> (target: TransactionTarget, version: Int64) {
        let id = transaction.lowercased()
        guard UUID(uuidString: id) != nil else { throw AnnotationError.invalid("transaction", "\"\(transaction)\" is not a transaction id (a UUID)") }
        let t: @Sendable (String) -> String = { table in PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(table) }
        let target: TransactionTarget? = try await connection.withSession { s in
            // An existing stream that resolves to this transaction (e.g. made on its pending
            // predecessor) keeps receiving its edits, so one stream holds its annotations.
            let existing = try s.query("""
                SELECT target_id::text, account_id::text, transaction_key FROM \(t("transaction_annotations"))
                WHERE transaction_id = $1::uuid OR target_id = $1::uuid ORDER BY target_id = $1::uuid DESC, last_position LIMIT 1
                """, [.text(id)])
            if existing.count == 1 {
                return TransactionTarget(targetID: try existing[0].decode(String.self, 0), accountID: try existing[0].decode(String.self, 1), transactionKey: try existing[0].decode(String.self, 2))
            }
            let r = try s.query("SELECT account_id::text, provider_transaction_key FROM \(t("transactions")) WHERE id = $1::uuid", [.text(id)])
            guard r.count == 1 else { return nil }
            return TransactionTarget(targetID: id, accountID: try r[0].decode(String.self, 0), transactionKey: try r[0].decode(String.self, 1))
        }
        guard let target else { throw AnnotationError.notFound("transaction", "no transaction \(transaction)") }
        return (target, try await streamVersion(target.stream))
    }

    func annotate(_ transaction: String, _ kind: EventKind, _ fields: [String: JSONValue], actor: String, ifVersion: Int64?) async throws -> Int64 {
        let (target, _) = try await target(of: transaction)
        return try await append(kind, Self.payload(fields, on: target), to: target.stream, actor: actor, ifVersion: ifVersion)
    }

    /// The payload of a transaction edit: its own fields plus the target's (see ``AnnotationEvents``).
    public static func payload(_ fields: [String: JSONValue], on target: TransactionTarget) -> [String: JSONValue] {
        var payload = fields
        payload["transaction_id"] = .string(target.targetID)
        payload["account_id"] = .string(target.accountID)
        payload["transaction_key"] = .string(target.transactionKey)
        return payload
    }

    /// A user event: who and when in the metadata, and an idempotency key of its own (each
    /// edit is new: tagging, untagging and tagging again is three events).
    public static func event(_ kind: EventKind, _ payload: [String: JSONValue], actor: String, at date: Date) -> NewEvent {
        let id = UUIDv7.make()
        let metadata: JSONValue = ["actor": .string(actor), "at": .string(PostgresTimestamp.iso8601(date))]
        return NewEvent(type: kind.latest, json: .object(payload), eventID: id, contentKey: ContentKey("user-event:" + id.uuidString), metadata: metadata)
    }

    // MARK: Categories

    /// Defines a category; returns its id and the categories stream's version.
    public func defineCategory(_ name: String, actor: String, ifVersion: Int64? = nil) async throws -> (id: String, version: Int64) {
        let name = try AnnotationInput.categoryName(name)
        guard try await CategoryList.read(log).live(name) == nil else { throw AnnotationError.invalid("name", "a category named \"\(name)\" exists") }
        let id = UUIDv7.make().uuidString.lowercased()
        let v = try await append(EventCatalog.categoryDefined, ["category_id": .string(id), "name": .string(name)], to: StreamName.annotationsCategories, actor: actor, ifVersion: ifVersion)
        return (id, v)
    }

    public func renameCategory(_ category: String, to name: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let name = try AnnotationInput.categoryName(name)
        let list = try await CategoryList.read(log)
        guard let c = list.live(category) else { throw AnnotationError.notFound("category", "no category \"\(category)\"") }
        if let other = list.live(name), other.id != c.id { throw AnnotationError.invalid("name", "a category named \"\(name)\" exists") }
        return try await append(EventCatalog.categoryRenamed, ["category_id": .string(c.id), "name": .string(name)], to: StreamName.annotationsCategories, actor: actor, ifVersion: ifVersion)
    }

    /// Merges `category` into `into`: its transactions and rules then have `into`.
    public func mergeCategory(_ category: String, into: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let list = try await CategoryList.read(log)
        guard let from = list.live(category) else { throw AnnotationError.notFound("category", "no category \"\(category)\"") }
        guard let to = list.live(into) else { throw AnnotationError.notFound("into", "no category \"\(into)\"") }
        guard from.id != to.id else { throw AnnotationError.invalid("into", "a category cannot be merged into itself") }
        return try await append(EventCatalog.categoryMerged, ["category_id": .string(from.id), "into": .string(to.id)], to: StreamName.annotationsCategories, actor: actor, ifVersion: ifVersion)
    }

    // MARK: Appending

    func streamVersion(_ stream: String) async throws -> Int64 {
        try await connection.withSession { s in try s.query("SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = $1", [.text(stream)])[0].int64(0) ?? 0 }
    }

    func append(_ kind: EventKind, _ payload: [String: JSONValue], to stream: String, actor: String, ifVersion: Int64?) async throws -> Int64 {
        let event = Self.event(kind, payload, actor: actor, at: clock.date)
        do {
            return try await log.append([event], to: stream, expectedVersion: ifVersion.map { .exact($0) } ?? .any).streamVersion
        } catch let e as EventLogError where e.code == .wrongExpectedVersion {
            let current = try await streamVersion(stream)
            throw AnnotationError(code: .staleVersion, field: "If-Match", message: "the annotations changed since version \(ifVersion ?? 0) (now \(current)); nothing was saved — read them again", currentVersion: current)
        }
    }
}

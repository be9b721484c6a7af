import CanonicalJSON
import Foundation
import Postgres

extension EventLog {
    /// Appends `event` as the newest *state* of something (a balance list, an account's
    /// details, a pending-transactions set) unless it says the same as the stream's latest
    /// event of the same type.
    ///
    /// Plain content keys cannot express "state changed back": A → B → A would drop the
    /// second A as a duplicate of the first. A snapshot's content key is therefore chained
    /// on the key of the snapshot it follows, so A after B is new while A after A is not.
    ///
    /// - Parameter ignoring: object keys (at any depth) that change on every observation
    ///   without the state changing (e.g. GoCardless `last_accessed`); they are stored but
    ///   not compared.
    public static func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String> = [], session: PostgresSession, dictionaries: DictionaryStore) throws -> AppendResult {
        let previous = try session.query("""
            SELECT content_key, codec, dictionary_id, raw_size, payload, position FROM eventlog.events
            WHERE stream_id = $1 AND event_type = $2 ORDER BY stream_version DESC LIMIT 1
            """, [.text(stream), .text(event.type.name)], binaryResult: true, prepare: true)
        var e = event
        if previous.count == 1 {
            let row = previous[0]
            let position = try row.decode(Int64.self, 5)
            let dict = try row.isNull(2) ? nil : dictionaries.resolve(ids: [Int32(try row.decode(Int64.self, 2))], session: session).values.first
            let old = try row.withRawBytes(4) { try PayloadDecoder.decode($0, encoding: Int16(try row.decode(Int64.self, 1)), rawSize: Int(try row.decode(Int64.self, 3)), dictionary: dict, position: position) } ?? []
            if try comparable(old, ignoring: ignoring) == comparable(event.payload, ignoring: ignoring) {
                return AppendResult(appended: [], duplicates: [.init(eventID: event.eventID, existingPosition: position)], streamVersion: 0)
            }
            let own = ContentKey(stream: stream, type: event.type, canonicalPayload: event.payload)
            e.contentKey = ContentKey(digesting: try row.decode([UInt8].self, 0) + own.bytes)
        } else {
            e.contentKey = ContentKey(stream: stream, type: event.type, canonicalPayload: event.payload)
        }
        return try append([e], to: stream, expectedVersion: .any, session: session, dictionaries: dictionaries)
    }

    /// Async form of ``appendSnapshot(_:to:ignoring:session:dictionaries:)`` in its own transaction.
    public func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String> = []) async throws -> AppendResult {
        let dictionaries = self.dictionaries
        return try await connection.withSession { s in
            try s.transaction { try EventLog.appendSnapshot(event, to: stream, ignoring: ignoring, session: $0, dictionaries: dictionaries) }
        }
    }

    private static func comparable(_ payload: [UInt8], ignoring: Set<String>) throws -> [UInt8] {
        guard !ignoring.isEmpty else { return payload }
        func strip(_ v: JSONValue) -> JSONValue {
            switch v {
            case .object(let o):
                var out: [String: JSONValue] = [:]
                for (k, x) in o where !ignoring.contains(k) { out[k] = strip(x) }
                return .object(out)
            case .array(let a): return .array(a.map(strip))
            default: return v
            }
        }
        return strip(try JSONValue.parse(payload)).canonicalBytes
    }
}

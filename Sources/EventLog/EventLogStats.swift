import Postgres

/// Size and compression figures for the log (`finsync events stats`).
public struct EventLogStats: Sendable {
    public struct PerType: Sendable {
        public var type: String
        public var events: Int64
        public var rawBytes: Int64
        public var storedBytes: Int64
        public var ratio: Double { storedBytes == 0 ? 0 : Double(rawBytes) / Double(storedBytes) }
    }
    public var events: Int64
    public var headPosition: Int64
    public var rawBytes: Int64
    public var storedBytes: Int64
    public var dictionaries: Int64
    public var dictionaryBytes: Int64
    public var perType: [PerType]
    /// raw / stored payload bytes.
    public var ratio: Double { storedBytes == 0 ? 0 : Double(rawBytes) / Double(storedBytes) }
}

extension EventLog {
    public func stats() async throws -> EventLogStats {
        try await connection.withSession { s in
            let types = try s.query("""
                SELECT event_type, count(*), coalesce(sum(raw_size), 0)::bigint, coalesce(sum(octet_length(payload)), 0)::bigint
                FROM eventlog.events GROUP BY event_type ORDER BY event_type
                """).rows.map { EventLogStats.PerType(type: try $0.decode(String.self, 0), events: try $0.decode(Int64.self, 1), rawBytes: try $0.decode(Int64.self, 2), storedBytes: try $0.decode(Int64.self, 3)) }
            let d = try s.query("SELECT count(*), coalesce(sum(octet_length(dictionary)), 0)::bigint FROM eventlog.compression_dictionaries")[0]
            return EventLogStats(events: types.reduce(0) { $0 + $1.events }, headPosition: try EventLog.headPosition(session: s),
                                 rawBytes: types.reduce(0) { $0 + $1.rawBytes }, storedBytes: types.reduce(0) { $0 + $1.storedBytes },
                                 dictionaries: d.int64(0) ?? 0, dictionaryBytes: d.int64(1) ?? 0, perType: types)
        }
    }
}

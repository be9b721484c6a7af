import Foundation
import Ingest

/// Dates, JSON and quotas as the ingestion commands print them.
enum IngestFormat {
    static func iso(_ d: Date?) -> String {
        guard let d else { return "-" }
        let f = ISO8601DateFormatter()
        return f.string(from: d)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder.runRecords
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    static func quota(_ q: [QuotaStatus]) -> String {
        q.map { s in
            var t = "\(s.scope) \(s.remaining.map(String.init) ?? "?")/\(s.limit.map(String.init) ?? "?")"
            if let n = s.nextAllowedAt, (s.remaining ?? 1) <= 0 { t += " until \(iso(n))" }
            return t
        }.joined(separator: ", ")
    }
}

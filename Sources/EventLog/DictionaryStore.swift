import Foundation
import Postgres
import Synchronization

/// Caches compression dictionaries and trains new ones once a type has enough samples.
public final class DictionaryStore: Sendable {
    private struct State {
        var byID: [Int32: CompressionDictionary] = [:]
        var currentByType: [String: CompressionDictionary] = [:]
    }
    private let state = Mutex(State())

    /// Samples a type needs before it gets a dictionary.
    let minimumSamples: Int
    let minimumSampleBytes: Int

    public init(minimumSamples: Int = 32, minimumSampleBytes: Int = 8 * 1024) {
        self.minimumSamples = minimumSamples
        self.minimumSampleBytes = minimumSampleBytes
    }

    func cached(id: Int32) -> CompressionDictionary? { state.withLock { $0.byID[id] } }

    private func remember(_ d: CompressionDictionary, current: Bool) {
        state.withLock {
            $0.byID[d.id] = d
            if current, ($0.currentByType[d.eventType]?.id ?? -1) < d.id { $0.currentByType[d.eventType] = d }
        }
    }

    /// Resolves dictionaries by id for decoding, loading the missing ones in one query.
    func resolve(ids: Set<Int32>, session: PostgresSession) throws -> [Int32: CompressionDictionary] {
        var found: [Int32: CompressionDictionary] = [:]
        var missing: [Int32] = []
        state.withLock { s in
            for id in ids { if let d = s.byID[id] { found[id] = d } else { missing.append(id) } }
        }
        if !missing.isEmpty {
            let r = try session.query("SELECT dictionary_id, event_type, dictionary FROM eventlog.compression_dictionaries WHERE dictionary_id = ANY($1::int[])",
                                      [.text("{" + missing.map(String.init).joined(separator: ",") + "}")], binaryResult: true)
            for row in r {
                let d = CompressionDictionary(id: Int32(try row.decode(Int64.self, 0)), eventType: try row.decode(String.self, 1), bytes: try row.decode([UInt8].self, 2))
                remember(d, current: false)
                found[d.id] = d
            }
        }
        return found
    }

    /// The dictionary to compress new events of each type with, training dictionaries
    /// for types that have gathered enough samples. Runs inside the caller's transaction.
    func dictionaries(for payloadsByType: [String: [[UInt8]]], session: PostgresSession) throws -> [String: CompressionDictionary] {
        var out: [String: CompressionDictionary] = [:]
        for (type, payloads) in payloadsByType {
            if let d = state.withLock({ $0.currentByType[type] }) { out[type] = d; continue }
            let r = try session.query("SELECT dictionary_id, dictionary FROM eventlog.compression_dictionaries WHERE event_type = $1 ORDER BY dictionary_id DESC LIMIT 1",
                                      [.text(type)], binaryResult: true, prepare: true)
            if r.count == 1 {
                let d = CompressionDictionary(id: Int32(try r[0].decode(Int64.self, 0)), eventType: type, bytes: try r[0].decode([UInt8].self, 1))
                remember(d, current: true)
                out[type] = d
                continue
            }
            if let d = try trainIfReady(type: type, newSamples: payloads, session: session) { out[type] = d }
        }
        return out
    }

    private func trainIfReady(type: String, newSamples: [[UInt8]], session: PostgresSession) throws -> CompressionDictionary? {
        var samples: [[UInt8]] = try session.query("SELECT sample FROM eventlog.compression_samples WHERE event_type = $1 ORDER BY sample_id",
                                                   [.text(type)], binaryResult: true).rows.compactMap { $0.bytes(0) }
        let fresh = newSamples.suffix(256)
        samples.append(contentsOf: fresh)
        let bytes = samples.reduce(0) { $0 + $1.count }
        guard samples.count >= minimumSamples, bytes >= minimumSampleBytes else {
            var copy = CopyBinaryWriter()
            for s in fresh { copy.beginRow(fieldCount: 2); copy.append(text: type); copy.append(bytea: s) }
            try session.copyIn("COPY eventlog.compression_samples (event_type, sample) FROM STDIN (FORMAT binary)", copy)
            return nil
        }
        let trained = CompressionDictionary.train(samples: samples)
        let r = try session.query("INSERT INTO eventlog.compression_dictionaries (event_type, sample_count, dictionary) VALUES ($1, $2, $3) RETURNING dictionary_id",
                                  [.text(type), PostgresParameter(samples.count), .bytes(trained)])
        try session.query("DELETE FROM eventlog.compression_samples WHERE event_type = $1", [.text(type)])
        // Not cached yet: the caller's transaction may still roll back. Once committed, the
        // next append finds it with the lookup above.
        return CompressionDictionary(id: Int32(try r[0].decode(Int64.self, 0)), eventType: type, bytes: trained)
    }
}

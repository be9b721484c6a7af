import CLZ4

/// A preset LZ4 dictionary for one event type, stored in `eventlog.compression_dictionaries`.
///
/// A single small event compresses poorly on its own: most of its bytes are field names
/// and shapes it shares with every other event of its type. Compressing against a
/// dictionary of earlier payloads of the same type removes that shared part while
/// keeping each event individually addressable. Dictionaries are immutable once stored;
/// each row records the dictionary it was compressed with.
public final class CompressionDictionary: @unchecked Sendable {
    public let id: Int32
    public let eventType: String
    public let bytes: [UInt8]
    /// An LZ4 stream state with the dictionary loaded; copied before each compression.
    /// Written once in `init`, only read afterwards.
    private let loadedState: UnsafeMutableRawPointer
    private let dictionaryStorage: UnsafeMutableBufferPointer<UInt8>

    static let stateSize = MemoryLayout<LZ4_stream_t>.size
    /// LZ4 only ever looks 64 KiB back.
    public static let maximumSize = 64 * 1024

    public init(id: Int32, eventType: String, bytes: [UInt8]) {
        self.id = id
        self.eventType = eventType
        self.bytes = bytes
        // The loaded state points into the dictionary: keep a stable copy alive with it.
        dictionaryStorage = .allocate(capacity: max(1, bytes.count))
        _ = dictionaryStorage.initialize(from: bytes)
        loadedState = .allocate(byteCount: Self.stateSize, alignment: 16)
        let stream = LZ4_initStream(loadedState, Self.stateSize)
        dictionaryStorage.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            _ = LZ4_loadDict(stream, $0, Int32(bytes.count))
        }
    }

    deinit {
        loadedState.deallocate()
        dictionaryStorage.deallocate()
    }

    /// Copies the loaded dictionary state into `state` (at least ``stateSize`` bytes).
    func prime(_ state: UnsafeMutableRawPointer) {
        state.copyMemory(from: loadedState, byteCount: Self.stateSize)
    }

    func withDictionary<T>(_ body: (UnsafePointer<CChar>, Int32) -> T) -> T {
        dictionaryStorage.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { body($0, Int32(bytes.count)) }
    }

    /// Builds a dictionary from sample payloads of one type: distinct samples, newest
    /// last (closest to the data, cheapest offsets), capped at 64 KiB.
    public static func train(samples: [[UInt8]]) -> [UInt8] {
        var seen = Set<[UInt8]>()
        var picked: [[UInt8]] = []
        var total = 0
        for s in samples.reversed() where !s.isEmpty && !seen.contains(s) {
            guard total + s.count <= maximumSize else { continue }
            seen.insert(s)
            picked.append(s)
            total += s.count
        }
        return picked.reversed().flatMap { $0 }
    }
}

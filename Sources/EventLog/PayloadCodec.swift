import CLZ4

/// How a payload is stored in `eventlog.events.payload` (the `codec` column).
public enum PayloadEncoding: Int16, Sendable, CustomStringConvertible {
    /// The canonical JSON as is (used when compression would not make it smaller).
    case identity = 0
    /// An LZ4 block.
    case lz4 = 1
    /// An LZ4 block compressed against the row's preset dictionary.
    case lz4Dictionary = 2

    public var description: String {
        switch self {
        case .identity: return "identity"
        case .lz4: return "lz4"
        case .lz4Dictionary: return "lz4+dictionary"
        }
    }
}

/// A compressed payload ready to store.
struct EncodedPayload: Sendable {
    var encoding: PayloadEncoding
    var dictionaryID: Int32?
    var rawSize: Int
    var bytes: [UInt8]
}

/// Compresses payloads; owns scratch memory, so use one per batch on one thread.
struct PayloadCompressor: ~Copyable {
    private let state: UnsafeMutableRawPointer
    private var output: [UInt8] = []

    init() {
        state = .allocate(byteCount: CompressionDictionary.stateSize, alignment: 16)
    }

    deinit { state.deallocate() }

    mutating func encode(_ payload: [UInt8], dictionary: CompressionDictionary?) -> EncodedPayload {
        let bound = Int(LZ4_compressBound(Int32(payload.count)))
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let state = self.state
        let n: Int32 = payload.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                src.baseAddress!.withMemoryRebound(to: CChar.self, capacity: src.count) { s in
                    dst.baseAddress!.withMemoryRebound(to: CChar.self, capacity: dst.count) { d in
                        if let dictionary {
                            dictionary.prime(state)
                            return LZ4_compress_fast_continue(state.assumingMemoryBound(to: LZ4_stream_t.self), s, d, Int32(src.count), Int32(dst.count), 1)
                        }
                        return LZ4_compress_fast_extState(state, s, d, Int32(src.count), Int32(dst.count), 1)
                    }
                }
            }
        }
        if payload.isEmpty || n <= 0 || Int(n) >= payload.count {
            return EncodedPayload(encoding: .identity, dictionaryID: nil, rawSize: payload.count, bytes: payload)
        }
        return EncodedPayload(encoding: dictionary == nil ? .lz4 : .lz4Dictionary, dictionaryID: dictionary?.id, rawSize: payload.count, bytes: Array(output[0..<Int(n)]))
    }
}

enum PayloadDecoder {
    /// Decodes a stored payload. Malformed input yields an error, never a crash.
    static func decode(_ stored: UnsafeRawBufferPointer, encoding rawEncoding: Int16, rawSize: Int, dictionary: CompressionDictionary?, position: Int64) throws -> [UInt8] {
        guard let encoding = PayloadEncoding(rawValue: rawEncoding) else {
            throw EventLogError(code: .corruptPayload, message: "unknown payload codec \(rawEncoding)", position: position)
        }
        switch encoding {
        case .identity:
            return [UInt8](stored)
        case .lz4, .lz4Dictionary:
            guard rawSize >= 0, rawSize <= 256 << 20 else {
                throw EventLogError(code: .corruptPayload, message: "implausible raw size \(rawSize)", position: position)
            }
            if encoding == .lz4Dictionary && dictionary == nil {
                throw EventLogError(code: .corruptPayload, message: "the payload's compression dictionary is missing", position: position)
            }
            var out = [UInt8](repeating: 0, count: rawSize)
            let n: Int32 = out.withUnsafeMutableBufferPointer { dst in
                guard let base = stored.baseAddress, stored.count > 0 else { return -1 }
                return base.withMemoryRebound(to: CChar.self, capacity: stored.count) { s in
                    dst.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, dst.count)) { d in
                        if encoding == .lz4Dictionary, let dictionary {
                            return dictionary.withDictionary { dict, dictSize in
                                LZ4_decompress_safe_usingDict(s, d, Int32(stored.count), Int32(rawSize), dict, dictSize)
                            }
                        }
                        return LZ4_decompress_safe(s, d, Int32(stored.count), Int32(rawSize))
                    }
                }
            }
            guard n == Int32(rawSize) else {
                throw EventLogError(code: .corruptPayload, message: "LZ4 block does not decode to its recorded \(rawSize) bytes (\(n < 0 ? "malformed input" : "got \(n)"))", position: position)
            }
            return out
        }
    }
}

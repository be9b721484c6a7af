/// The optimistic-concurrency condition of an append.
///
/// Stream versions count from 1; a stream with no events is at version 0.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream's last event must have exactly this version.
    case exact(Int64)

    func admits(_ current: Int64) -> Bool {
        switch self {
        case .any: return true
        case .noStream: return current == 0
        case .exact(let v): return current == v
        }
    }

    public var description: String {
        switch self {
        case .any: return "any version"
        case .noStream: return "no stream"
        case .exact(let v): return "version \(v)"
        }
    }
}

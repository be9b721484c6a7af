/// Thrown by ``withDeadline(_:_:)`` when the time allowed ran out before the work finished.
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    /// The time that was allowed.
    public var limit: Duration

    public init(limit: Duration) { self.limit = limit }

    public var description: String { "deadline of \(DeadlineExceeded.format(limit)) exceeded" }

    /// `1 s`, `0.5 s`, `90 s`: how deadlines are named in messages.
    public static func format(_ d: Duration) -> String {
        let (seconds, attoseconds) = d.components
        if attoseconds == 0 { return "\(seconds) s" }
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
    }
}

/// Runs `operation` and returns its result, unless `limit` passes first: then the
/// operation is cancelled and ``DeadlineExceeded`` is thrown.
///
/// Used for whatever has to end even when the other side never does (a provider that
/// trickles its body, a step that hangs): the operation must react to cancellation
/// (AsyncHTTPClient requests and bodies do), because this returns only once it has stopped.
public func withDeadline<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: DeadlineOutcome<T>.self) { group in
        group.addTask { .done(try await operation()) }
        group.addTask {
            try await Task.sleep(for: limit)
            return .expired
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        switch first {
        case .done(let value): return value
        case .expired: throw DeadlineExceeded(limit: limit)
        }
    }
}

/// Which of the two racers of ``withDeadline(_:_:)`` finished first.
enum DeadlineOutcome<T: Sendable>: Sendable {
    case done(T)
    case expired
}

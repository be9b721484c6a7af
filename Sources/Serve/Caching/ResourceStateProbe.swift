import Postgres
import Synchronization

/// The read of an answer's ``ResourceState``, deferred into the first database session the
/// handler opens, so an ordinary GET costs one trip to a pooled connection instead of two.
///
/// The state is read first in that session, before anything the answer is built from, so
/// the ETag is still never newer than its body. ``ETagMiddleware`` installs a probe (as a
/// task-local) only when it has no `If-None-Match` to answer: then it must know the state
/// before the handler runs, and reads it on its own.
final class ResourceStateProbe: Sendable {
    /// The probe of the request being answered, if any.
    @TaskLocal static var current: ResourceStateProbe?

    let sql: String
    private let state = Mutex<String?>(nil)

    init(sql: String) { self.sql = sql }

    /// The state, once a session has read it.
    var value: String? { state.withLock { $0 } }

    /// Reads the state in `session` unless it has been read already.
    func readIfNeeded(in session: PostgresSession) throws {
        guard value == nil else { return }
        let text = try ResourceState.read(sql, in: session)
        state.withLock { $0 = text }
    }
}

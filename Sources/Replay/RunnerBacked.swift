import EventLog
import Postgres
import Projections

/// A job of the Replay module that folds through a ``ProjectionRunner``: the runner's
/// connection, compression dictionaries and worker connections are the job's.
public protocol RunnerBacked: Sendable {
    var runner: ProjectionRunner { get }
    init(runner: ProjectionRunner)
}

extension RunnerBacked {
    public var connection: PostgresConnection { runner.connection }
    public var dictionaries: DictionaryStore { runner.dictionaries }
    public var workers: [PostgresConnection] { runner.workers }

    public init(connection: PostgresConnection, dictionaries: DictionaryStore = DictionaryStore(), workers: [PostgresConnection] = []) {
        self.init(runner: ProjectionRunner(connection: connection, dictionaries: dictionaries, workers: workers))
    }
}

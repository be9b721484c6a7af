import Postgres
import Projections
import Replay

/// What a sync does after its appends: catch every projection up (taking the snapshots
/// it passes, by the default policy), so the run ends with the unified tables current. A
/// projection that stops fails the hook; events the projections parked are named in the
/// run's message. Either way the run records itself as partially failed.
enum AfterAppendHook {
    static func make(connection: PostgresConnection) -> (@Sendable () async throws -> String?)? {
        {
            let results = try await FoldDriver(runner: ProjectionRunner(connection: connection)).fold(ProjectionCatalog.liveTargets).results
            if let failed = results.first(where: { $0.outcome == .failed }) {
                throw failed.error ?? ProjectionError(code: .applyFailed, message: "projection \(failed.projection) stopped at position \(failed.position)")
            }
            let parked = results.flatMap(\.parked)
            guard !parked.isEmpty else { return nil }
            let listed = parked.prefix(5).map { "\($0.projection) at position \($0.position) (\($0.eventType)): \($0.message)" }
            return "the projections parked \(parked.count) event\(parked.count == 1 ? "" : "s") they could not apply"
                + " (\(listed.joined(separator: "; "))\(parked.count > 5 ? "; …" : "")); see `finsync status`"
        }
    }
}

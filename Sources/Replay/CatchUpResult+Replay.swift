import Projections

extension CatchUpResult {
    /// Throws the ``ReplayError`` a rebuild or replay reports when this target did not catch
    /// up (parked events do not count: the fold went on past them).
    func requireCaughtUp() throws {
        switch outcome {
        case .caughtUp: return
        case .failed:
            throw ReplayError(code: .foldFailed, message: error.map { "\($0)" } ?? "stopped at position \(position)", projection: projection, schema: schema)
        case .busy:
            throw ReplayError(code: .busy, message: "another runner holds this target; try again when it has finished", projection: projection, schema: schema)
        case .needsRebuild(let v):
            throw ReplayError(code: .foldFailed, message: "the tables in this schema were built by version \(v) of the projection; drop them first", projection: projection, schema: schema)
        }
    }
}

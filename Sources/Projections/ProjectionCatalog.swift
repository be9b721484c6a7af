/// Every projection finsync runs, in the order they are applied, with their dependencies.
public enum ProjectionCatalog {
    /// All projections.
    public static var all: [any Projection] {
        [GoCardlessRawProjection(), InvestmentsRawProjection(), EnableBankingRawProjection(), UnifiedProjection(), AnalyticsProjection()]
    }

    /// The projection named `name`, if any.
    public static func named(_ name: String) -> (any Projection)? { all.first { $0.name == name } }

    /// Live targets (each projection in its live schema).
    public static var liveTargets: [ProjectionTarget] { all.map { ProjectionTarget($0) } }

    /// The projections built on another's meaning, which must be rebuilt with it: unified
    /// rows carry the raw projections' keys and normalisation (the same deterministic ids),
    /// and analytics is keyed by unified's account ids (its lineage reads unified's
    /// `accounts`). A rebuild of a projection therefore rebuilds these too (transitively).
    public static let dependants: [String: [String]] = [
        GoCardlessRawProjection().name: [UnifiedProjection().name],
        InvestmentsRawProjection().name: [UnifiedProjection().name],
        EnableBankingRawProjection().name: [UnifiedProjection().name],
        UnifiedProjection().name: [AnalyticsProjection().name],
    ]
}

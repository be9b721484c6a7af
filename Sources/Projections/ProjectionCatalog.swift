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

    /// Projections that read another projection's tables, and must be rebuilt with it.
    /// Every current projection folds events on its own, so none depends on another.
    public static let dependants: [String: [String]] = [:]
}

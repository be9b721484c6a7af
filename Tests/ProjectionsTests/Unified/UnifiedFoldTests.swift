import EventCatalog
@testable import Projections
import Testing

/// The unified projection's folds: each event type it subscribes to goes to exactly one fold.
@Suite struct UnifiedFoldTests {
    @Test func everySubscribedTypeHasExactlyOneFold() {
        var claims: [String: [String]] = [:]
        for fold in UnifiedProjection.folds {
            for type in fold.eventTypes { claims[type, default: []].append(fold.name) }
        }
        #expect(claims.filter { $0.value.count > 1 }.isEmpty, "types claimed by two folds: \(claims.filter { $0.value.count > 1 })")
        #expect(Set(claims.keys) == UnifiedProjection().eventTypes)
        let dispatch = UnifiedFold.dispatch(UnifiedProjection.folds)
        #expect(Set(dispatch.keys) == UnifiedProjection().eventTypes)
        #expect(dispatch[EventCatalog.vanguardExportLinked.name]?.name == "vanguard export")
        #expect(dispatch[EventCatalog.vanguardHoldingsObserved.name]?.name == "vanguard")
    }

    /// Every provider's observations reach the unified tables: each catalogued provider type
    /// the raw projections read is folded (the only exceptions are declared here).
    @Test func everyProviderTypeTheRawProjectionsReadIsFolded() {
        // Orders are not money movements: a filled order's cash arrives as a Trading212
        // transaction, and only `t212_orders` keeps the order itself.
        let notUnified: Set<String> = [EventCatalog.trading212OrderObserved.name]
        let raw = ProjectionCatalog.all.filter { $0.name != UnifiedProjection().name }.reduce(into: Set<String>()) { $0.formUnion($1.eventTypes) }
        let providerTypes = raw.filter { !AnnotationEvents.types.contains($0) }
        #expect(providerTypes.subtracting(UnifiedProjection().eventTypes).subtracting(notUnified).isEmpty,
                "\(providerTypes.subtracting(UnifiedProjection().eventTypes).subtracting(notUnified).sorted())")
    }
}

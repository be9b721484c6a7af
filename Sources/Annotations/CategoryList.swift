import CanonicalJSON
import EventLog

/// The categories as the log says now, folded from `annotations/categories` (read straight
/// from the log, so a category is usable the moment it is defined, before any projection
/// has caught up).
public struct CategoryList: Sendable {
    public struct Category: Sendable, Hashable {
        public var id: String, name: String, mergedInto: String?
    }

    public private(set) var categories: [String: Category] = [:]
    /// The stream's version.
    public private(set) var version: Int64 = 0

    init(_ events: [RecordedEvent]) throws {
        for e in events {
            let j = try e.json()
            version = e.streamVersion
            guard let id = j["category_id"]?.string else { continue }
            switch e.type.name {
            case EventCatalog.categoryDefined.name: categories[id] = Category(id: id, name: j["name"]?.string ?? "", mergedInto: nil)
            case EventCatalog.categoryRenamed.name: if let name = j["name"]?.string { categories[id]?.name = name }
            case EventCatalog.categoryMerged.name:
                let into = j["into"]?.string
                for other in categories.keys.sorted() where (other == id || categories[other]?.mergedInto == id) && other != into { categories[other]?.mergedInto = into }
            default: break
            }
        }
    }

    /// Every category: live ones first, each group by name.
    public var sorted: [Category] {
        categories.values.sorted { a, b in
            if (a.mergedInto == nil) != (b.mergedInto == nil) { return a.mergedInto == nil }
            return (a.name.lowercased(), a.id) < (b.name.lowercased(), b.id)
        }
    }

    static func read(_ log: EventLog) async throws -> CategoryList {
        try CategoryList(try await log.readStream(StreamName.annotationsCategories, limit: Int(Int32.max)))
    }

    /// The live (not merged) category whose id is `idOrName`, else whose name is it
    /// (case-insensitively); nil when none.
    public func live(_ idOrName: String) -> Category? {
        let liveOnes = categories.values.filter { $0.mergedInto == nil }
        if let c = liveOnes.first(where: { $0.id == idOrName.lowercased() }) { return c }
        return liveOnes.first { $0.name.lowercased() == idOrName.lowercased() }
    }
}

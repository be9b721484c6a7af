import CanonicalJSON
import EventLog

/// The rule ids in list order, folded from `annotations/rules` (read from the log, like
/// ``CategoryList``).
struct RuleList: Sendable {
    private(set) var order: [String] = []
    private(set) var version: Int64 = 0

    init(_ events: [RecordedEvent]) throws {
        for e in events {
            let j = try e.json()
            version = e.streamVersion
            switch e.type.name {
            case EventCatalog.ruleDefined.name: if let id = j["rule_id"]?.string, !order.contains(id) { order.append(id) }
            case EventCatalog.ruleRemoved.name: order.removeAll { $0 == j["rule_id"]?.string }
            case EventCatalog.rulesReordered.name:
                let listed = (j["order"]?.array ?? []).compactMap(\.string).filter(order.contains)
                order = listed + order.filter { !listed.contains($0) }
            default: break
            }
        }
    }

    static func read(_ log: EventLog) async throws -> RuleList {
        try RuleList(try await log.readStream(StreamName.annotationsRules, limit: Int(Int32.max)))
    }
}

import CanonicalJSON
import EventLog
import Projections

/// The rules in list order, folded from `annotations/rules` (read from the log, like
/// ``CategoryList``, so the list and its version are current the moment a rule is saved).
public struct RuleList: Sendable {
    public private(set) var order: [String] = []
    public private(set) var definitions: [String: RuleDefinition] = [:]
    public private(set) var version: Int64 = 0

    init(_ events: [RecordedEvent]) throws {
        for e in events {
            let j = try e.json()
            version = e.streamVersion
            switch e.type.name {
            case EventCatalog.ruleDefined.name, EventCatalog.ruleChanged.name:
                guard let id = j["rule_id"]?.string else { continue }
                if e.type.name == EventCatalog.ruleDefined.name, !order.contains(id) { order.append(id) }
                definitions[id] = try? RuleDefinition(json: j["rule"] ?? .null)
            case EventCatalog.ruleRemoved.name:
                order.removeAll { $0 == j["rule_id"]?.string }
                if let id = j["rule_id"]?.string { definitions[id] = nil }
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

import CanonicalJSON

/// Indented JSON for people (keys sorted, numbers exactly as stored).
enum PrettyJSON {
    static func render(_ v: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch v {
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { pad + "  " + render($0, indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let o) where !o.isEmpty:
            let members = o.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return "{\n" + members.map { pad + "  " + JSONValue.string($0.key).canonicalString + ": " + render($0.value, indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "}"
        default:
            return v.canonicalString
        }
    }
}
